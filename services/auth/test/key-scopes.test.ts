import request from 'supertest';
import {
  ADMIN,
  createUser,
  startAuthHarness,
  tokenFor,
  type AuthHarness,
} from './support/auth-harness';
import { aUser } from './support/factories';

describe('API key scopes', () => {
  let h: AuthHarness;
  let adminToken: string;

  beforeAll(async () => {
    h = await startAuthHarness('auth_key_scopes');
    adminToken = await tokenFor(h.url, ADMIN);
  });
  afterAll(() => h.close());

  async function aUserToken(): Promise<{ id: string; token: string }> {
    const body = aUser();
    const user = await createUser(h.url, adminToken, body);
    return { id: user.id, token: await tokenFor(h.url, body) };
  }
  const createKey = (token: string, body: object) =>
    request(h.url).post('/api/keys').set('authorization', `Bearer ${token}`).send(body);
  const introspect = (key: string) =>
    request(h.url).post('/internal/keys/introspect').send({ key });

  it('When a user creates a key with a subset of its scopes, then the key carries exactly those, and the answer is no-store', async () => {
    const user = await aUserToken();

    const res = await createKey(user.token, { name: 'writer', scopes: ['logs:write'] });

    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.data.api_key.scopes).toEqual(['logs:write']);
    expect((await introspect(res.body.data.key)).body.data.scopes).toEqual(['logs:write']);
  });

  it('When a user asks for a scope it lacks, then 403 names it and no key is made', async () => {
    const user = await aUserToken();

    const res = await createKey(user.token, {
      name: 'reader',
      scopes: ['logs:write', 'logs:read'],
    });

    expect(res.status).toBe(403);
    expect(res.body.message).toBe('a key cannot have scopes its owner lacks: logs:read');
  });

  it('When the scope is unknown, then 400', async () => {
    const user = await aUserToken();

    expect((await createKey(user.token, { name: 'x', scopes: ['root'] })).status).toBe(400);
  });

  it('When an admin’s key is made and the admin is later demoted, then the key’s scopes shrink to the user role’s', async () => {
    const body = aUser({ role: 'admin' });
    const owner = await createUser(h.url, adminToken, body);
    const token = await tokenFor(h.url, body);
    const created = await createKey(token, { name: 'ops', scopes: ['logs:read', 'logs:write'] });

    await request(h.url)
      .patch(`/api/users/${owner.id}`)
      .set('authorization', `Bearer ${adminToken}`)
      .send({ role: 'user' });

    expect((await introspect(created.body.data.key)).body.data.scopes).toEqual(['logs:write']);
  });

  it('When a user lists keys with a user_id of someone else, then 403; an admin (keys:admin) may', async () => {
    const a = await aUserToken();
    const b = await aUserToken();

    const byUser = await request(h.url)
      .get(`/api/keys?user_id=${b.id}`)
      .set('authorization', `Bearer ${a.token}`);
    const byAdmin = await request(h.url)
      .get(`/api/keys?user_id=${b.id}`)
      .set('authorization', `Bearer ${adminToken}`);

    expect(byUser.status).toBe(403);
    expect(byAdmin.status).toBe(200);
  });
});
