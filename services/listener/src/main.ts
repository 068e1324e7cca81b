import { runMain } from '@micromesh/kit';
import { startListener } from './app';
import { loadListenerConfig } from './config';

runMain('listener', () => startListener(loadListenerConfig()));
