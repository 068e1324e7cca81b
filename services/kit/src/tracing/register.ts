/**
 * The tracing bootstrap every service loads before its app: `node --require
 * @micromesh/kit/tracing dist/main.js`. Configured by the standard OTEL_* variables (see the
 * README's "Tracing" section); OTEL_SDK_DISABLED=true turns it off.
 */
import path from 'node:path';
import { packageVersion, startTracing } from './start-tracing';
import { TracingConfigError, tracingSettings } from './tracing-settings';

try {
  startTracing(
    tracingSettings(process.env, {
      serviceName: path.basename(process.cwd()),
      serviceVersion: packageVersion(),
    }),
  );
} catch (err) {
  if (!(err instanceof TracingConfigError)) throw err;
  // eslint-disable-next-line no-console -- one plain line for people, before any logger exists
  console.error(`tracing: invalid configuration: ${err.message}`);
  process.exit(1);
}
