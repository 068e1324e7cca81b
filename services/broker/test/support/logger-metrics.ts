import request from 'supertest';

/** logger_entries_total{outcome} from the logger's own /metrics: entries written or found duplicate. */
export async function loggerEntries(
  loggerUrl: string,
  outcome: 'stored' | 'duplicate',
): Promise<number> {
  const text = (await request(loggerUrl).get('/metrics')).text;
  const line = new RegExp(`^logger_entries_total\\{[^}]*outcome="${outcome}"[^}]*\\} (\\d+)$`, 'm');
  return Number(line.exec(text)?.[1] ?? 0);
}
