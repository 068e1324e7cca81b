// Container health check: exit 0 when the service's /readyz answers 200 (the slim image has no
// curl or wget). Used by the Dockerfile's HEALTHCHECK and docker-compose.yml. The port is PORT
// when set, else the default port of the service the image holds (MICROMESH_SERVICE, set by the
// Dockerfile) — each service's config schema has the same defaults (a deploy test compares them).
const DEFAULT_PORTS = {
  broker: 8080,
  frontend: 8081,
  auth: 8082,
  logger: 8083,
  mail: 8084,
  listener: 8085,
};

function healthPort(env) {
  if (env.PORT) return env.PORT;
  const port = DEFAULT_PORTS[env.MICROMESH_SERVICE];
  if (port === undefined) throw new Error(`unknown MICROMESH_SERVICE "${env.MICROMESH_SERVICE}"`);
  return String(port);
}

if (require.main === module) {
  const path = process.argv[2] || '/readyz';
  fetch(`http://127.0.0.1:${healthPort(process.env)}${path}`, {
    signal: AbortSignal.timeout(2500),
  })
    .then((res) => process.exit(res.ok ? 0 : 1))
    .catch(() => process.exit(1));
} else {
  module.exports = { DEFAULT_PORTS, healthPort };
}
