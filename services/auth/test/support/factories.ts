import { randomBytes } from 'node:crypto';

let sequence = 0;

/** A unique, valid new-user body; override any field. */
export function aUser(overrides: Record<string, unknown> = {}) {
  sequence += 1;
  return {
    email: `user${sequence}.${randomBytes(3).toString('hex')}@example.com`,
    password: 'correct horse battery',
    first_name: 'Ada',
    last_name: 'Lovelace',
    ...overrides,
  };
}

/** A unique client address, so throttle counters of different tests never meet. */
export function anIp(): string {
  const b = randomBytes(3);
  return `198.18.${b[0]! % 256}.${(b[1]! % 250) + 1}`;
}
