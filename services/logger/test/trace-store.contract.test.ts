import { randomBytes } from 'node:crypto';
import type { SpanRecord } from '../src/domain/span-record';
import type { TraceStore } from '../src/domain/ports';
import { aSpan, aServiceName } from './factories';
import { configuredTraceBackends } from './trace-backends';

const newTraceId = () => randomBytes(16).toString('hex');

/** One behaviour contract for every TraceStore adapter configured here (see trace-backends.ts). */
describe.each(configuredTraceBackends())('TraceStore contract on $name', (backend) => {
  let store: TraceStore;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ store, drop } = await backend.create());
  });
  afterAll(async () => {
    await drop();
  });

  /** A three-span trace: a root, its child, and the child's child, `ms` apart. */
  function aTrace(overrides: Partial<SpanRecord> = {}, startUs = Date.now() * 1000) {
    const trace_id = newTraceId();
    const root = aSpan({ trace_id, start_us: startUs, duration_us: 30_000, ...overrides });
    const child = aSpan({
      trace_id,
      parent_span_id: root.span_id,
      service: 'logger',
      kind: 'client',
      start_us: startUs + 1_000,
      duration_us: 20_000,
    });
    const grandchild = aSpan({
      trace_id,
      parent_span_id: child.span_id,
      service: 'logger',
      kind: 'internal',
      start_us: startUs + 2_000,
      duration_us: 5_000,
    });
    return [root, child, grandchild];
  }

  describe('insertSpans and getTrace', () => {
    it('When a trace is stored, then it reads back whole, by start time, unchanged', async () => {
      const spans = aTrace();

      const inserted = await store.insertSpans([spans[2]!, spans[0]!, spans[1]!]);

      expect(inserted).toBe(3);
      expect(await store.getTrace(spans[0]!.trace_id)).toEqual(spans);
    });

    it('When a span is sent again, then it is stored once and keeps its first content', async () => {
      const [root] = aTrace();
      await store.insertSpans([root!]);

      const inserted = await store.insertSpans([{ ...root!, name: 'resent' }]);

      expect(inserted).toBe(0);
      expect(await store.getTrace(root!.trace_id)).toEqual([root]);
    });

    it('When a span has dotted attribute keys, nested values and links, then they survive the store', async () => {
      const span = aSpan({
        attributes: { 'db.system.name': 'postgresql', list: [1, 'two'], obj: { 'a.b': null } },
        links: [{ trace_id: newTraceId(), span_id: randomBytes(8).toString('hex') }],
        status: 'error',
        status_message: 'boom',
      });

      await store.insertSpans([span]);

      expect(await store.getTrace(span.trace_id)).toEqual([span]);
    });

    it('When the trace id is unknown, then it answers no spans', async () => {
      expect(await store.getTrace(newTraceId())).toEqual([]);
    });
  });

  describe('listTraces', () => {
    const service = aServiceName();
    const base = Date.now() * 1000;
    const fast = aTrace({ service }, base);
    const slow = aTrace({ service, duration_us: 900_000 }, base + 10_000);
    const failed = aTrace({ service, status: 'error' }, base + 20_000);
    const since = new Date(base / 1000 - 1_000);

    beforeAll(async () => {
      await store.insertSpans([...fast, ...slow, ...failed]);
    });

    const ids = (traces: { trace_id: string }[]) => traces.map((t) => t.trace_id);

    it('When traces are listed by service, then the newest come first with their root, span count and duration', async () => {
      const traces = await store.listTraces({ service, since, sort: 'recent', limit: 10 });

      expect(ids(traces)).toEqual([failed, slow, fast].map((t) => t[0]!.trace_id));
      expect(traces[2]).toEqual({
        trace_id: fast[0]!.trace_id,
        root_service: service,
        root_name: fast[0]!.name,
        start_us: base,
        duration_us: 30_000,
        span_count: 3,
        error: false,
      });
    });

    it('When the slowest are asked for, then the longest trace leads', async () => {
      const traces = await store.listTraces({ service, since, sort: 'slowest', limit: 1 });

      expect(ids(traces)).toEqual([slow[0]!.trace_id]);
      expect(traces[0]?.duration_us).toBe(900_000);
    });

    it('When filtered by minimum duration or by error, then only the matching traces are listed', async () => {
      const long = await store.listTraces({
        service,
        since,
        minDurationUs: 100_000,
        sort: 'recent',
        limit: 10,
      });
      const errors = await store.listTraces({
        service,
        since,
        error: true,
        sort: 'recent',
        limit: 10,
      });
      const clean = await store.listTraces({
        service,
        since,
        error: false,
        sort: 'recent',
        limit: 10,
      });

      expect(ids(long)).toEqual([slow[0]!.trace_id]);
      expect(ids(errors)).toEqual([failed[0]!.trace_id]);
      expect(errors[0]?.error).toBe(true);
      expect(ids(clean)).toEqual([slow, fast].map((t) => t[0]!.trace_id));
    });

    it("When a trace's root has a parent outside the trace (a client's span), then it is still named as the root", async () => {
      const [root, child] = aTrace(
        { service, parent_span_id: randomBytes(8).toString('hex') },
        base + 30_000,
      );
      await store.insertSpans([child!, root!]);

      const [listed] = await store.listTraces({ service, since, sort: 'recent', limit: 1 });

      expect(listed).toMatchObject({ trace_id: root!.trace_id, root_name: root!.name });
    });
  });

  describe('deleteOlderThan', () => {
    it('When retention runs, then spans that started before the cutoff go and newer ones stay', async () => {
      const old = aTrace({}, Date.UTC(2020, 0, 1) * 1000);
      const fresh = aTrace();
      await store.insertSpans([...old, ...fresh]);

      const deleted = await store.deleteOlderThan(new Date(Date.UTC(2021, 0, 1)));

      expect(deleted).toBeGreaterThanOrEqual(3);
      expect(await store.getTrace(old[0]!.trace_id)).toEqual([]);
      expect(await store.getTrace(fresh[0]!.trace_id)).toHaveLength(3);
    });
  });
});
