import { failureMessage, type BrokerClient } from '../broker-client';
import { byId, h } from '../dom';
import { jsonView } from '../json-view';
import {
  formatMs,
  serviceClass,
  toTraceDetail,
  type PlacedSpan,
  type TraceDetail,
  type TraceLog,
} from '../trace-model';

const TRACE_ID = /^[0-9a-f]{32}$/;
const TICKS = [0, 0.25, 0.5, 0.75, 1];

function percent(value: number): string {
  return `${Math.max(0, Math.min(100, value * 100)).toFixed(3)}%`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function clock(date: Date): string {
  return date.toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    fractionalSecondDigits: 3,
  });
}

/**
 * The waterfall of one trace in a dialog: spans on a time axis, indented under their parents,
 * coloured by service, failures marked, and the trace's log lines beside it. Opened by any
 * `#trace=<id>` link (log rows, the slowest-traces list), so a trace has its own address.
 */
export class TraceView {
  private readonly dialog = byId<HTMLDialogElement>('trace-dialog');
  private readonly title = byId('trace-title');
  private readonly meta = byId('trace-meta');
  private readonly legend = byId('trace-legend');
  private readonly body = byId('trace-body');
  private seq = 0;

  constructor(private readonly client: BrokerClient) {
    byId('trace-close').addEventListener('click', () => this.close());
    this.dialog.addEventListener('close', () => {
      if (location.hash.startsWith('#trace=')) {
        history.replaceState(null, '', location.pathname + location.search);
      }
    });
    window.addEventListener('hashchange', () => this.fromHash());
  }

  /** Opens the trace the address names, if any (on load and on every hash change). */
  fromHash(): void {
    const match = /^#trace=([0-9a-f]{32})$/.exec(location.hash);
    if (match?.[1]) void this.open(match[1]);
  }

  async open(traceId: string): Promise<void> {
    if (!TRACE_ID.test(traceId)) return;
    const seq = ++this.seq;
    this.title.textContent = 'Trace';
    this.meta.replaceChildren(h('code', {}, traceId));
    this.legend.replaceChildren();
    this.body.replaceChildren(
      h('p', { class: 'trace-state' }, h('span', { class: 'spinner' }), 'Loading trace…'),
    );
    if (!this.dialog.open) this.dialog.showModal();
    const res = await this.client.send('GET', `/api/traces/${traceId}`);
    if (seq !== this.seq) return;
    const detail = res.ok ? toTraceDetail(res.body) : null;
    if (!detail) {
      const why =
        res.status === 404
          ? 'No spans or logs are stored for this trace (yet).'
          : `Could not load the trace: ${failureMessage(res)}.`;
      this.body.replaceChildren(h('p', { class: 'trace-state', 'data-kind': 'error' }, why));
      return;
    }
    this.render(detail);
  }

  close(): void {
    this.seq++;
    if (this.dialog.open) this.dialog.close();
  }

  private render(trace: TraceDetail): void {
    const root = trace.spans[0];
    const errors = trace.spans.filter((s) => s.error).length;
    this.title.textContent = root ? `${root.service} · ${root.name}` : 'Trace';
    this.meta.replaceChildren(
      h('code', { title: 'Trace id' }, trace.traceId),
      h('span', {}, formatMs(trace.totalMs)),
      h('span', {}, plural(trace.spans.length, 'span')),
      h('span', {}, plural(trace.services.length, 'service')),
      ...(errors ? [h('span', { class: 'trace-errors' }, `${errors} failed`)] : []),
    );
    this.legend.replaceChildren(
      ...trace.services.map((service) =>
        h(
          'span',
          { class: 'legend-item' },
          h('span', { class: `swatch ${serviceClass(service)}` }),
          service,
        ),
      ),
    );
    this.dialog.dataset.traceId = trace.traceId;
    this.body.replaceChildren(this.waterfall(trace), this.logs(trace));
  }

