/**
 * The Moleculer peer's gateway node: moleculer-web with its built-in rate limit, a token check
 * (jose, claims cached until expiry) and Moleculer's built-in validation in front of
 * `POST /handle` for the `log` action (a call to the logger node over the TCP transporter) and the
 * `event` action (a confirmed, persistent publish to RabbitMQ). Both answer 202.
 * Env: PEER_HTTP_PORT, PEER_JWT_KEY_FILE, PEER_JWT_ISSUER, PEER_JWT_AUDIENCE, PEER_AMQP_URL,
 * PEER_RATE_LIMIT_POINTS, PEER_RATE_LIMIT_WINDOW_S, PEER_GATEWAY_TCP_PORT, PEER_LOGGER_TCP_PORT.
 */
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { type Context, Errors, ServiceBroker } from 'moleculer';
import ApiGateway from 'moleculer-web';
import { handleParams, normalLevel } from './body-rules';
import { PeerEventPublisher } from './event-publisher';
import { TokenCheck } from './token-check';
import { GATEWAY_NODE, peerBrokerOptions } from './transporter';

interface Entry {
  name: string;
  data: string;
  level?: string;
  metadata?: Record<string, unknown>;
}
interface HandleParams {
  action: 'log' | 'event';
  log?: Entry;
  event?: Entry;
}
interface HttpMeta {
  $statusCode?: number;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const tokens = new TokenCheck(
    required('PEER_JWT_KEY_FILE'),
    process.env.PEER_JWT_ISSUER ?? 'micromesh-auth',
    process.env.PEER_JWT_AUDIENCE ?? 'micromesh',
  );
  const events = await PeerEventPublisher.connect(required('PEER_AMQP_URL'));
  const broker = new ServiceBroker(peerBrokerOptions(GATEWAY_NODE));
  let loggerSeen = false;

  broker.createService({
    name: 'peer',
    actions: {
      handle: {
        params: handleParams,
        async handler(ctx: Context<HandleParams, HttpMeta>) {
          const { action } = ctx.params;
          const entry = ctx.params[action];
          if (!entry) {
            throw new Errors.MoleculerClientError(`${action} payload required`, 400, 'BAD_REQUEST');
          }
          const event_id = randomUUID();
          const level = normalLevel(entry.level);
          if (action === 'log') {
            await ctx.call('logger.write', { ...entry, level, event_id });
          } else {
            await events.publish(`log.${level}`, event_id, {
              event_id,
              name: entry.name,
              data: entry.data,
              level,
              service: 'peer',
              timestamp: new Date().toISOString(),
            });
          }
          ctx.meta.$statusCode = 202;
          return {
            error: false,
            message: action === 'log' ? 'logged' : 'published',
            data: { event_id },
          };
        },
      },
    },
  });

  broker.createService({
    name: 'api',
    mixins: [ApiGateway],
    settings: {
      port: Number(process.env.PEER_HTTP_PORT ?? 0),
      ip: '127.0.0.1',
      // The same budget semantics as the broker's limiter: points per fixed window, per client
      // (here the client's address: moleculer-web limits before it authenticates).
      rateLimit: {
        window: Number(process.env.PEER_RATE_LIMIT_WINDOW_S ?? 60) * 1000,
        limit: Number(process.env.PEER_RATE_LIMIT_POINTS ?? 6_000),
        headers: true,
      },
      log4XXResponses: false,
      logRequest: null,
      logResponse: null,
      routes: [
        {
          // Its own path: two routes on '/' shadow each other's aliases in moleculer-web.
          path: '/readyz',
          aliases: {
            'GET /'(_req: IncomingMessage, res: { statusCode: number; end(body: string): void }) {
              res.statusCode = loggerSeen ? 200 : 503;
              res.end(
                `{"error":${!loggerSeen},"message":"${loggerSeen ? 'ready' : 'no logger node'}"}`,
              );
            },
          },
          mappingPolicy: 'restrict',
        },
        {
          path: '/',
          authentication: true,
          aliases: { 'POST /handle': 'peer.handle' },
          mappingPolicy: 'restrict',
          bodyParsers: { json: { limit: '1mb' }, urlencoded: false },
        },
      ],
      // The envelope our mesh answers with; validation errors are 400 as at our broker.
      onError(
        _req: IncomingMessage,
        res: { statusCode: number; setHeader(n: string, v: string): void; end(b: string): void },
        err: Errors.MoleculerError,
      ) {
        const status =
          err.code === 422 || err.type === 'VALIDATION_ERROR'
            ? 400
            : err.code >= 400 && err.code < 600
              ? err.code
              : 500;
        res.statusCode = status;
        res.setHeader('content-type', 'application/json');
        const details =
          err.type === 'VALIDATION_ERROR' && Array.isArray(err.data)
            ? (err.data as { field?: string; message?: string }[]).map((d) => ({
                path: d.field,
                message: d.message,
              }))
            : undefined;
        res.end(
          JSON.stringify({
            error: true,
            message: status === 500 ? 'internal error' : err.message,
            ...(details ? { details } : {}),
          }),
        );
      },
    },
    methods: {
      async authenticate(_ctx: Context, _route: unknown, req: IncomingMessage) {
        const header = req.headers.authorization;
        const user = header?.startsWith('Bearer ')
          ? await tokens.verify(header.slice(7))
          : undefined;
        if (!user) {
          throw new ApiGateway.Errors.UnAuthorizedError(ApiGateway.Errors.ERR_INVALID_TOKEN, null);
        }
        return user;
      },
    },
  });

  await broker.start();
  await broker.waitForServices(['logger'], 20_000);
  loggerSeen = true;
  console.log('peer gateway ready');
  process.once('SIGTERM', () => {
    void broker
      .stop()
      .then(() => events.close())
      .then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
