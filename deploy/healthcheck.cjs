// Container health check: exit 0 when the service's /readyz answers 200 (the slim image has no
// curl or wget). Used by the Dockerfile's HEALTHCHECK and docker-compose.yml. The port is PORT
// when set, else the default port of the service the image holds (MICROMESH_SERVICE, set by the
// Dockerfile) — each service's config schema has the same defaults (a deploy test compares them).
// With mutual TLS (TLS_CA_FILE set) the internal services serve HTTPS: the check trusts the mesh
// CA and needs no client certificate (/readyz is open to probes). The broker's and the
// front-end's own ports stay plain HTTP. HEALTHCHECK_SCHEME (http|https) overrides the choice.
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');

const DEFAULT_PORTS = {
  broker: 8080,
  frontend: 8081,
  auth: 8082,
  logger: 8083,
  mail: 8084,
  listener: 8085,
};
const PUBLIC_SERVICES = ['broker', 'frontend'];

function healthPort(env) {
  if (env.PORT) return env.PORT;
  const port = DEFAULT_PORTS[env.MICROMESH_SERVICE];
  if (port === undefined) throw new Error(`unknown MICROMESH_SERVICE "${env.MICROMESH_SERVICE}"`);
  return String(port);
}

function healthScheme(env) {
  if (env.HEALTHCHECK_SCHEME) return env.HEALTHCHECK_SCHEME;
  return env.TLS_CA_FILE && !PUBLIC_SERVICES.includes(env.MICROMESH_SERVICE) ? 'https' : 'http';
}

if (require.main === module) {
  const env = process.env;
  const options = {
    host: '127.0.0.1',
    port: healthPort(env),
    path: process.argv[2] || '/readyz',
    timeout: 2500,
  };
  const request =
    healthScheme(env) === 'https'
      ? https.get({
          ...options,
          ca: env.TLS_CA_FILE ? fs.readFileSync(env.TLS_CA_FILE) : undefined,
        })
      : http.get(options);
  request.on('response', (res) => {
    res.resume();
    process.exit(res.statusCode === 200 ? 0 : 1);
  });
  request.on('timeout', () => request.destroy(new Error('timeout')));
  request.on('error', () => process.exit(1));
} else {
  module.exports = { DEFAULT_PORTS, healthPort, healthScheme };
}
