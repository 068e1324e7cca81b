import type { IncomingMessage } from 'node:http';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { meshTracer } from './spans';
import { tracingStats } from './tracing-stats';

/** Paths whose handling is never traced: probes, scrapes, and the span receiver itself. */
export const UNTRACED_PATHS = ['/livez', '/readyz', '/metrics', '/v1/traces'] as const;

export function isUntracedPath(url: string | undefined): boolean {
  if (!url) return false;
  const pathname = url.split('?', 1)[0] ?? '';
  return UNTRACED_PATHS.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

export interface ServerSpan {
  span: Span;
  /** The context the request's handling runs in: the caller's trace, with this span active. */
  context: Context;
}

/**
 * The SERVER span of an incoming HTTP request, started by the kit's request middleware rather
 * than by the OpenTelemetry HTTP instrumentation: that one binds every listener of every request
 * and response to the span's context and reads a dozen attributes from each request, sampled or
 * not: 6–7 % of the gateway's CPU per request (README, Performance). Here a request
 * costs one extraction of the caller's `traceparent`, one span, and — only when the sampler keeps
 * it — a few attributes. Undefined when tracing is off or the path is never traced.
 */
export function startServerSpan(req: IncomingMessage): ServerSpan | undefined {
  if (!tracingStats().active || isUntracedPath(req.url)) return undefined;
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const method = req.method ?? 'GET';
  const span = meshTracer().startSpan(method, { kind: SpanKind.SERVER }, parent);
  if (span.isRecording()) {
    span.setAttributes({
      'http.request.method': method,
      'url.path': (req.url ?? '/').split('?', 1)[0] ?? '/',
      'network.protocol.version': req.httpVersion,
      ...(req.socket.remoteAddress ? { 'network.peer.address': req.socket.remoteAddress } : {}),
      ...(req.headers['user-agent'] ? { 'user_agent.original': req.headers['user-agent'] } : {}),
    });
  }
  return { span, context: trace.setSpan(parent, span) };
}

/**
 * Ends the span as the response closes: named by the route template Express matched ("POST
 * /handle", never the raw path), with the status; a 5xx or a response cut short is an error.
 */
export function endServerSpan(
  server: ServerSpan,
  outcome: { method: string; route: string | undefined; status: number; finished: boolean },
): void {
  const { span } = server;
  if (span.isRecording()) {
    if (outcome.route) {
      span.setAttribute('http.route', outcome.route);
      span.updateName(`${outcome.method} ${outcome.route}`);
    }
    span.setAttribute('http.response.status_code', outcome.status);
    if (!outcome.finished)
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'request aborted' });
    else if (outcome.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/** The span's W3C ids, as log lines carry them. */
export function serverSpanIds(server: ServerSpan): { trace_id: string; span_id: string } {
  const ids = server.span.spanContext();
  return { trace_id: ids.traceId, span_id: ids.spanId };
}

/** Runs `fn` (the rest of the request's handling) inside the span's context. */
export function runInServerSpan<T>(server: ServerSpan, fn: () => T): T {
  return context.with(server.context, fn);
}
