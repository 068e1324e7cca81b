import { waitFor } from '@micromesh/kit/testing';
import type { LogEntry } from '../src/domain/log-entry';
import type { LogStore } from '../src/domain/ports';
import { aLogEntry, aServiceName } from './factories';
import { configuredBackends } from './store-backends';

/** One behaviour contract for every LogStore adapter configured here (see store-backends.ts). */
describe.each(configuredBackends())('LogStore contract on $label', (backend) => {
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

  describe('init', () => {
    it('When init runs again on a store holding entries (a restart, another replica), then it succeeds and the entries stay', async () => {
      const entry = aLogEntry();
      await store.insertMany([entry]);

      await store.init();

      expect(await store.get(entry.event_id)).toEqual(entry);
    });
  });

  describe('get', () => {
    it('When the event_id is unknown, then it answers undefined', async () => {
      expect(await store.get('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    });
  });

  describe('query', () => {
    const service = aServiceName();
    // An hour ago on a whole second: inside any retention, so neither a TTL monitor nor a
    // retention pass can delete the fixtures mid-suite.
    const base = Math.floor(Date.now() / 1000) * 1000 - 60 * 60_000;
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

  /**
   * The one text-search semantics of every store (src/domain/search-terms.ts): whole words,
   * case-insensitive, accents folded, every word required; identifiers joined by _ . - : / @
   * match whole or by any one of their words.
   */
  describe('query by text', () => {
    const service = aServiceName();
    const entry = (name: string, data: string) => aLogEntry({ service, name, data });
    const fixtures = {
      ok: entry('login', 'user alice ok'),
      slow: entry('login', 'slow alice'),
      declined: entry('payment', 'card declined'),
      identifier: entry('payment', 'charge failed: card_declined (api.example.com)'),
      accented: entry('order', 'Café Crème served'),
      plain: entry('order', 'CAFE latte'),
    };
    const search = async (text: string) =>
      ids(await store.query({ service, text, limit: 100 })).sort();
    const idsOf = (...entries: LogEntry[]) => ids(entries).sort();

    beforeAll(async () => {
      await store.insertMany(Object.values(fixtures));
    });

    it('When one word is searched, then entries holding it in name or data come back', async () => {
      expect(await search('alice')).toEqual(idsOf(fixtures.ok, fixtures.slow));
      expect(await search('payment')).toEqual(idsOf(fixtures.declined, fixtures.identifier));
    });

    it('When several words are searched, then only entries holding every one come back', async () => {
      expect(await search('slow alice')).toEqual(idsOf(fixtures.slow));
      expect(await search('alice declined')).toEqual([]);
    });

    it('When a word is only the start of a stored word ("slow ali"), then nothing matches', async () => {
      expect(await search('slow ali')).toEqual([]);
      expect(await search('declin')).toEqual([]);
    });

    it('When the case differs, then it still matches', async () => {
      expect(await search('SLOW Alice')).toEqual(idsOf(fixtures.slow));
    });

    it('When an identifier (card_declined) is searched, then it matches whole, not its words apart', async () => {
      expect(await search('card_declined')).toEqual(idsOf(fixtures.identifier));
      expect(await search('declined')).toEqual(idsOf(fixtures.declined, fixtures.identifier));
    });

    it('When a host name (api.example.com) or one of its labels is searched, then the entry holding it comes back', async () => {
      expect(await search('api.example.com')).toEqual(idsOf(fixtures.identifier));
      expect(await search('example')).toEqual(idsOf(fixtures.identifier));
    });

    it('When café is searched, then café and cafe match alike (accents folded both ways)', async () => {
      expect(await search('café')).toEqual(idsOf(fixtures.accented, fixtures.plain));
      expect(await search('cafe')).toEqual(idsOf(fixtures.accented, fixtures.plain));
      expect(await search('crème')).toEqual(idsOf(fixtures.accented));
    });

    it('When quotes or punctuation surround the words, then they only separate words', async () => {
      expect(await search('"slow alice"')).toEqual(idsOf(fixtures.slow));
      expect(await search('(api.example.com),')).toEqual(idsOf(fixtures.identifier));
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
