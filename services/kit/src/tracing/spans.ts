import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';

import { suppressTracing } from '@opentelemetry/core';

export { SpanKind } from '@opentelemetry/api';

/**
 * Runs `fn` with tracing suppressed: nothing it calls opens spans. For the handling of received
 * spans, which would otherwise be traced, exported, received and traced again without end.
 */
export function untraced<T>(fn: () => T): T {
  return context.with(suppressTracing(context.active()), fn);
}

/** The tracer for spans the mesh's own code opens (AMQP, SMTP); libraries bring their own. */
export function meshTracer() {
  return trace.getTracer('micromesh');
}

/**
 * W3C ids of the span the current code runs in; undefined outside any (or with tracing off).
 * A span the sampler left out still has ids: log lines and records carry them too, so they stay
 * joinable by trace id even when the trace's spans were not kept.
 */
export function currentTraceIds(): { trace_id: string; span_id: string } | undefined {
  const ids = trace.getSpan(context.active())?.spanContext();
  return ids && isSpanContextValid(ids)
    ? { trace_id: ids.traceId, span_id: ids.spanId }
    : undefined;
}

export interface SpanSettings {
  kind?: SpanKind;
  attributes?: Attributes;
  links?: Link[];
  /** Parent context; the active one by default. */
  parent?: Context;
}

/**
 * Runs `fn` inside a new span and ends it when `fn` settles; a thrown error marks the span as
 * failed (status ERROR plus the exception event) and is rethrown unchanged.
 */
export async function withSpan<T>(
  name: string,
  settings: SpanSettings,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = settings.parent ?? context.active();
  const span = meshTracer().startSpan(
    name,
    {
      kind: settings.kind ?? SpanKind.INTERNAL,
      attributes: settings.attributes,
      links: settings.links,
    },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: err instanceof Error ? err.message : String(err),
    });
    throw err;
  } finally {
    span.end();
  }
}

type Headers = Record<string, unknown>;

/** Adds the active trace context (W3C `traceparent`, `tracestate`) to message headers. */
export function injectTraceHeaders(headers: Headers, from: Context = context.active()): Headers {
  propagation.inject(from, headers, {
    set: (carrier, key, value) => {
      carrier[key] = value;
    },
  });
  return headers;
}

/** The trace context message headers carry (the root context when they carry none). */
export function extractTraceContext(headers: Headers | undefined): Context {
  if (!headers) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, headers, {
    keys: (carrier) => Object.keys(carrier),
    get: (carrier, key) => {
      const value = carrier[key];
      if (typeof value === 'string') return value;
      if (Buffer.isBuffer(value)) return value.toString('latin1');
      return undefined;
    },
  });
}

/**
 * The span that processes a batch of messages: it links every message it carries (their traces
 * lead here through the links) and is the child of the first traced one, so a lone message's
 * trace runs on from producer to consumer without a break.
 */
export function withConsumerBatchSpan<T>(
  name: string,
  messageHeaders: readonly (Headers | undefined)[],
  attributes: Attributes,
  fn: () => Promise<T>,
): Promise<T> {
  const links: Link[] = [];
  let parent: Context | undefined;
  for (const headers of messageHeaders) {
    const ctx = extractTraceContext(headers);
    const spanContext = trace.getSpanContext(ctx);
    if (!spanContext || !isSpanContextValid(spanContext)) continue;
    links.push({ context: spanContext });
    parent ??= ctx;
  }
  return withSpan(
    name,
    {
      kind: SpanKind.CONSUMER,
      parent: parent ?? ROOT_CONTEXT,
      links,
      attributes: { ...attributes, 'messaging.batch.message_count': messageHeaders.length },
    },
    fn,
  );
}
