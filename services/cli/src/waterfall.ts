/** The trace waterfall drawn in a terminal: pure functions, no I/O. */
import { colors } from './output';
import { printable } from './printable';

export interface Span {
  span_id: string;
  parent_span_id?: string | null;
  service: string;
  name: string;
  kind?: string;
  start: string;
  duration_ms: number;
  status?: string | { code?: string | number; message?: string };
}

const PALETTE = [colors.cyan, colors.magenta, colors.yellow, colors.green, colors.blue, colors.red];

const isError = (s: Span) => {
  const code = typeof s.status === 'object' ? s.status?.code : s.status;
  return code === 'ERROR' || code === 2 || code === 'error';
};

/** Spans in tree order (each after its parent, siblings by start), with their depth. */
export function treeOrder(spans: Span[]): { span: Span; depth: number }[] {
  const ids = new Set(spans.map((s) => s.span_id));
  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const s of spans) {
    if (s.parent_span_id && ids.has(s.parent_span_id)) {
      const list = children.get(s.parent_span_id) ?? [];
      list.push(s);
      children.set(s.parent_span_id, list);
    } else roots.push(s);
  }
  const byStart = (a: Span, b: Span) => Date.parse(a.start) - Date.parse(b.start);
  const out: { span: Span; depth: number }[] = [];
  const visit = (s: Span, depth: number) => {
    out.push({ span: s, depth });
    for (const c of (children.get(s.span_id) ?? []).sort(byStart)) visit(c, depth + 1);
  };
  for (const r of roots.sort(byStart)) visit(r, 0);
  return out;
}

/** The waterfall: one line per span, a bar placed on the trace's time axis. */
export function waterfall(stored: Span[], width = 40): string[] {
  if (!stored.length) return [];
  // Names and services come from whoever exported the spans: shown, never obeyed by the terminal.
  const spans = stored.map((s) => ({
    ...s,
    name: printable(s.name),
    service: printable(s.service),
  }));
  const t0 = Math.min(...spans.map((s) => Date.parse(s.start)));
  const t1 = Math.max(...spans.map((s) => Date.parse(s.start) + s.duration_ms));
  const total = Math.max(t1 - t0, 1);
  const services = [...new Set(spans.map((s) => s.service))];
  const rows = treeOrder(spans);
  const labelWidth = Math.min(
    72,
    Math.max(
      ...rows.map(({ span, depth }) => depth * 2 + span.name.length + span.service.length + 3),
    ),
  );
  return rows.map(({ span, depth }) => {
    const paint = PALETTE[services.indexOf(span.service) % PALETTE.length] ?? ((s: string) => s);
    const from = Math.floor(((Date.parse(span.start) - t0) / total) * width);
    const len = Math.max(1, Math.round((span.duration_ms / total) * width));
    const bar =
      ' '.repeat(Math.min(from, width - 1)) +
      '█'.repeat(Math.min(len, width - Math.min(from, width - 1)));
    const label = `${'  '.repeat(depth)}${span.name} ${colors.dim(`[${span.service}]`)}`;
    const plain = `${'  '.repeat(depth)}${span.name} [${span.service}]`;
    const pad = ' '.repeat(Math.max(1, labelWidth - plain.length + 1));
    const mark = isError(span) ? colors.red(' ✗ error') : '';
    return `${label}${pad}│${paint(bar.padEnd(width))}│ ${span.duration_ms.toFixed(1).padStart(8)} ms${mark}`;
  });
}
