// Container health check: exit 0 when the service's /readyz answers 200 (the slim image has no
// curl or wget). Used by the Dockerfile's HEALTHCHECK and docker-compose.yml.
const port = process.env.PORT || '8080';
const path = process.argv[2] || '/readyz';

fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2500) })
  .then((res) => process.exit(res.ok ? 0 : 1))
  .catch(() => process.exit(1));
