import { readFileSync } from 'node:fs';
import type https from 'node:https';
import path from 'node:path';
import { context, propagation, trace, type Sampler } from '@opentelemetry/api';
import { loadTlsMaterial, type TlsMaterial } from '../tls/tls-material';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import {
  ATTR_HTTP_ROUTE,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
} from '@opentelemetry/semantic-conventions';
import { statsMeterProvider, tracingStats } from './tracing-stats';
import type { TracingSettings } from './tracing-settings';

/** Paths whose handling is never traced: probes, scrapes, and the span receiver itself. */
export const UNTRACED_PATHS = ['/livez', '/readyz', '/metrics', '/v1/traces'] as const;

/** gRPC methods never traced: health checks and the OTLP receiver (its spans would recurse). */
const UNTRACED_GRPC = [/^Check$/, /^Watch$/, /^Export$/];

function isUntracedPath(url: string | undefined): boolean {
  if (!url) return false;
  const pathname = url.split('?', 1)[0] ?? '';
  return UNTRACED_PATHS.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

/** `baseUrl + route.path` of the route Express matched for this request, if one did. */
function expressRoute(request: object): string | undefined {
  const { route, baseUrl } = request as { route?: { path?: unknown }; baseUrl?: unknown };
  if (typeof route?.path !== 'string') return undefined;
  return `${typeof baseUrl === 'string' ? baseUrl : ''}${route.path}`;
}

function sampler(settings: TracingSettings): Sampler {
  const ratio = new TraceIdRatioBasedSampler(settings.ratio);
  switch (settings.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
  }
}

/** The version in the package.json of the directory the service runs from (its package). */
export function packageVersion(dir = process.cwd()): string {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const version = (parsed as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export interface RunningTracing {
  provider: TracerProvider;
  shutdown(): Promise<void>;
}

/**
 * Under mutual TLS the logger's OTLP route is HTTPS and wants a client certificate: the exporter
 * presents the service's own (the TLS_* files every mesh service is given), trusts the mesh CA, and
 * follows renewed files like every other mesh client (the kit's mesh https agent). The agent module
 * is loaded inside the factory, after the http instrumentation is registered (OpenTelemetry's rule
 * for agent factories).
 */
function exporterTls(): { httpAgentOptions?: (protocol: string) => Promise<https.Agent> } {
  const { TLS_CA_FILE, TLS_CERT_FILE, TLS_KEY_FILE, TLS_RELOAD_INTERVAL_MS } = process.env;
  if (!TLS_CA_FILE || !TLS_CERT_FILE || !TLS_KEY_FILE) return {};
  const material = loadTlsMaterial({
    TLS_CA_FILE,
    TLS_CERT_FILE,
    TLS_KEY_FILE,
    MESH_TLS: 'required',
    ...(TLS_RELOAD_INTERVAL_MS ? { TLS_RELOAD_INTERVAL_MS: Number(TLS_RELOAD_INTERVAL_MS) } : {}),
  });
  return {
    httpAgentOptions: async () => {
      const { Agent } = await import('node:https');
      const { ca, cert, key, rotation } = material as TlsMaterial;
      const agent = new Agent({
        keepAlive: true,
        ca,
        cert,
        key,
        minVersion: 'TLSv1.2',
        rejectUnauthorized: true,
      });
      // As meshHttpsAgent does: new connections take renewed files.
      rotation.onChange((files) => Object.assign(agent.options, files));
      return agent;
    },
  };
}

/**
 * Installs the OpenTelemetry SDK: W3C trace context, the sampler, a batching OTLP/HTTP exporter
 * and the instrumentations for node:http (server spans named by their Express route), fetch,
 * grpc-js and pg.
 * Must run before the app's modules are loaded (instrumentations patch them on require).
 */
export function startTracing(settings: TracingSettings): RunningTracing | undefined {
  if (settings.disabled) return undefined;
  const stats = tracingStats();
  const spanProcessors: SpanProcessor[] = [];
  if (settings.tracesUrl) {
    spanProcessors.push(
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({
          url: settings.tracesUrl,
          timeoutMillis: settings.exportTimeoutMs,
          ...exporterTls(),
        }),
        maxQueueSize: settings.maxQueueSize,
        maxExportBatchSize: settings.maxExportBatchSize,
        scheduledDelayMillis: settings.scheduledDelayMs,
        exportTimeoutMillis: settings.exportTimeoutMs,
        selfObsMeterProvider: statsMeterProvider(stats),
      }),
    );
  }
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: settings.serviceName,
      [ATTR_SERVICE_VERSION]: settings.serviceVersion,
    }),
    sampler: sampler(settings),
    spanProcessors,
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);

  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => isUntracedPath(req.url),
        ignoreOutgoingRequestHook: (req) => isUntracedPath(req.path ?? undefined),
        // The route template Express matched names the server span ("POST /handle"). Read once
        // as the span ends: the Express instrumentation would wrap every router layer of every
        // request to learn the same thing.
        applyCustomAttributesOnSpan: (span, request) => {
          const route = expressRoute(request);
          if (!route) return;
          span.setAttribute(ATTR_HTTP_ROUTE, route);
          span.updateName(`${request.method ?? 'GET'} ${route}`);
        },
      }),
      new UndiciInstrumentation({
        ignoreRequestHook: (req) => isUntracedPath(req.path),
      }),
      new GrpcInstrumentation({ ignoreGrpcMethods: UNTRACED_GRPC }),
      // Statements only inside a traced operation: pool probes and retention sweeps stay quiet.
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
    ],
  });

  stats.active = true;
  stats.flush = () => provider.forceFlush();
  return {
    provider,
    shutdown: () => provider.shutdown(),
  };
}
