import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/load-config';
import type { TlsEnv } from './tls-env';
import { createTlsRotation, type TlsFiles, type TlsRotation } from './tls-rotation';

/**
 * A service's mesh identity: the CA it trusts and the certificate and key it presents. `ca`,
 * `cert` and `key` are the files as last read: `rotation` re-reads them and tells the TLS users.
 */
export interface TlsMaterial extends TlsFiles {
  /** This service's own identity: the common name of its certificate (never changes). */
  identity: string;
  rotation: TlsRotation;
}

const FILE_VARIABLES = ['TLS_CA_FILE', 'TLS_CERT_FILE', 'TLS_KEY_FILE'] as const;

/**
 * Reads the files TLS_CA_FILE, TLS_CERT_FILE and TLS_KEY_FILE name. Returns undefined when none
 * is set (plaintext, allowed unless MESH_TLS=required); a partial set, an unreadable file, a
 * certificate the CA did not sign or a key that is not the certificate's fails fast with a
 * ConfigError. Then every TLS_RELOAD_INTERVAL_MS (30 s) the files are read again: renewed ones that
 * pass the same checks, for the same identity, replace the old (`rotation`); others are refused
 * and the old files stay.
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
  const read = (): TlsFiles & { identity: string } => {
    const ca = readPem('TLS_CA_FILE', config.TLS_CA_FILE as string);
    const cert = readPem('TLS_CERT_FILE', config.TLS_CERT_FILE as string);
    const key = readPem('TLS_KEY_FILE', config.TLS_KEY_FILE as string);
    const identity = checkCertificate(ca, cert);
    checkKeyMatches(cert, key);
    return { ca, cert, key, identity };
  };
  const { identity, ...files } = read();
  const material = { ...files, identity } as TlsMaterial;
  material.rotation = createTlsRotation(
    material,
    () => {
      const next = read();
      if (next.identity !== identity) {
        throw new ConfigError(
          `TLS_CERT_FILE now names '${next.identity}', not '${identity}': a service keeps its identity`,
          ['TLS_CERT_FILE'],
        );
      }
      return { ca: next.ca, cert: next.cert, key: next.key };
    },
    config.TLS_RELOAD_INTERVAL_MS ?? 30_000,
  );
  return material;
}

/** The key must be the certificate's: a mismatch would only show as failed handshakes. */
function checkKeyMatches(certPem: Buffer, keyPem: Buffer): void {
  let matches: boolean;
  try {
    const fromKey = createPublicKey(createPrivateKey(keyPem)).export({
      type: 'spki',
      format: 'der',
    });
    const fromCert = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
    matches = fromKey.equals(fromCert);
  } catch (err) {
    throw new ConfigError(`invalid configuration: TLS_KEY_FILE is not a PEM private key (${err})`, [
      'TLS_KEY_FILE',
    ]);
  }
  if (!matches) {
    throw new ConfigError('invalid configuration: TLS_KEY_FILE is not the key of TLS_CERT_FILE', [
      'TLS_KEY_FILE',
    ]);
  }
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
