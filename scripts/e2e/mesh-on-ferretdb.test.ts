import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { waitFor } from '@micromesh/kit/testing';
import { call, findLogs, login } from './support/broker-api';
import { startTestMesh, type TestMesh } from './support/test-mesh';

// `LOG_STORE=mongo scripts/up`: the same launcher starts FerretDB (MongoDB wire protocol over
// SQLite) and the logger stores into it through its MongoDB adapter.
describe('the mesh with the logger on FerretDB (LOG_STORE=mongo)', () => {
  let mesh: TestMesh;
  let token: string;

  beforeAll(async () => {
    mesh = await startTestMesh('e2e_ferret', {}, 'mongo');
    token = await login(mesh.brokerUrl);
  }, 150_000);
  afterAll(() => mesh?.stop(), 60_000);

  it('When a log and an event go through the broker, then both land in FerretDB and text search finds them', async () => {
    const marker = `ferret-${randomUUID()}`;

    const log = await call(mesh.brokerUrl, 'POST', '/handle', {
      token,
      body: { action: 'log', log: { name: 'e2e-log', data: `${marker} card_declined` } },
    });
    const event = await call(mesh.brokerUrl, 'POST', '/handle', {
      token,
      body: { action: 'event', event: { name: 'e2e-event', data: marker, level: 'ERROR' } },
    });

    expect([log.status, event.status]).toEqual([202, 202]);
    const stored = await waitFor(
      async () => {
        const found = await findLogs(mesh.loggerUrl, marker);
        return found.length === 2 ? found : null;
      },
      { timeoutMs: 30_000, what: 'the log and the event in the logger' },
    );
    expect(stored.map((e) => e.name).sort()).toEqual(['e2e-event', 'e2e-log']);
    expect(await findLogs(mesh.loggerUrl, `${marker} CARD_DECLINED`)).toHaveLength(1);
    // Stored by FerretDB: its SQLite file for the logs' database is where the entries are.
    const ferretdb = mesh.settings.ferretdb;
    expect(ferretdb).toBeDefined();
    expect(await readdir(ferretdb?.dataDir ?? '')).toContain('micromesh_logs.sqlite');
    expect(mesh.mesh.process('ferretdb')?.child.exitCode).toBeNull();
  });
});
