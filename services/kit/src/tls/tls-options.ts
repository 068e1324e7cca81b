import https from 'node:https';
import type { SecureContextOptions } from 'node:tls';
import { Agent, type Dispatcher } from 'undici';
import type { TlsMaterial } from './tls-material';

/** The TLS options of this service's HTTPS server: ask every caller for a certificate. */
export function httpsServerOptions(tls: TlsMaterial): https.ServerOptions {
  return {
    ...secureContext(tls),
    // Asked, verified against the CA, but not enforced at the handshake: health probes (k8s
    // kubelet, compose) cannot present one. `requirePeer` enforces it per route instead.
    requestCert: true,
    rejectUnauthorized: false,
  };
}

/**
 * An https.Agent that trusts only the mesh CA and presents this service's certificate. Renewed
 * files go into the agent's options: the agent names its socket pools by them, so new requests
 * open connections with the new certificate while the old pooled sockets idle out.
 */
export function meshHttpsAgent(tls: TlsMaterial, options: https.AgentOptions = {}): https.Agent {
  const agent = new https.Agent({ ...options, ...secureContext(tls), rejectUnauthorized: true });
  tls.rotation.onChange((files) => {
    Object.assign(agent.options, { ca: files.ca, cert: files.cert, key: files.key });
  });
  return agent;
}

/**
 * What a TLS client needs: the CA it trusts, and (for mutual TLS) a certificate and key; with
 * `rotation`, renewed files are taken as they come.
 */
export type ClientTls = Pick<TlsMaterial, 'ca'> &
  Partial<Pick<TlsMaterial, 'cert' | 'key' | 'rotation'>>;

/**
 * A `fetch` for calls to other mesh services: with TLS it presents this service's certificate and
 * trusts only the mesh CA; without, it is the global fetch.
 */
export function meshFetch(tls: ClientTls | undefined): typeof fetch {
  if (!tls) return fetch;
  const dispatcherFor = (files: ClientTls): Agent =>
    new Agent({
      connect: {
        ca: files.ca,
        cert: files.cert,
        key: files.key,
        minVersion: 'TLSv1.2',
        rejectUnauthorized: true,
      },
    });
  let dispatcher: Dispatcher = dispatcherFor(tls);
  // Node's fetch is undici; its RequestInit types the dispatcher with undici-types' copy of the
  // same interface, hence the cast.
  let init = { dispatcher } as unknown as RequestInit;
  tls.rotation?.onChange((files) => {
    const previous = dispatcher;
    dispatcher = dispatcherFor(files);
    init = { dispatcher } as unknown as RequestInit;
    // Requests in flight finish on the old connections; then they close.
    void previous.close().catch(() => undefined);
  });
  return (input, options) => fetch(input, { ...options, ...init });
}

function secureContext(tls: TlsMaterial): SecureContextOptions & { minVersion: 'TLSv1.2' } {
  return { ca: tls.ca, cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' };
}
