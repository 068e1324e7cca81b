import { runMain } from '@micromesh/kit';
import { startLogger } from './app';
import { loadLoggerConfig } from './config';

runMain('logger', () => startLogger(loadLoggerConfig()));
