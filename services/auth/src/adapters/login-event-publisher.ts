import { createEvent, type LogEvent } from '@micromesh/contracts';
import { isPublishError, type Logger } from '@micromesh/kit';
import type { Counter } from 'prom-client';
import type { LoggedInUser, LoginEvents } from '../domain/ports';

/** The part of the kit's EventPublisher this adapter needs. */
export interface EventSink {
  /** Resolves once RabbitMQ confirms; rejects with a PublishError (`reason`) otherwise. */
  publish(event: LogEvent): Promise<unknown>;
}

export interface LoginEventPublisherOptions {
  sink: EventSink;
  logger: Logger;
  /** Counts outcomes by `result`: published, or the failure reason. */
  outcomes: Counter<'result'>;
  /** Most unconfirmed events kept at once; beyond that an event is dropped and counted. */
  maxInFlight?: number;
}

/**
 * Publishes the `authentication` event in the background: the login never waits for RabbitMQ,
 * and a failure is logged and counted, never thrown. `drain()` lets shutdown wait for the rest.
 */
export class LoginEventPublisher implements LoginEvents {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxInFlight: number;

  constructor(private readonly options: LoginEventPublisherOptions) {
    this.maxInFlight = options.maxInFlight ?? 100;
  }

  userLoggedIn(user: LoggedInUser): void {
    const { logger, outcomes } = this.options;
    if (this.inFlight.size >= this.maxInFlight) {
      outcomes.inc({ result: 'dropped' });
      logger.warn({ userId: user.id }, 'authentication event dropped: too many unconfirmed');
      return;
    }
    const event = createEvent({
      name: 'authentication',
      data: `user ${user.id} logged in`,
      level: 'INFO',
      service: 'auth',
      // No email and no IP: personal data has no place in a store every logs:read holder reads.
      metadata: { user_id: user.id, role: user.role },
    });
    const pending = this.send(event);
    this.inFlight.add(pending);
    void pending.finally(() => this.inFlight.delete(pending));
  }

  /** Waits (bounded by the publisher's own timeout) for events already handed over. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async send(event: LogEvent): Promise<void> {
    const { sink, logger, outcomes } = this.options;
    try {
      await sink.publish(event);
      outcomes.inc({ result: 'published' });
    } catch (err) {
      const reason = isPublishError(err) ? err.reason : 'error';
      outcomes.inc({ result: reason });
      const message = err instanceof Error ? err.message : String(err);
      const fields = { eventId: event.event_id, reason, err: message };
      // Nothing is bound to logs_topic yet (no listener running): expected, not an error.
      if (reason === 'unroutable') logger.warn(fields, 'authentication event was not routed');
      else logger.error(fields, 'authentication event not published');
    }
  }
}
