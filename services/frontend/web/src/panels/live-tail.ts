import type { BrokerClient } from '../broker-client';
import { readEventStream } from '../event-stream';
import { toLogEntry, type LogEntry } from '../log-model';

export type TailState = 'off' | 'connecting' | 'live' | 'retrying';

/**
 * Follows the broker's /api/logs stream with fetch() so the Authorization header goes along
 * (EventSource cannot send one). Reconnects with a growing pause while it is switched on.
 */
export class LiveTail {
  private controller: AbortController | undefined;

  constructor(
    private readonly client: BrokerClient,
    private readonly path: string,
    private readonly onEntry: (entry: LogEntry) => void,
    private readonly onState: (state: TailState, detail?: string) => void,
  ) {}

  get running(): boolean {
    return this.controller !== undefined;
  }

  start(): void {
    if (this.controller) return;
    const controller = new AbortController();
    this.controller = controller;
    void this.loop(controller.signal);
  }

  stop(): void {
    this.controller?.abort();
    this.controller = undefined;
    this.onState('off');
  }

  private async loop(signal: AbortSignal): Promise<void> {
    let pauseMs = 1_000;
    while (!signal.aborted) {
      this.onState('connecting');
      let detail = 'connection lost';
      try {
        // No Last-Event-ID: the broker's CORS allowlist does not include it, and the logger's
        // tail does not replay; a reconnect simply resumes with new entries.
        const headers = this.client.headers({ Accept: 'text/event-stream' });
        const res = await fetch(this.client.url(this.path), { headers, signal, cache: 'no-store' });
        if (res.status === 401 || res.status === 403) {
          this.controller = undefined;
          this.onState('off', 'not allowed: sign in again');
          return;
        }
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        this.onState('live');
        pauseMs = 1_000;
        await readEventStream(res.body, (event) => {
          if (event.event !== 'message' && event.event !== 'log') return;
          try {
            const entry = toLogEntry(JSON.parse(event.data));
            if (entry) this.onEntry(entry);
          } catch {
            // A malformed event is skipped; the next one may be fine.
          }
        });
      } catch (err) {
        if (signal.aborted) return;
        detail = (err as Error).message;
      }
      this.onState('retrying', detail);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      pauseMs = Math.min(pauseMs * 2, 15_000);
    }
  }
}
