import { runMain } from '@micromesh/kit';
import { startMail } from './app';
import { loadMailConfig } from './config';

runMain('mail', () => startMail(loadMailConfig()));
