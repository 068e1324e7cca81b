import http from 'node:http';

export interface SseEvent {
  event: string;
  id?: string;
  data: unknown;
}

export interface SseStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  events: SseEvent[];
  /** The raw body so far (for comments such as `: ping`). */
  raw(): string;
  /** True once the server ended the response. */
  ended(): boolean;
  close(): void;
}

/** Opens an SSE stream with plain node:http and parses events as they arrive. */
export function openSse(url: string): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream' } }, (res) => {
      const events: SseEvent[] = [];
      let raw = '';
      let buffer = '';
      let ended = false;
      res.on('end', () => {
        ended = true;
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        raw += chunk;
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
          }
          if (fields.data !== undefined) {
            events.push({
              event: fields.event ?? 'message',
              ...(fields.id ? { id: fields.id } : {}),
              data: JSON.parse(fields.data) as unknown,
            });
          }
        }
      });
      res.on('error', () => {});
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        raw: () => raw,
        ended: () => ended,
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}