  private waterfall(trace: TraceDetail): HTMLElement {
    const total = trace.totalMs || 1;
    const axis = h(
      'div',
      { class: 'wf-axis', 'aria-hidden': 'true' },
      h('span', { class: 'wf-axis-label' }, 'Span'),
      h(
        'div',
        { class: 'wf-ticks' },
        ...TICKS.map((t) => {
          const tick = h('span', { class: 'wf-tick' }, formatMs(total * t));
          tick.style.setProperty('--at', percent(t));
          return tick;
        }),
      ),
    );
    const rows = h(
      'ol',
      { class: 'wf-rows', 'aria-label': 'Spans' },
      ...trace.spans.map((span) => this.row(span, total)),
    );
    if (trace.spans.length === 0) {
      rows.append(
        h(
          'li',
          { class: 'trace-state' },
          'No spans stored for this trace; its log lines are beside.',
        ),
      );
    }
    return h('section', { class: 'waterfall', 'aria-label': 'Waterfall' }, axis, rows);
  }

  private row(span: PlacedSpan, total: number): HTMLElement {
    const details = h('div', { class: 'wf-details', hidden: true });
    const bar = h('span', { class: `wf-bar ${serviceClass(span.service)}` });
    bar.style.setProperty('--start', percent(span.offsetMs / total));
    bar.style.setProperty('--width', percent(span.durationMs / total));
    const label = h(
      'button',
      { type: 'button', class: 'wf-label', 'aria-expanded': 'false', title: span.name },
      h('span', { class: `swatch ${serviceClass(span.service)}` }),
      span.error
        ? h('span', { class: 'wf-error-mark', title: span.statusMessage ?? 'failed' }, '!')
        : null,
      h('span', { class: 'wf-service' }, span.service),
      h('span', { class: 'wf-name' }, span.name),
      h('span', { class: 'wf-kind' }, span.kind),
    );
    label.style.setProperty('--depth', String(Math.min(span.depth, 12)));
    const row = h(
      'li',
      {
        class: `wf-row${span.error ? ' is-error' : ''}`,
        'data-span-id': span.id,
        'data-parent-id': span.parentId ?? '',
        'data-service': span.service,
        'data-depth': span.depth,
      },
      label,
      h('div', { class: 'wf-track' }, bar),
      h('span', { class: 'wf-dur' }, formatMs(span.durationMs)),
      details,
    );
    label.addEventListener('click', () => {
      const open = details.hidden;
      if (open && !details.firstChild) {
        details.append(
          h(
            'pre',
            {},
            jsonView({
              span_id: span.id,
              parent_span_id: span.parentId,
              kind: span.kind,
              start_offset_ms: Number(span.offsetMs.toFixed(3)),
              ...(span.statusMessage ? { status_message: span.statusMessage } : {}),
              ...(span.linkCount ? { links: span.linkCount } : {}),
              attributes: span.attributes,
            }),
          ),
        );
      }
      details.hidden = !open;
      label.setAttribute('aria-expanded', String(open));
    });
    return row;
  }

  private logs(trace: TraceDetail): HTMLElement {
    const items = trace.logs.map((log: TraceLog) =>
      h(
        'li',
        { class: 'trace-log', 'data-level': log.level },
        h(
          'time',
          { class: 'log-time', datetime: log.timestamp.toISOString() },
          clock(log.timestamp),
        ),
        h('span', { class: `level level-${log.level}` }, log.level),
        h('span', { class: 'trace-log-service' }, log.service),
        h('span', { class: 'trace-log-text' }, h('strong', {}, log.name), ' ', log.data),
      ),
    );
    return h(
      'aside',
      { class: 'trace-logs', 'aria-label': 'Log lines of this trace' },
      h('h3', {}, `Log lines`, h('span', { class: 'count' }, String(trace.logs.length))),
      items.length
        ? h('ul', { class: 'trace-log-list' }, ...items)
        : h('p', { class: 'muted' }, 'No log line carries this trace id.'),
    );
  }
}
