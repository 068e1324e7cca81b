/**
 * Tracing configuration from the standard OpenTelemetry variables (a subset of the SDK's
 * environment spec), parsed once before the app starts. Bad values fail the start with a line
 * naming the variable, like the services' own configuration.
 */
export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

const SAMPLERS: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

export interface TracingSettings {
  /** OTEL_SDK_DISABLED=true: no SDK at all (the API stays a no-op; nothing is recorded). */
  disabled: boolean;
  serviceName: string;
  serviceVersion: string;
  sampler: SamplerName;
  /** Share of new traces kept by the *traceidratio samplers (0…1). */
  ratio: number;
  /** Full URL spans are POSTed to (OTLP/HTTP protobuf); undefined: spans are not exported. */
  tracesUrl: string | undefined;
  /** BatchSpanProcessor: spans held while the target is slow or down; beyond it they are dropped. */
  maxQueueSize: number;
  maxExportBatchSize: number;
  scheduledDelayMs: number;
  exportTimeoutMs: number;
}

export class TracingConfigError extends Error {}

function number(
  source: Record<string, string | undefined>,
  name: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = source[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new TracingConfigError(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** The OTLP traces URL: the per-signal variable as given, or the base endpoint + /v1/traces. */
function tracesUrl(source: Record<string, string | undefined>): string | undefined {
  const signal = source.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const base = source.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const [name, url] = signal
    ? ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', signal]
    : base
      ? ['OTEL_EXPORTER_OTLP_ENDPOINT', `${base.replace(/\/+$/, '')}/v1/traces`]
      : [undefined, undefined];
  if (!name || !url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TracingConfigError(`${name} must be an http(s) URL, got "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TracingConfigError(`${name} must be an http(s) URL, got "${url}"`);
  }
  return parsed.toString();
}

export function tracingSettings(
  source: Record<string, string | undefined>,
  defaults: { serviceName: string; serviceVersion: string },
): TracingSettings {
  const disabled = /^(true|1|yes)$/i.test(source.OTEL_SDK_DISABLED?.trim() ?? '');
  const samplerRaw = (
    source.OTEL_TRACES_SAMPLER?.trim() || 'parentbased_traceidratio'
  ).toLowerCase();
  if (!SAMPLERS.includes(samplerRaw as SamplerName)) {
    throw new TracingConfigError(
      `OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')}, got "${samplerRaw}"`,
    );
  }
  const maxQueueSize = number(source, 'OTEL_BSP_MAX_QUEUE_SIZE', 2048, 1);
  return {
    disabled,
    serviceName: source.OTEL_SERVICE_NAME?.trim() || defaults.serviceName,
    serviceVersion: source.OTEL_SERVICE_VERSION?.trim() || defaults.serviceVersion,
    sampler: samplerRaw as SamplerName,
    ratio: number(source, 'OTEL_TRACES_SAMPLER_ARG', 1, 0, 1),
    tracesUrl: tracesUrl(source),
    maxQueueSize,
    maxExportBatchSize: Math.min(
      number(source, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512, 1),
      maxQueueSize,
    ),
    scheduledDelayMs: number(source, 'OTEL_BSP_SCHEDULE_DELAY', 1000, 0),
    exportTimeoutMs: number(source, 'OTEL_BSP_EXPORT_TIMEOUT', 5000, 1),
  };
}
