import { infraEnv, type TestVhost } from '@micromesh/kit/testing';

/** Takes a test vhost away (its connections drop, reconnects fail) and brings it back, empty. */
export function vhostOutage(vhost: TestVhost) {
  const name = encodeURIComponent(vhost.name);
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${vhost.managementUrl}${path}`, {
      method,
      headers: { authorization: vhost.authHeader, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`RabbitMQ management ${method} ${path} → ${res.status}`);
  };
  return {
    async begin() {
      await call('DELETE', `/vhosts/${name}`);
    },
    async end() {
      await call('PUT', `/vhosts/${name}`, {});
      const user = encodeURIComponent(infraEnv().rabbit.user);
      await call('PUT', `/permissions/${name}/${user}`, {
        configure: '.*',
        write: '.*',
        read: '.*',
      });
    },
  };
}
