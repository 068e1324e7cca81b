import { h } from '../dom';
import { jsonView } from '../json-view';
import type { LogEntry } from '../log-model';

function time(date: Date): string {
  const today = new Date().toDateString() === date.toDateString();
  const clock = date.toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  return today
    ? clock
    : `${date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${clock}`;
}

/** One log line; clicking it reveals the stored entry as JSON. */
export function logRow(entry: LogEntry, fresh = false): HTMLElement {
  const details = h('div', { class: 'log-details', hidden: true });
  const row = h(
    'li',
    { class: `log-row${fresh ? ' is-fresh' : ''}`, 'data-id': entry.id, 'data-level': entry.level },
    h(
      'button',
      { type: 'button', class: 'log-summary', 'aria-expanded': 'false' },
      h(
        'time',
        { class: 'log-time', datetime: entry.timestamp.toISOString() },
        time(entry.timestamp),
      ),
      h('span', { class: `level level-${entry.level}` }, entry.level),
      h('span', { class: 'log-service' }, entry.service),
      h('span', { class: 'log-name' }, entry.name || '—'),
      h('span', { class: 'log-data' }, entry.data),
      h(
        'span',
        {
          class: `log-trace${entry.traceId ? ' has-trace' : ''}`,
          title: entry.traceId ? `Open trace ${entry.traceId}` : '',
        },
        entry.traceId ? entry.traceId.slice(0, 8) : '—',
      ),
    ),
    details,
  );
  const summary = row.firstElementChild as HTMLButtonElement;
  summary.addEventListener('click', (event) => {
    // The trace cell opens the trace's waterfall; the rest of the row shows the entry.
    if (entry.traceId && (event.target as Element).closest('.log-trace')) {
      location.hash = `trace=${entry.traceId}`;
      return;
    }
    const open = details.hidden;
    if (open && !details.firstChild) {
      details.append(
        ...(entry.traceId
          ? [
              h(
                'a',
                { class: 'btn btn-quiet trace-open', href: `#trace=${entry.traceId}` },
                'Open trace waterfall →',
              ),
            ]
          : []),
        h('pre', {}, jsonView(entry.raw)),
      );
    }
    details.hidden = !open;
    summary.setAttribute('aria-expanded', String(open));
  });
  return row;
}
