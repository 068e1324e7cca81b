import request from 'supertest';
import {
  ADMIN,
  createUser,
  startAuthHarness,
  tokenFor,
  type AuthHarness,
} from './support/auth-harness';
import { aUser } from './support/factories';

/** Live API keys per user in this suite. */
const CAP = 2;

describe('POST /api/keys beyond AUTH_MAX_KEYS_PER_USER', () => {
  let h: AuthHarness;
  let adminToken: string;

  beforeAll(async () => {
    h = await startAuthHarness('auth_key_cap', { AUTH_MAX_KEYS_PER_USER: String(CAP) });
    adminToken = await tokenFor(h.url, ADMIN);
  });
  afterAll(() => h.close());

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const newUserToken = async () => {
    const body = aUser({ role: 'user' });
    await createUser(h.url, adminToken, body);
    return tokenFor(h.url, body);
  };
  const create = (token: string) =>
    request(h.url).post('/api/keys').set(bearer(token)).send({ name: 'bot' });
  const liveKeys = async (token: string) => {
    const res = await request(h.url).get('/api/keys').set(bearer(token));
    return (res.body.data.api_keys as { active: boolean }[]).filter((k) => k.active).length;
  };

  it('When a user already holds the most live keys allowed, then one more is 409 and nothing is stored', async () => {
    // Arrange
    const token = await newUserToken();
    const held = [await create(token), await create(token)];

    // Act
    const res = await create(token);

    // Assert
    expect(held.map((r) => r.status)).toEqual([201, 201]);
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      error: true,
      message: `at most ${CAP} live API keys per user; revoke one you no longer use first`,
    });
    expect(await liveKeys(token)).toBe(CAP);
  });

  it('When the user revokes a key, then a new one may be created', async () => {
    // Arrange
    const token = await newUserToken();
    const first = await create(token);
    await create(token);
    await request(h.url).delete(`/api/keys/${first.body.data.api_key.id}`).set(bearer(token));

    // Act
    const res = await create(token);

    // Assert
    expect(res.status).toBe(201);
    expect(await liveKeys(token)).toBe(CAP);
  });

  it('When one user asks for many keys at once, then exactly the cap is created', async () => {
    // Arrange
    const token = await newUserToken();

    // Act
    const answers = await Promise.all(Array.from({ length: 6 }, () => create(token)));

    // Assert
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, 201, 409, 409, 409, 409]);
    expect(await liveKeys(token)).toBe(CAP);
  });

  it('When one user is at the cap, then another user still creates keys', async () => {
    // Arrange
    const full = await newUserToken();
    await create(full);
    await create(full);
    const other = await newUserToken();

    // Act
    const res = await create(other);

    // Assert
    expect(res.status).toBe(201);
  });
});
