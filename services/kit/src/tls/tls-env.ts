import { z } from 'zod';

/**
 * Mutual TLS inside the mesh. All three files or none: with them, a service serves its internal
 * HTTP (and gRPC) over TLS, asks every caller for a certificate, and presents its own to every
 * service it calls. `MESH_TLS=required` refuses to start without them (compose, k8s).
 */
export const tlsEnvShape = {
  /** PEM of the mesh CA: the only issuer whose certificates are trusted, in both directions. */
  TLS_CA_FILE: z.string().min(1).optional(),
  /** PEM certificate of this service (CN and SAN DNS = the service name). */
  TLS_CERT_FILE: z.string().min(1).optional(),
  /** PEM private key of that certificate. */
  TLS_KEY_FILE: z.string().min(1).optional(),
  /** `required`: start only with the three files above; `optional` (default): TLS when they are set. */
  MESH_TLS: z.enum(['optional', 'required']).default('optional'),
  /**
   * How often the three files are read again (cert-manager and other issuers renew them in
   * place): a renewed certificate is served and presented from then on, without a restart. 0: never.
   */
  TLS_RELOAD_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(30_000),
};

export interface TlsEnv {
  TLS_CA_FILE?: string | undefined;
  TLS_CERT_FILE?: string | undefined;
  TLS_KEY_FILE?: string | undefined;
  MESH_TLS: 'optional' | 'required';
  TLS_RELOAD_INTERVAL_MS?: number;
}
