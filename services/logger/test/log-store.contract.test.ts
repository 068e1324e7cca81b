import { waitFor } from '@micromesh/kit/testing';
import type { LogEntry } from '../src/domain/log-entry';
import type { LogStore } from '../src/domain/log-store';
import { aLogEntry, aServiceName } from './factories';
import { configuredBackends } from './store-backends';

/** One behaviour contract for every LogStore adapter configured here (see store-backends.ts). */
describe.each(configuredBackends())('LogStore contract on $name', (backend) => {
  let store: LogStore;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ store, drop } = await backend.create());
  });
  afterAll(async () => {
    await drop();
  });

  const ids = (entries: LogEntry[]) => entries.map((e) => e.event_id);

  describe('insertMany', () => {
    it('When new entries are inserted, then every event_id is reported inserted and readable back unchanged', async () => {
      const entries = [aLogEntry(), aLogEntry({ metadata: undefined, trace_id: undefined })];

      const { inserted, refused } = await store.insertMany(entries);

      expect([...inserted].sort()).toEqual(ids(entries).sort());
      expect(refused.size).toBe(0);
      expect(await store.get(entries[0]!.event_id)).toEqual(entries[0]);
      expect(await store.get(entries[1]!.event_id)).toEqual(entries[1]);
    });

    it('When a batch repeats stored event_ids, then only the new ones are inserted and nothing is stored twice', async () => {
      const service = aServiceName();
      const stored = aLogEntry({ service });
      await store.insertMany([stored]);
      const fresh = aLogEntry({ service });

      const { inserted } = await store.insertMany([{ ...stored, data: 'redelivered' }, fresh]);

      expect([...inserted]).toEqual([fresh.event_id]);
      const rows = await store.query({ service, limit: 10 });
      expect(ids(rows).sort()).toEqual([stored.event_id, fresh.event_id].sort());
      expect((await store.get(stored.event_id))?.data).toBe(stored.data);
    });

    it('When an empty batch is inserted, then nothing happens', async () => {
      const outcome = await store.insertMany([]);
      expect([outcome.inserted.size, outcome.refused.size]).toEqual([0, 0]);
    });

    it('When the store cannot hold one entry of a batch, then only it is refused, with a reason, and the others are stored', async () => {
      const service = aServiceName();
      const good = Array.from({ length: 9 }, () => aLogEntry({ service }));
      // Past the contract schema (which refuses it at every edge): a NUL in the data and in a key.
      const bad = aLogEntry({ service, data: 'a\u0000b', metadata: { 'k\u0000': 1 } });
      const batch = [...good.slice(0, 4), bad, ...good.slice(4)];

      const { inserted, refused } = await store.insertMany(batch);

      expect([...inserted].sort()).toEqual(ids(good).sort());
      expect([...refused.keys()]).toEqual([bad.event_id]);
      expect(refused.get(bad.event_id)).toEqual(expect.any(String));
      const rows = await store.query({ service, limit: 20 });
      expect(ids(rows).sort()).toEqual(ids(good).sort());
    });
  });

  describe('get', () => {
    it('When the event_id is unknown, then it answers undefined', async () => {
      expect(await store.get('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    });
  });

  describe('query', () => {
    const service = aServiceName();
    const base = Date.UTC(2026, 0, 1);
    const at = (minutes: number) => new Date(base + minutes * 60_000);
    const sameInstant = at(5);
    let all: LogEntry[];

    beforeAll(async () => {
      all = [
        aLogEntry({
          service,
          timestamp: at(1),
          level: 'INFO',
          name: 'login',
          data: 'user alice ok',
        }),
        aLogEntry({
          service,
          timestamp: at(2),
          level: 'ERROR',
          name: 'payment',
          data: 'card declined',
        }),
        aLogEntry({
          service,
          timestamp: at(3),
          level: 'WARNING',
          name: 'login',
          data: 'slow alice',
        }),
        aLogEntry({ service, timestamp: sameInstant, name: 'tick', data: 'a' }),
        aLogEntry({ service, timestamp: sameInstant, name: 'tick', data: 'b' }),
        aLogEntry({ service, timestamp: sameInstant, name: 'tick', data: 'c' }),
      ];
      await store.insertMany(all);
    });

    const newestFirst = (entries: LogEntry[]) =>
      [...entries].sort(
        (a, b) =>
          b.timestamp.getTime() - a.timestamp.getTime() ||
          (b.event_id > a.event_id ? 1 : b.event_id < a.event_id ? -1 : 0),
      );

    it('When filtered by service only, then all its entries come newest first with event_id as the tie-break', async () => {
      const rows = await store.query({ service, limit: 100 });

      expect(ids(rows)).toEqual(ids(newestFirst(all)));
    });

    it('When filtered by level, then only that level comes back', async () => {
      const rows = await store.query({ service, level: 'ERROR', limit: 100 });

      expect(rows.map((r) => r.name)).toEqual(['payment']);
    });

    it('When filtered by trace_id, then only that trace comes back', async () => {
      const rows = await store.query({ trace_id: all[2]!.trace_id, limit: 100 });

      expect(ids(rows)).toEqual([all[2]!.event_id]);
    });

    it('When searched by text, then entries containing every word in name or data come back', async () => {
      const oneWord = await store.query({ service, text: 'alice', limit: 100 });
      const twoWords = await store.query({ service, text: 'slow alice', limit: 100 });
      const byName = await store.query({ service, text: 'payment', limit: 100 });

      expect(ids(oneWord).sort()).toEqual([all[0]!.event_id, all[2]!.event_id].sort());
      expect(ids(twoWords)).toEqual([all[2]!.event_id]);
      expect(ids(byName)).toEqual([all[1]!.event_id]);
    });

    it('When bounded by from (inclusive) and to (exclusive), then only that window comes back', async () => {
      const rows = await store.query({ service, from: at(2), to: at(5), limit: 100 });

      expect(ids(rows)).toEqual([all[2]!.event_id, all[1]!.event_id]);
    });

    it('When paged two at a time after the last entry of each page, then every entry comes exactly once in order', async () => {
      const seen: LogEntry[] = [];
      let after: LogEntry | undefined;
      for (let page = 0; page < 10; page += 1) {
        const rows = await store.query({ service, limit: 2, ...(after ? { after } : {}) });
        seen.push(...rows);
        after = rows.at(-1);
        if (rows.length < 2) break;
      }

      expect(ids(seen)).toEqual(ids(newestFirst(all)));
    });
  });

  describe('deleteOlderThan', () => {
    it('When retention runs, then entries before the cutoff are deleted and newer ones stay', async () => {
      const service = aServiceName();
      const old = aLogEntry({ service, timestamp: new Date('2020-01-01T00:00:00.000Z') });
      const recent = aLogEntry({ service, timestamp: new Date() });
      await store.insertMany([old, recent]);

      const deleted = await store.deleteOlderThan(new Date('2021-01-01T00:00:00.000Z'));

      expect(deleted).toBeGreaterThanOrEqual(1);
      expect(await store.get(old.event_id)).toBeUndefined();
      expect(await store.get(recent.event_id)).toEqual(recent);
    });
  });

  describe('watch', () => {
    it('When entries are inserted after the watch opened, then they are delivered (and nothing for duplicates)', async () => {
      const service = aServiceName();
      const first = aLogEntry({ service });
      await store.insertMany([first]);
      const delivered: LogEntry[] = [];
      const watch = await store.watch((entries) =>
        delivered.push(...entries.filter((e) => e.service === service)),
      );
      try {
        const later = [aLogEntry({ service }), aLogEntry({ service })];

        await store.insertMany([first, ...later]);

        await waitFor(() => delivered.length >= 2, { timeoutMs: 10_000, what: 'tail delivery' });
        expect(ids(delivered).sort()).toEqual(ids(later).sort());
        expect(delivered.find((e) => e.event_id === later[0]!.event_id)).toEqual(later[0]);
      } finally {
        await watch.close();
      }
    });
  });

  describe('ping', () => {
    it('When the store answers, then ping resolves', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
});
