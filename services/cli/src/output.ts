import Table from 'cli-table3';
import pc from 'picocolors';
import { printable } from './printable';

/**
 * Colour only on a terminal and never with NO_COLOR (https://no-color.org) or --no-color;
 * FORCE_COLOR=1 forces it (for demos).
 */
export function colorEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.argv.includes('--no-color')) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && process.env.TERM !== 'dumb';
}

export const colors = pc.createColors(colorEnabled());
export const errColors = pc.createColors(colorEnabled(process.stderr));

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * A table cell: text from the mesh (made printable), or such text in one of our colours (the
 * colour is applied after the text is made printable, so only our own escapes reach the terminal).
 */
export type Cell = string | number | { text: string; paint: (s: string) => string };

function cellText(cell: Cell): string {
  if (typeof cell === 'object') return cell.paint(printable(cell.text));
  return printable(String(cell));
}

/** A plain table: no borders, a header row, columns padded (cli-table3 does the widths). */
export function printTable(head: string[], rows: Cell[][]): void {
  process.stdout.write(`${renderTable(head, rows)}\n`);
}

/** The table printTable prints: every cell made printable. */
export function renderTable(head: string[], rows: Cell[][]): string {
  const table = new Table({
    head: head.map((h) => colors.bold(h)),
    style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 2 },
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '',
    },
  });
  for (const row of rows) table.push(row.map(cellText));
  return table.toString();
}

const LEVEL_COLORS: Record<string, (s: string) => string> = {
  DEBUG: colors.gray,
  INFO: colors.blue,
  WARNING: colors.yellow,
  ERROR: colors.red,
  FATAL: (s) => colors.bold(colors.red(s)),
};

/** A level name from the mesh, coloured by level and padded (made printable: it is the mesh's). */
export function level(levelName: string): string {
  return (LEVEL_COLORS[levelName] ?? ((s: string) => s))(printable(levelName).padEnd(7));
}

/** A spinner on stderr for waits over half a second, on a terminal only. */
export async function withSpinner<T>(label: string, work: Promise<T>): Promise<T> {
  if (!process.stderr.isTTY || !colorEnabled(process.stderr)) return work;
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let i = 0;
  let shown = false;
  let spinning: NodeJS.Timeout | undefined;
  // The first frame appears only after 500 ms: quick answers never flicker.
  const delay = setTimeout(() => {
    spinning = setInterval(() => {
      shown = true;
      process.stderr.write(`\r${errColors.cyan(frames[i++ % frames.length] ?? '')} ${label}`);
    }, 80);
  }, 500);
  try {
    return await work;
  } finally {
    clearTimeout(delay);
    clearInterval(spinning);
    if (shown) process.stderr.write('\r\x1b[2K');
  }
}
