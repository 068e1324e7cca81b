import { runMain } from '@micromesh/kit';
import { startAuth } from './app';
import { loadAuthConfig } from './config';

runMain('auth', () => startAuth(loadAuthConfig()));
