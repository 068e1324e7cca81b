// Container health check: exit 0 when the service's /readyz answers 200 (the slim image has no
// curl or wget). Used by the Dockerfile's HEALTHCHECK and docker-compose.yml.
// With mutual TLS (TLS_CA_FILE set) an internal service serves HTTPS: the check trusts the mesh
// CA and needs no client certificate (/readyz is open to probes). HEALTHCHECK_SCHEME=http is for
// the broker, whose public port stays plain HTTP while it holds a certificate for its own calls.
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');

const port = process.env.PORT || '8080';
const path = process.argv[2] || '/readyz';
const ca = process.env.TLS_CA_FILE;
const scheme = process.env.HEALTHCHECK_SCHEME || (ca ? 'https' : 'http');

const options = { host: '127.0.0.1', port, path, timeout: 2500 };
const request =
  scheme === 'https'
    ? https.get({ ...options, ca: ca ? fs.readFileSync(ca) : undefined })
    : http.get(options);
request.on('response', (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
request.on('timeout', () => request.destroy(new Error('timeout')));
request.on('error', () => process.exit(1));
