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

/** An https.Agent that trusts only the mesh CA and presents this service's certificate. */
export function meshHttpsAgent(tls: TlsMaterial, options: https.AgentOptions = {}): https.Agent {
  return new https.Agent({ ...options, ...secureContext(tls), rejectUnauthorized: true });
}

/** What a TLS client needs: the CA it trusts, and (for mutual TLS) a certificate and key. */
export type ClientTls = Pick<TlsMaterial, 'ca'> & Partial<Pick<TlsMaterial, 'cert' | 'key'>>;

/**
 * A `fetch` for calls to other mesh services: with TLS it presents this service's certificate and
 * trusts only the mesh CA; without, it is the global fetch.
 */
export function meshFetch(tls: ClientTls | undefined): typeof fetch {
  if (!tls) return fetch;
  const dispatcher: Dispatcher = new Agent({
    connect: {
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      minVersion: 'TLSv1.2',
      rejectUnauthorized: true,
    },
  });
  // Node's fetch is undici; its RequestInit types the dispatcher with undici-types' copy of the
  // same interface, hence the cast.
  const init = { dispatcher } as unknown as RequestInit;
  return (input, options) => fetch(input, { ...options, ...init });
}

function secureContext(tls: TlsMaterial): SecureContextOptions & { minVersion: 'TLSv1.2' } {
  return { ca: tls.ca, cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' };
}
