import { clear, h, s } from './dom';
import { LEVELS, type Level } from '@micromesh/contracts/level-names';
import type { LogEntry } from './log-model';

const HEIGHT = 168;
const MARGIN = { top: 10, right: 8, bottom: 24, left: 34 };

export interface VolumeWindow {
  from: Date;
  to: Date;
}

function niceCeiling(value: number): number {
  if (value <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((m) => m * magnitude >= value) ?? 10;
  return step * magnitude;
}

function timeLabel(date: Date, spanMs: number): string {
  if (spanMs > 36 * 3_600_000) {
    return date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  }
  return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** Stacked bars of log volume per level over time, drawn as SVG at the container's width. */
export class VolumeChart {
  private entries: LogEntry[] = [];
  private window: VolumeWindow = { from: new Date(Date.now() - 3_600_000), to: new Date() };
  private readonly plot: HTMLElement;
  private readonly legend: HTMLElement;

  constructor(root: HTMLElement) {
    this.plot = h('div', { class: 'chart-plot' });
    this.legend = h('ul', { class: 'chart-legend', 'aria-label': 'Entries per level' });
    root.replaceChildren(this.plot, this.legend);
    new ResizeObserver(() => this.render()).observe(this.plot);
  }

  private emptyText = 'No log entries in this time range';
  private note: string | undefined;

  /** `note` says what the bars leave out (e.g. only the newest entries were counted). */
  set(
    entries: LogEntry[],
    window: VolumeWindow,
    options: { emptyText?: string; note?: string } = {},
  ): void {
    this.entries = entries;
    this.window = window;
    this.emptyText = options.emptyText ?? 'No log entries in this time range';
    this.note = options.note;
    this.render();
  }

  /** A live entry: counted, and the window slides forward to include it. */
  add(entry: LogEntry): void {
    this.entries.push(entry);
    const span = this.window.to.getTime() - this.window.from.getTime();
    if (entry.timestamp > this.window.to) {
      this.window = { from: new Date(entry.timestamp.getTime() - span), to: entry.timestamp };
    }
    this.render();
  }

  private render(): void {
    const width = Math.max(this.plot.clientWidth, 240);
    const buckets = width < 520 ? 12 : 30;
    const from = this.window.from.getTime();
    const span = Math.max(this.window.to.getTime() - from, 60_000);
    const bucketMs = span / buckets;
    const counts = Array.from({ length: buckets }, () =>
      Object.fromEntries(LEVELS.map((l) => [l, 0])),
    ) as Record<Level, number>[];
    const totals = Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>;
    for (const entry of this.entries) {
      const index = Math.floor((entry.timestamp.getTime() - from) / bucketMs);
      const bucket = counts[Math.min(Math.max(index, 0), buckets - 1)];
      if (!bucket || index < 0 || index > buckets) continue;
      bucket[entry.level] += 1;
      totals[entry.level] += 1;
    }
    const peak = niceCeiling(
      Math.max(0, ...counts.map((c) => LEVELS.reduce((sum, l) => sum + c[l], 0))),
    );

    const innerW = width - MARGIN.left - MARGIN.right;
    const innerH = HEIGHT - MARGIN.top - MARGIN.bottom;
    const slot = innerW / buckets;
    const barW = Math.max(slot - Math.min(6, slot * 0.3), 2);
    const y = (v: number) => MARGIN.top + innerH - (v / peak) * innerH;

    const svg = s('svg', {
      class: 'chart',
      width,
      height: HEIGHT,
      viewBox: `0 0 ${width} ${HEIGHT}`,
      role: 'img',
      'aria-label': 'Log volume per level over time',
    });
    for (const tick of [0, peak / 2, peak]) {
      svg.append(
        s('line', {
          class: tick === 0 ? 'axis' : 'grid',
          x1: MARGIN.left,
          x2: width - MARGIN.right,
          y1: y(tick),
          y2: y(tick),
        }),
        s(
          'text',
          { class: 'tick', x: MARGIN.left - 6, y: y(tick) + 4, 'text-anchor': 'end' },
          tick,
        ),
      );
    }
    counts.forEach((bucket, i) => {
      const start = new Date(from + i * bucketMs);
      const total = LEVELS.reduce((sum, l) => sum + bucket[l], 0);
      const group = s(
        'g',
        { class: 'bar' },
        s('title', {}, `${timeLabel(start, span)} · ${total} ${total === 1 ? 'entry' : 'entries'}`),
      );
      let base = 0;
      for (const level of LEVELS) {
        const n = bucket[level];
        if (!n) continue;
        group.append(
          s('rect', {
            class: `lv-${level}`,
            x: MARGIN.left + i * slot + (slot - barW) / 2,
            y: y(base + n),
            width: barW,
            height: Math.max(y(base) - y(base + n) - 1, 1),
            rx: Math.min(2, barW / 4),
          }),
        );
        base += n;
      }
      svg.append(group);
    });
    const labels = width < 520 ? 3 : 5;
    for (let k = 0; k < labels; k++) {
      const t = from + (span * k) / (labels - 1);
      const anchor = k === 0 ? 'start' : k === labels - 1 ? 'end' : 'middle';
      svg.append(
        s(
          'text',
          {
            class: 'tick',
            x: MARGIN.left + (innerW * k) / (labels - 1),
            y: HEIGHT - 6,
            'text-anchor': anchor,
          },
          timeLabel(new Date(t), span),
        ),
      );
    }
    clear(this.plot);
    this.plot.append(svg);
    if (!this.entries.length) {
      this.plot.append(h('p', { class: 'chart-empty' }, this.emptyText));
    }
    this.legend.replaceChildren(
      ...LEVELS.map((level) =>
        h(
          'li',
          {},
          h('span', { class: `swatch lv-${level}`, 'aria-hidden': 'true' }),
          level.charAt(0) + level.slice(1).toLowerCase(),
          h('strong', {}, totals[level]),
        ),
      ),
      ...(this.note ? [h('li', { class: 'chart-note' }, this.note)] : []),
    );
  }
}
