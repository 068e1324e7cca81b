import { failureMessage, type BrokerClient } from '../broker-client';
import { byId, h } from '../dom';
import {
  DEFAULT_FILTERS,
  matches,
  rangeMs,
  toQuery,
  type LogFilters,
  type RangeId,
} from '../log-filters';
import { toLogPage, type Level, type LogEntry } from '../log-model';
import { VolumeChart } from '../volume-chart';
import { LiveTail, type TailState } from './live-tail';
import { logRow } from './log-rows';

const PAGE_SIZE = 25;
const CHART_PAGE = 500;
const CHART_MAX_PAGES = 3;
const KNOWN_SERVICES = ['auth', 'broker', 'listener', 'logger', 'mail', 'frontend'];

/** The logs explorer: filters, a volume chart, a cursor-paged list and a live tail. */
export class LogsPanel {
  private readonly form = byId<HTMLFormElement>('log-filters');
  private readonly service = byId<HTMLSelectElement>('f-service');
  private readonly level = byId<HTMLSelectElement>('f-level');
  private readonly text = byId<HTMLInputElement>('f-text');
  private readonly trace = byId<HTMLInputElement>('f-trace');
  private readonly range = byId<HTMLSelectElement>('f-range');
  private readonly list = byId('log-list');
  private readonly state = byId('log-state');
  private readonly pageInfo = byId('page-info');
  private readonly newer = byId<HTMLButtonElement>('page-newer');
  private readonly older = byId<HTMLButtonElement>('page-older');
  private readonly tailToggle = byId<HTMLButtonElement>('tail-toggle');
  private readonly tailState = byId('tail-state');
  private readonly chart = new VolumeChart(byId('log-chart'));
  private readonly tail: LiveTail;

  private filters: LogFilters = { ...DEFAULT_FILTERS };
  /** Cursors of the pages before the current one; the first page has none. */
  private cursors: (string | undefined)[] = [];
  private current: string | undefined;
  private next: string | undefined;
  private loadSeq = 0;
  private shown = new Set<string>();

