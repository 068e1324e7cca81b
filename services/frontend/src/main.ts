import { runMain } from '@micromesh/kit';
import { startFrontend } from './app';
import { loadFrontendConfig } from './config';

runMain('frontend', () => startFrontend(loadFrontendConfig()));
