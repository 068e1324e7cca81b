import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/load-config';
import type { TlsEnv } from './tls-env';

/** A service's mesh identity: the CA it trusts and the certificate and key it presents. */
export interface TlsMaterial {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
  /** This service's own identity: the common name of its certificate. */
  identity: string;
}

const FILE_VARIABLES = ['TLS_CA_FILE', 'TLS_CERT_FILE', 'TLS_KEY_FILE'] as const;

/**
 * Reads the files TLS_CA_FILE, TLS_CERT_FILE and TLS_KEY_FILE name, once at start-up. Returns
 * undefined when none is set (plaintext, allowed unless MESH_TLS=required); a partial set, an
 * unreadable file or a certificate the CA did not sign fails fast with a ConfigError.
 */
export function loadTlsMaterial(config: TlsEnv): TlsMaterial | undefined {
  const given = FILE_VARIABLES.filter((name) => config[name] !== undefined);
  if (given.length === 0) {
    if (config.MESH_TLS === 'required') {
      throw new ConfigError(
        'invalid configuration: MESH_TLS=required needs TLS_CA_FILE, TLS_CERT_FILE and TLS_KEY_FILE',
        [...FILE_VARIABLES],
      );
    }
    return undefined;
  }
  const missing = FILE_VARIABLES.filter((name) => config[name] === undefined);
  if (missing.length > 0) {
    throw new ConfigError(
      `invalid configuration: mutual TLS needs all three files; ${missing.join(', ')} not set`,
      missing,
    );
  }
  const ca = readPem('TLS_CA_FILE', config.TLS_CA_FILE as string);
  const cert = readPem('TLS_CERT_FILE', config.TLS_CERT_FILE as string);
  const key = readPem('TLS_KEY_FILE', config.TLS_KEY_FILE as string);
  return { ca, cert, key, identity: checkCertificate(ca, cert) };
}

function readPem(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError(`invalid configuration: ${variable}: cannot read ${path} (${reason})`, [
      variable,
    ]);
  }
}

function checkCertificate(caPem: Buffer, certPem: Buffer): string {
  let ca: X509Certificate;
  let cert: X509Certificate;
  try {
    ca = new X509Certificate(caPem);
    cert = new X509Certificate(certPem);
  } catch (err) {
    throw new ConfigError(`invalid configuration: TLS files are not PEM certificates (${err})`, [
      'TLS_CA_FILE',
      'TLS_CERT_FILE',
    ]);
  }
  if (!cert.verify(ca.publicKey)) {
    throw new ConfigError('invalid configuration: TLS_CERT_FILE is not signed by TLS_CA_FILE', [
      'TLS_CERT_FILE',
    ]);
  }
  const identity = commonName(cert.subject);
  if (!identity) {
    throw new ConfigError('invalid configuration: TLS_CERT_FILE has no common name', [
      'TLS_CERT_FILE',
    ]);
  }
  return identity;
}

/** The CN of an X509Certificate subject (`CN=broker\nO=micromesh`). */
function commonName(subject: string): string | undefined {
  for (const line of subject.split('\n')) {
    if (line.startsWith('CN=')) return line.slice(3);
  }
  return undefined;
}
