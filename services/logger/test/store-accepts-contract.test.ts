import { logEntryInputSchema, textProblem } from '@micromesh/contracts';
import fc from 'fast-check';
import { toLogEntry, type LogEntry } from '../src/domain/log-entry';
import type { LogStore } from '../src/domain/ports';
import { configuredBackends } from './store-backends';
import { mongoServer } from './support/mongo-server';

/**
 * "What the edge accepts, every store stores" (DESIGN.md, Trust rules), as a property against the
 * real PostgreSQL: entries are generated from every UTF-16 code unit (NUL and lone surrogates
 * included), any JSON metadata with any keys; whatever the contract schema accepts must be stored
 * by the store's real insert (text columns and jsonb), unchanged.
 */

/** Mostly any code point; now and then NUL, a lone surrogate, `$` or `.`. */
const anyUnit = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('\u0000', '\uD800', '\uDC00', '$', '.') },
  { weight: 30, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);
/** Well-formed text of every plane, or text that may hold what a store refuses. */
const anyText = (maxLength: number) =>
  fc.oneof(fc.string({ unit: 'grapheme', maxLength }), fc.string({ unit: anyUnit, maxLength }));

const metadataValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    anyText(40),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(anyText(12), tie('value'), { maxKeys: 4 }),
  ),
})).value;

function hasNestedArray(value: unknown, inArray = false): boolean {
  if (Array.isArray(value)) return inArray || value.some((item) => hasNestedArray(item, true));
  if (value !== null && typeof value === 'object') {
    return Object.values(value).some((item) => hasNestedArray(item));
  }
  return false;
}

const anyInput = fc.record(
  {
    name: anyText(60),
    data: anyText(300),
    level: fc.constantFrom('debug', 'INFO', 'warn', 'Error', 'FATAL'),
    service: anyText(20),
    metadata: fc.dictionary(anyText(12), metadataValue, { maxKeys: 8 }),
  },
  { requiredKeys: ['name', 'data'] },
);

describe.each(configuredBackends())(
  'The contract schema against the real store: $label',
  (backend) => {
    let store: LogStore;
    let drop: () => Promise<void>;

    /**
     * FerretDB 1.x cannot store an array directly inside an array (MongoDB can): such entries are
     * left out there, and proven only where MONGO_URL names a real MongoDB.
     */
    const beyondServer = (value: unknown): boolean =>
      backend.name === 'mongodb' && mongoServer.kind === 'ferretdb' && hasNestedArray(value);

    beforeAll(async () => {
      ({ store, drop } = await backend.create());
    });
    afterAll(async () => {
      await drop();
    });

    it('When the schema accepts an entry, then the store stores it and gives it back unchanged', async () => {
      let accepted = 0;
      let refusedBySchema = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(anyInput, { minLength: 1, maxLength: 25 }), async (inputs) => {
          const entries: LogEntry[] = [];
          for (const input of inputs) {
            const parsed = logEntryInputSchema.safeParse(input);
            if (!parsed.success) refusedBySchema++;
            else if (!beyondServer(parsed.data.metadata)) entries.push(toLogEntry(parsed.data));
          }
          accepted += entries.length;
          const { inserted, refused } = await store.insertMany(entries);
          expect([...refused.values()]).toEqual([]);
          expect(inserted.size).toBe(entries.length);
          for (const entry of entries.slice(0, 3)) {
            const back = await store.get(entry.event_id);
            expect(back).toMatchObject({
              name: entry.name,
              data: entry.data,
              service: entry.service,
            });
            // jsonb may reorder keys and spell numbers its own way: compare as JSON values.
            expect(back?.metadata).toEqual(
              entry.metadata ? JSON.parse(JSON.stringify(entry.metadata)) : undefined,
            );
          }
        }),
        { numRuns: 100 },
      );
      // The generators are hostile enough to exercise both sides of the schema.
      expect(accepted).toBeGreaterThan(100);
      expect(refusedBySchema).toBeGreaterThan(50);
    });
  },
);

describe('The contract schema against the real PostgreSQL store', () => {
  const postgres = configuredBackends().find((b) => b.name === 'postgres')!;
  let store: LogStore;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ store, drop } = await postgres.create());
  });
  afterAll(async () => {
    await drop();
  });

  it('When a value holds a NUL character or a lone surrogate, then PostgreSQL refuses or alters it, which is why the schema refuses it', async () => {
    // The other direction, for the two character rules: the store really cannot hold these.
    const nul = { name: 'n', data: 'a\u0000b' };
    const nulKey = { name: 'n', data: 'd', metadata: { 'k\u0000': 1 } };
    const surrogate = { name: 'n', data: 'd', metadata: { k: '\uD800' } };
    for (const input of [nul, nulKey, surrogate]) {
      expect(logEntryInputSchema.safeParse(input).success).toBe(false);
      const entry = toLogEntry(input as never);
      const { refused } = await store.insertMany([entry]);
      expect(refused.has(entry.event_id)).toBe(true);
    }
    const loneInText = toLogEntry({ name: 'n', data: 'x\uD800y' });
    expect(textProblem(loneInText.data)).toBeDefined();
    await store.insertMany([loneInText]);
    expect((await store.get(loneInText.event_id))?.data).not.toBe(loneInText.data);
  });
});
