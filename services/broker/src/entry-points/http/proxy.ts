import http from 'node:http';
import https from 'node:https';
import { AppError, propagationHeaders } from '@micromesh/kit';
import type { Request, RequestHandler, Response } from 'express';
import type { DownstreamCalls } from '../../domain/ports';
import { matchedRouteOf } from './access-guard';
import { streamEndSignal } from './stream-guard';

export interface ProxyTarget {
  downstream: DownstreamCalls;
  baseUrl: string;
  /**
   * Maps the public path to the downstream path. It gets the canonical path of the access-table
   * row the request was admitted under (`/api/logs/stream`, never `/api/logs/stream/`), so the
   * downstream serves exactly what the broker checked.
   */
  rewrite: (path: string) => string;
  /** Time allowed until the downstream's response headers arrive; the body then streams freely. */
  headersTimeoutMs: number;
  /** Methods passed on; others are 405 (e.g. only reads of the logs API are public). */
  methods?: readonly string[];
  /** For an https:// baseUrl: the agent presenting the broker's certificate (mutual TLS). */
  httpsAgent?: https.Agent;
}

// Connection-scoped headers are never forwarded (RFC 9110 §7.6.1).
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
]);

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/**
 * Forwards a request to a downstream service and streams the response back as it arrives, so a
 * server-sent-events live tail passes through without buffering. The breaker and the headers
 * deadline apply until the response starts; GETs are retried once on a refused connection.
 */
export function proxyTo(target: ProxyTarget): RequestHandler {
  return async (req, res) => {
    if (target.methods && !target.methods.includes(req.method)) {
      res.setHeader('allow', target.methods.join(', '));
      throw new AppError(405, `${req.method} is not allowed here`);
    }
    const matched = matchedRouteOf(res);
    // Every proxied route is in the access table: without its row, nothing is forwarded.
    if (!matched) throw new Error('a proxied route must be guarded by the access table');
    const query = req.url.indexOf('?');
    const path = target.rewrite(matched.path) + (query >= 0 ? req.url.slice(query) : '');
    const upstream = await target.downstream.call((signal) => open(target, req, path, signal), {
      timeoutMs: target.headersTimeoutMs,
      retryWhen: req.method === 'GET' ? isRefused : undefined,
    });
    relay(upstream, res);
  };
}

function open(
  target: ProxyTarget,
  req: Request,
  path: string,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  const url = new URL(path, target.baseUrl);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && name !== 'content-length') {
      headers[name] = value;
    }
  }
  Object.assign(headers, propagationHeaders());
  // Downstreams trust X-Forwarded-For from the broker: it must name the client as the broker saw
  // it, never what the client claimed.
  headers['x-forwarded-for'] = req.ip ?? '';
  delete headers['forwarded'];
  // The kit's JSON reader has consumed the stream; send the parsed body again.
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && req.body !== undefined;
  const body = hasBody ? Buffer.from(JSON.stringify(req.body)) : undefined;
  if (body) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(body.length);
  }
  return new Promise((resolve, reject) => {
    // The deadline covers the wait for headers only: passing the signal to http.request would
    // also cut a streaming body (a live tail) when it fires.
    const onDeadline = () =>
      outgoing.destroy(new Error('deadline exceeded before response headers'));
    signal.addEventListener('abort', onDeadline, { once: true });
    const request = url.protocol === 'https:' ? https.request : http.request;
    const via = url.protocol === 'https:' ? target.httpsAgent : agent;
    const outgoing = request(url, { method: req.method, headers, agent: via }, (incoming) => {
      signal.removeEventListener('abort', onDeadline);
      if (isOutage(incoming)) {
        incoming.resume();
        reject(new Error(`${req.method} ${url.pathname} answered ${incoming.statusCode}`));
        return;
      }
      resolve(incoming);
    });
    outgoing.on('error', (err) => {
      signal.removeEventListener('abort', onDeadline);
      reject(err);
    });
    outgoing.end(body);
  });
}

function relay(upstream: http.IncomingMessage, res: Response): void {
  res.status(upstream.statusCode ?? 502);
  for (const [name, value] of Object.entries(upstream.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) res.setHeader(name, value);
  }
  // A live tail can last for hours: the client leaving must close the upstream stream too.
  res.on('close', () => upstream.destroy());
  res.flushHeaders();
  upstream.pipe(res);
  const end = streamEndSignal(res);
  if (end) endWith(end, upstream, res);
}

/**
 * Ends a stream when the broker says so (credential expired or revoked): stops relaying, tells an
 * event-stream client why in a last `end` event, and closes the response cleanly.
 */
function endWith(signal: AbortSignal, upstream: http.IncomingMessage, res: Response): void {
  const finish = () => {
    upstream.unpipe(res);
    upstream.destroy();
    if (res.writableEnded) return;
    const type = String(res.getHeader('content-type') ?? '');
    if (type.startsWith('text/event-stream')) {
      res.write(`event: end\ndata: ${JSON.stringify({ reason: String(signal.reason) })}\n\n`);
    }
    res.end();
  };
  if (signal.aborted) {
    finish();
    return;
  }
  signal.addEventListener('abort', finish, { once: true });
  res.once('close', () => signal.removeEventListener('abort', finish));
}

/**
 * A 5xx is an outage (the breaker counts it; the client gets the broker's 503), except a 503 with
 * Retry-After: the service's deliberate "busy, come back" (a full live tail), relayed as is.
 */
function isOutage(incoming: http.IncomingMessage): boolean {
  const status = incoming.statusCode ?? 502;
  if (status === 503 && incoming.headers['retry-after'] !== undefined) return false;
  return status >= 500;
}

function isRefused(err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET';
}

/** Rewrites a public path under `from` (e.g. `/api/logs/abc`) to the same path under `to` (`/logs/abc`). */
export function swapPrefix(from: string, to: string): (path: string) => string {
  return (path) => {
    if (path !== from && !path.startsWith(`${from}/`)) {
      throw new Error(`${path} is not under ${from}`);
    }
    return to + path.slice(from.length);
  };
}