  constructor(
    private readonly client: BrokerClient,
    private readonly signedIn: () => boolean,
  ) {
    for (const name of KNOWN_SERVICES) this.addServiceOption(name);
    this.tail = new LiveTail(
      client,
      '/api/logs/stream',
      (e) => this.onLive(e),
      (s, d) => this.onTailState(s, d),
    );
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.apply();
    });
    for (const select of [this.service, this.level, this.range]) {
      select.addEventListener('change', () => this.apply());
    }
    let typing: number | undefined;
    for (const input of [this.text, this.trace]) {
      input.addEventListener('input', () => {
        window.clearTimeout(typing);
        typing = window.setTimeout(() => this.apply(), 450);
      });
    }
    byId('f-reset').addEventListener('click', () => {
      this.form.reset();
      this.apply();
    });
    byId('logs-refresh').addEventListener('click', () => void this.load());
    this.newer.addEventListener('click', () => {
      this.current = this.cursors.pop();
      void this.load();
    });
    this.older.addEventListener('click', () => {
      if (!this.next) return;
      this.cursors.push(this.current);
      this.current = this.next;
      void this.load();
    });
    this.tailToggle.addEventListener('click', () => {
      if (this.tail.running) this.tail.stop();
      else this.tail.start();
    });
  }

  /** Called when the session changes: load with the new token, or show the signed-out state. */
  reset(): void {
    this.tail.stop();
    this.cursors = [];
    this.current = undefined;
    void this.load();
  }

  private addServiceOption(name: string): void {
    if ([...this.service.options].some((o) => o.value === name)) return;
    this.service.append(h('option', { value: name }, name));
  }

  private apply(): void {
    this.filters = {
      service: this.service.value,
      level: this.level.value as Level | '',
      text: this.text.value,
      traceId: this.trace.value,
      range: this.range.value as RangeId,
    };
    this.cursors = [];
    this.current = undefined;
    // The logger only takes whole W3C trace ids; say so here instead of showing its 400.
    const trace = this.filters.traceId.trim();
    const traceOk = !trace || /^[0-9a-fA-F]{32}$/.test(trace);
    this.trace.setAttribute('aria-invalid', String(!traceOk));
    if (!traceOk) {
      this.loadSeq++;
      this.list.replaceChildren();
      this.setPaging(0);
      this.setState('error', 'A trace id is 32 hexadecimal digits.');
      return;
    }
    void this.load();
  }

  private setState(kind: 'loading' | 'empty' | 'error' | 'signed-out' | 'none', text = ''): void {
    this.state.dataset.kind = kind;
    this.state.hidden = kind === 'none';
    this.state.replaceChildren(
      ...(kind === 'loading' ? [h('span', { class: 'spinner' })] : []),
      text,
    );
  }

  async load(): Promise<void> {
    const seq = ++this.loadSeq;
    if (!this.signedIn()) {
      this.list.replaceChildren();
      this.chart.set([], this.window(), { emptyText: 'Sign in to see the log volume' });
      this.setPaging(0);
      this.tailToggle.disabled = true;
      this.setState('signed-out', 'Sign in to explore the mesh’s logs.');
      return;
    }
    this.tailToggle.disabled = false;
    this.setState('loading', 'Loading logs…');
    const now = new Date();
    const [page] = await Promise.all([
      this.client.send('GET', '/api/logs', {
        query: toQuery(this.filters, now, PAGE_SIZE, this.current),
      }),
      this.loadChart(now, seq),
    ]);
    if (seq !== this.loadSeq) return;
    if (!page.ok) {
      this.list.replaceChildren();
      this.setPaging(0);
      this.setState('error', `Could not load logs: ${failureMessage(page)}.`);
      return;
    }
    const { entries, nextCursor } = toLogPage(page.body);
    this.next = nextCursor;
    this.shown = new Set(entries.map((e) => e.id));
    for (const entry of entries) this.addServiceOption(entry.service);
    this.list.replaceChildren(...entries.map((e) => logRow(e)));
    // What the list shows, for people reading the DOM and for tests waiting on a filter or page.
    this.list.dataset.text = this.filters.text.trim();
    this.list.dataset.page = String(this.cursors.length + 1);
    this.setPaging(entries.length);
    if (entries.length) this.setState('none');
    else this.setState('empty', 'No log entries match these filters.');
  }

  private window() {
    const to = new Date();
    return { from: new Date(to.getTime() - rangeMs(this.filters.range)), to };
  }

  private async loadChart(now: Date, seq: number): Promise<void> {
    const entries: LogEntry[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < CHART_MAX_PAGES; i++) {
      const res = await this.client.send('GET', '/api/logs', {
        query: toQuery(this.filters, now, CHART_PAGE, cursor),
      });
      if (!res.ok) break;
      const page = toLogPage(res.body);
      entries.push(...page.entries);
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    if (seq !== this.loadSeq) return;
    this.chart.set(
      entries,
      { from: new Date(now.getTime() - rangeMs(this.filters.range)), to: now },
      {
        note: cursor
          ? `Counts the newest ${entries.length.toLocaleString()} entries; older ones are left out`
          : undefined,
      },
    );
  }

  private setPaging(count: number): void {
    if (count === 0) this.next = undefined;
    const page = this.cursors.length + 1;
    this.newer.disabled = this.cursors.length === 0 && this.current === undefined;
    this.older.disabled = !this.next;
    this.pageInfo.textContent = count ? `Page ${page} · ${count} entries` : '';
  }

  private onLive(entry: LogEntry): void {
    if (!matches(this.filters, entry) || this.shown.has(entry.id)) return;
    this.chart.add(entry);
    // Only the first page shows the newest entries; deeper pages stay put while you read them.
    if (this.current !== undefined) return;
    this.shown.add(entry.id);
    this.addServiceOption(entry.service);
    this.list.prepend(logRow(entry, true));
    while (this.list.children.length > 200) this.list.lastElementChild?.remove();
    this.setState('none');
  }

  private onTailState(state: TailState, detail?: string): void {
    this.tailToggle.setAttribute('aria-pressed', String(state !== 'off'));
    this.tailToggle.dataset.state = state;
    const label: Record<TailState, string> = {
      off: detail ? `Live tail off · ${detail}` : '',
      connecting: 'Connecting…',
      live: 'Live',
      retrying: `Reconnecting (${detail ?? 'lost'})…`,
    };
    this.tailState.textContent = label[state];
  }
}
