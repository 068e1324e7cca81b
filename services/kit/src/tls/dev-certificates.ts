import { generateKeyPairSync, randomBytes, X509Certificate as NodeCertificate } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

/**
 * A development certificate authority and one certificate per service: RSA keys from Node's
 * crypto, X.509 assembled and signed with node-forge (no openssl binary). Production (k8s) uses
 * cert-manager instead; compose runs `dev-certs-cli` as a one-shot init step.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
}

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

export interface IssueOptions {
  commonName: string;
  /** SAN DNS names (the service name; `localhost` for native runs). */
  dnsNames?: readonly string[];
  /** SAN IP addresses (`127.0.0.1` for native runs). */
  ipAddresses?: readonly string[];
  days?: number;
  /** Backdates the certificate (tests of an expired certificate). */
  notBefore?: Date;
}

export function createCertificateAuthority(
  commonName = 'micromesh dev CA',
  days = 3650,
): CertificateAuthority {
  const { keyPem, publicKey, privateKey } = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serialNumber();
  setValidity(cert, new Date(Date.now() - 60_000), days);
  const name = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'micromesh' },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

/** A leaf certificate for TLS servers and clients both (EKU serverAuth + clientAuth). */
export function issueCertificate(
  ca: CertificateAuthority,
  options: IssueOptions,
): IssuedCertificate {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const { keyPem, publicKey } = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serialNumber();
  setValidity(cert, options.notBefore ?? new Date(Date.now() - 60_000), options.days ?? 825);
  cert.setSubject([
    { name: 'commonName', value: options.commonName },
    { name: 'organizationName', value: 'micromesh' },
  ]);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(options.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
    { name: 'subjectKeyIdentifier' },
    {
      name: 'authorityKeyIdentifier',
      keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes(),
    },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

export interface EnsureOptions {
  /** Extra SAN entries for every service (native runs: `localhost`, `127.0.0.1`). */
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  /** Files are chowned to this uid/gid (compose: the image's `node` user). */
  owner?: { uid: number; gid: number };
  /** A service certificate expiring sooner than this is reissued (default 30 days). */
  renewWithinDays?: number;
}

export interface EnsureResult {
  created: string[];
  kept: string[];
}

/**
 * Idempotent: `<dir>/ca/{ca.crt,ca.key}` and, per service, `<dir>/<service>/{ca.crt,tls.crt,tls.key}`
 * (the layout of a cert-manager Secret, so a service mounts only its own directory). Existing files
 * are kept while they chain to the CA, name the service and are not about to expire; delete a
 * service's directory to reissue it, or the whole tree to make a new CA.
 */
export function ensureDevCertificates(
  dir: string,
  services: readonly string[],
  options: EnsureOptions = {},
): EnsureResult {
  const result: EnsureResult = { created: [], kept: [] };
  const caDir = join(dir, 'ca');
  makeDir(dir, options);
  makeDir(caDir, options);
  let ca: CertificateAuthority;
  const caCertFile = join(caDir, 'ca.crt');
  const caKeyFile = join(caDir, 'ca.key');
  if (existsSync(caCertFile) && existsSync(caKeyFile)) {
    ca = { certPem: readFileSync(caCertFile, 'utf8'), keyPem: readFileSync(caKeyFile, 'utf8') };
    result.kept.push('ca');
  } else {
    ca = createCertificateAuthority();
    writeFile(caKeyFile, ca.keyPem, 0o600, options);
    writeFile(caCertFile, ca.certPem, 0o644, options);
    result.created.push('ca');
  }
  const renewMs = (options.renewWithinDays ?? 30) * DAY_MS;
  for (const service of services) {
    const serviceDir = join(dir, service);
    const certFile = join(serviceDir, 'tls.crt');
    if (existsSync(join(serviceDir, 'tls.key')) && isCurrent(certFile, ca, service, renewMs)) {
      // The CA file beside it may be stale if the CA was remade: always rewrite it.
      writeFile(join(serviceDir, 'ca.crt'), ca.certPem, 0o644, options);
      result.kept.push(service);
      continue;
    }
    const issued = issueCertificate(ca, {
      commonName: service,
      dnsNames: [service, ...(options.dnsNames ?? [])],
      ipAddresses: options.ipAddresses,
    });
    makeDir(serviceDir, options);
    writeFile(join(serviceDir, 'tls.key'), issued.keyPem, 0o600, options);
    writeFile(certFile, issued.certPem, 0o644, options);
    writeFile(join(serviceDir, 'ca.crt'), ca.certPem, 0o644, options);
    result.created.push(service);
  }
  return result;
}

function isCurrent(
  certFile: string,
  ca: CertificateAuthority,
  service: string,
  renewMs: number,
): boolean {
  if (!existsSync(certFile)) return false;
  try {
    const cert = new NodeCertificate(readFileSync(certFile));
    const caCert = new NodeCertificate(ca.certPem);
    return (
      cert.verify(caCert.publicKey) &&
      cert.subject.split('\n').includes(`CN=${service}`) &&
      Date.parse(cert.validTo) - Date.now() > renewMs
    );
  } catch {
    return false;
  }
}

function newKeyPair(): {
  keyPem: string;
  publicKey: forge.pki.PublicKey;
  privateKey: forge.pki.rsa.PrivateKey;
} {
  // Node's native generator: forge's own is pure JavaScript and takes seconds per key.
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    keyPem,
    publicKey: forge.pki.publicKeyFromPem(
      pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    ),
    privateKey: forge.pki.privateKeyFromPem(keyPem),
  };
}

function setValidity(cert: forge.pki.Certificate, notBefore: Date, days: number): void {
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + days * DAY_MS);
}

/** 16 random bytes with the top bit clear (a positive DER integer, as RFC 5280 asks). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

function makeDir(path: string, options: EnsureOptions): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
  if (options.owner) chownSync(path, options.owner.uid, options.owner.gid);
}

function writeFile(path: string, content: string, mode: number, options: EnsureOptions): void {
  writeFileSync(path, content, { mode });
  chmodSync(path, mode);
  if (options.owner) chownSync(path, options.owner.uid, options.owner.gid);
}
