import { runMain } from '@micromesh/kit';
import { startBroker } from './app';
import { loadBrokerConfig } from './config';

runMain('broker', () => startBroker(loadBrokerConfig()));
