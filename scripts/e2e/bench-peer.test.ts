import path from 'node:path';
import amqp from 'amqplib';
import { SignJWT } from 'jose';
import { Client } from 'pg';
import {
  createJwtKeysDir,
  createTestDatabase,
  createTestVhost,
  type JwtKeysDir,
  type TestDatabase,
  type TestVhost,
} from '@micromesh/kit/testing';
import { PEER_QUEUE } from '../src/bench/peer/event-publisher';
import { startPeer, type RunningPeer } from '../src/bench/peer/start-peer';

// The Moleculer peer scripts/bench measures our `log` and `event` actions against, started as the
// bench starts it (two processes from scripts/dist), so a peer that no longer does the work fails
// here instead of quietly printing fast figures.
describe('the bench peer (Moleculer gateway + logger node)', () => {
  let db: TestDatabase;
  let vhost: TestVhost;
  let keys: JwtKeysDir;
  let peer: RunningPeer;
  let token: string;

  const root = path.resolve(__dirname, '..', '..');
  const post = (body: unknown, bearer: string) =>
    fetch(`${peer.url}/handle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
      body: JSON.stringify(body),
    });
  const rows = async (name: string) => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows: found } = await client.query<{ n: string }>(
        'SELECT count(*) AS n FROM peer_logs WHERE name = $1',
        [name],
      );
      return Number(found[0]?.n);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase('e2e_peer');
    vhost = await createTestVhost('e2e_peer');
    keys = await createJwtKeysDir('peer');
    const { privateKey } = await keys.add('signer');
    token = await new SignJWT({ role: 'user' })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setIssuer('micromesh-auth')
      .setAudience('micromesh')
      .setSubject('user-1')
      .setExpirationTime('5m')
      .sign(privateKey);
    peer = await startPeer({
      root,
      databaseUrl: db.url,
      amqpUrl: vhost.url,
      jwtKeyFile: path.join(keys.dir, 'signer.pem'),
      rateLimitPoints: 1_000,
      output: () => undefined,
    });
  }, 90_000);
  afterAll(async () => {
    await peer?.stop();
    await Promise.all([db?.drop(), vhost?.drop(), keys?.remove()]);
  }, 30_000);

  it('When a log action is sent with a valid token, then it answers 202, stores one row and counts against the rate limit', async () => {
    const res = await post({ action: 'log', log: { name: 'peer-e2e', data: 'one' } }, token);

    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ error: false });
    expect(await rows('peer-e2e')).toBe(1);
    // moleculer-web's limiter counted it against the budget it was given.
    expect(res.headers.get('x-rate-limit-limit')).toBe('1000');
    expect(Number(res.headers.get('x-rate-limit-remaining'))).toBeLessThan(1000);
  });

  it('When the token is signed by another key, then it answers 401 and stores nothing', async () => {
    const other = await keys.add('stranger');
    const forged = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setIssuer('micromesh-auth')
      .setAudience('micromesh')
      .setSubject('user-1')
      .setExpirationTime('5m')
      .sign(other.privateKey);

    const res = await post({ action: 'log', log: { name: 'peer-forged', data: 'x' } }, forged);

    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: true });
    expect(await rows('peer-forged')).toBe(0);
  });

  it('When the log name is longer than the broker allows, then it answers 400', async () => {
    const res = await post({ action: 'log', log: { name: 'n'.repeat(201), data: 'x' } }, token);

    expect(res.status).toBe(400);
  });

  it('When a metadata key starts with "$", then it answers 400 naming the field and stores nothing', async () => {
    const res = await post(
      { action: 'log', log: { name: 'peer-unsafe', data: 'x', metadata: { $where: 1 } } },
      token,
    );

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: true,
      details: [{ path: 'log.metadata', message: 'metadata keys must not start with "$"' }],
    });
    expect(await rows('peer-unsafe')).toBe(0);
  });

  it('When an event action is sent, then it answers 202 after one message is on its own queue', async () => {
    const res = await post(
      { action: 'event', event: { name: 'peer-e2e', data: 'one', level: 'info' } },
      token,
    );

    expect(res.status).toBe(202);
    const connection = await amqp.connect(vhost.url);
    try {
      const channel = await connection.createChannel();
      expect((await channel.checkQueue(PEER_QUEUE)).messageCount).toBe(1);
    } finally {
      await connection.close();
    }
  });
});
