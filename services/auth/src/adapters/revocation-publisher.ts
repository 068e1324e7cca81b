import { type AmqpConnection, type ChannelModel, type Logger } from '@micromesh/kit';
import {
  REVOCATIONS_EXCHANGE,
  REVOCATIONS_EXCHANGE_TYPE,
  type RevocationNotice,
} from '@micromesh/contracts';
import type { Counter } from 'prom-client';
import type { RevocationAnnouncer } from '../domain/ports';

type Channel = Awaited<ReturnType<ChannelModel['createChannel']>>;

/**
 * Publishes revocation notices on the `auth.revocations` fanout exchange. Not confirmed and not
 * retried: a notice is an optimisation of the brokers' catch-up (`GET /internal/revocations` at
 * every (re)connect, and what is new every second or so), which holds the same facts from the
 * database — a notice lost here reaches the brokers by that poll instead.
 */
export class RevocationPublisher implements RevocationAnnouncer {
  private channel: Channel | undefined;

  constructor(
    connection: AmqpConnection,
    private readonly logger: Logger,
    private readonly outcomes: Counter<'result'>,
  ) {
    connection.onConnect(async (model) => {
      const channel = await model.createChannel();
      await channel.assertExchange(REVOCATIONS_EXCHANGE, REVOCATIONS_EXCHANGE_TYPE, {
        durable: true,
      });
      channel.on('close', () => {
        if (this.channel === channel) this.channel = undefined;
      });
      channel.on('error', () => undefined);
      this.channel = channel;
    });
  }

  announce(notice: RevocationNotice): void {
    const channel = this.channel;
    if (!channel) {
      this.outcomes.inc({ result: 'not_connected' });
      this.logger.warn({ notice }, 'revocation not announced (RabbitMQ down); brokers catch up');
      return;
    }
    try {
      channel.publish(REVOCATIONS_EXCHANGE, '', Buffer.from(JSON.stringify(notice)), {
        contentType: 'application/json',
        // Only of use to brokers running now; one that starts later reads the database's list.
        persistent: false,
      });
      this.outcomes.inc({ result: 'published' });
    } catch (err) {
      this.outcomes.inc({ result: 'error' });
      this.logger.warn({ err, notice }, 'revocation not announced; brokers catch up');
    }
  }
}
