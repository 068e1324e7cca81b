import { readFileSync } from 'node:fs';
import path from 'node:path';
import { meshFetch, type ClientTls } from '@micromesh/kit';
import { createCertificateAuthority, issueCertificate } from '@micromesh/kit/testing';
import { TLS_SERVICES } from '../../src/mesh/mesh-tls';

/** A TLS client as some caller: which certificate it presents, if any, and why it is here. */
export interface Caller {
  name: string;
  tls: ClientTls;
  fetch: typeof fetch;
}

/**
 * Every kind of caller the mTLS suite tries: each real service (its own certificate from the
 * mesh's directory), a stranger whose certificate the mesh CA did sign (`intruder`), a `broker`
 * certificate from another CA, and a TLS client with no certificate at all.
 */
export function meshCallers(tlsDir: string): {
  services: Caller[];
  intruder: Caller;
  foreignBroker: Caller;
  noCertificate: Caller;
} {
  const read = (...parts: string[]) => readFileSync(path.join(tlsDir, ...parts));
  const ca = read('ca', 'ca.crt');
  const caller = (name: string, tls: ClientTls): Caller => ({ name, tls, fetch: meshFetch(tls) });
  const meshCa = { certPem: ca.toString(), keyPem: read('ca', 'ca.key').toString() };
  const issued = (authority: typeof meshCa, commonName: string): ClientTls => {
    const cert = issueCertificate(authority, {
      commonName,
      dnsNames: [commonName, 'localhost'],
      ipAddresses: ['127.0.0.1'],
    });
    return { ca, cert: Buffer.from(cert.certPem), key: Buffer.from(cert.keyPem) };
  };
  return {
    services: TLS_SERVICES.map((name) =>
      caller(name, { ca, cert: read(name, 'tls.crt'), key: read(name, 'tls.key') }),
    ),
    intruder: caller('intruder (mesh CA)', issued(meshCa, 'intruder')),
    foreignBroker: caller(
      "'broker' from another CA",
      issued(createCertificateAuthority('some other CA'), 'broker'),
    ),
    noCertificate: caller('no client certificate', { ca }),
  };
}
