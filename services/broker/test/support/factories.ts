import { randomUUID } from 'node:crypto';

const unique = () => randomUUID().slice(0, 8);

export const aLog = (overrides: Record<string, unknown> = {}) => ({
  name: `log-${unique()}`,
  data: 'written through the broker',
  ...overrides,
});

export const anEventPayload = (overrides: Record<string, unknown> = {}) => ({
  name: `event-${unique()}`,
  data: 'published through the broker',
  ...overrides,
});

export const aMail = (overrides: Record<string, unknown> = {}) => ({
  from: 'sender@broker-test.local',
  to: `to-${unique()}@broker-test.local`,
  subject: 'Hello from the broker test',
  message: 'This message went through the broker.',
  ...overrides,
});
