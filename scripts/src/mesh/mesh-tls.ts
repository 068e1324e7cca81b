import path from 'node:path';
import { loadTlsMaterial, meshFetch } from '@micromesh/kit';
import type { ServiceName } from './settings';

/**
 * The services that take part in mutual TLS. The frontend is not among them: it serves the
 * public (static files) and calls nothing inside the mesh.
 */
export const TLS_SERVICES = ['auth', 'logger', 'mail', 'listener', 'broker'] as const;
export type TlsService = (typeof TLS_SERVICES)[number];

export function usesTls(name: ServiceName): name is TlsService {
  return (TLS_SERVICES as readonly string[]).includes(name);
}

/** TLS_* variables of one service, in the layout `ensureDevCertificates` writes. */
export function tlsEnv(tlsDir: string, service: TlsService): Record<string, string> {
  const dir = path.join(tlsDir, service);
  return {
    TLS_CA_FILE: path.join(dir, 'ca.crt'),
    TLS_CERT_FILE: path.join(dir, 'tls.crt'),
    TLS_KEY_FILE: path.join(dir, 'tls.key'),
    MESH_TLS: 'required',
  };
}

/**
 * A fetch that calls mesh services as `service` would (its certificate, the mesh CA): the launcher
 * polls /readyz with it, and tests read the logger as the broker. Plain fetch without a tlsDir.
 */
export function fetchAs(tlsDir: string | undefined, service: TlsService = 'broker'): typeof fetch {
  if (!tlsDir) return fetch;
  const files = tlsEnv(tlsDir, service);
  return meshFetch(
    loadTlsMaterial({
      TLS_CA_FILE: files.TLS_CA_FILE,
      TLS_CERT_FILE: files.TLS_CERT_FILE,
      TLS_KEY_FILE: files.TLS_KEY_FILE,
      MESH_TLS: 'required',
    }),
  );
}
