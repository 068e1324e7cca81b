import type { Credentials } from './login-panel';

/** The reference front-end's buttons, with the request bodies it sent. */
export interface TestAction {
  id: 'broker' | 'auth' | 'log' | 'grpc-log' | 'event' | 'mail';
  label: string;
  hint: string;
  method: 'POST';
  path: string;
  body?: (creds: Credentials) => unknown;
}

export const TEST_ACTIONS: TestAction[] = [
  { id: 'broker', label: 'Broker', hint: 'POST /', method: 'POST', path: '/' },
  {
    id: 'auth',
    label: 'Auth',
    hint: 'action auth',
    method: 'POST',
    path: '/handle',
    body: (creds) => ({ action: 'auth', auth: creds }),
  },
  {
    id: 'log',
    label: 'Log',
    hint: 'action log',
    method: 'POST',
    path: '/handle',
    body: () => ({ action: 'log', log: { name: 'event', data: 'Some kind of data' } }),
  },
  {
    id: 'grpc-log',
    label: 'gRPC log',
    hint: '/log-grpc',
    method: 'POST',
    path: '/log-grpc',
    body: () => ({ action: 'log', log: { name: 'event', data: 'Some kind of gRPC data' } }),
  },
  {
    id: 'event',
    label: 'Event',
    hint: 'RabbitMQ',
    method: 'POST',
    path: '/handle',
    body: () => ({
      action: 'event',
      event: { name: 'event', data: 'Some kind of event data', level: 'INFO' },
    }),
  },
  {
    id: 'mail',
    label: 'Mail',
    hint: 'action mail',
    method: 'POST',
    path: '/handle',
    body: () => ({
      action: 'mail',
      // No `from`: the mail goes out from the configured sender (a typed one is refused).
      mail: {
        to: 'you@there.com',
        subject: 'Test email',
        message: 'Hello world!',
      },
    }),
  },
];
