import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadTlsMaterial } from '@micromesh/kit';
import {
  createCertificateAuthority,
  ensureDevCertificates,
  issueCertificate,
} from '@micromesh/kit/testing';

// Loading a service's mesh identity at start-up: the files of ensureDevCertificates are accepted,
// anything partial or foreign stops the service with a ConfigError naming the variable.

describe('loadTlsMaterial', () => {
  let dir: string;
  const files = (service: string) => ({
    TLS_CA_FILE: path.join(dir, service, 'ca.crt'),
    TLS_CERT_FILE: path.join(dir, service, 'tls.crt'),
    TLS_KEY_FILE: path.join(dir, service, 'tls.key'),
  });

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kit-tls-'));
    ensureDevCertificates(dir, ['logger']);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('When the three files of a service are given, then its identity is the certificate CN', () => {
    const material = loadTlsMaterial({ ...files('logger'), MESH_TLS: 'optional' });

    expect(material?.identity).toBe('logger');
  });

  it('When no file is given, then TLS is off unless MESH_TLS=required', () => {
    expect(loadTlsMaterial({ MESH_TLS: 'optional' })).toBeUndefined();
    expect(() => loadTlsMaterial({ MESH_TLS: 'required' })).toThrow(
      'MESH_TLS=required needs TLS_CA_FILE, TLS_CERT_FILE and TLS_KEY_FILE',
    );
  });

  it('When only some files are given, then the start fails naming the missing ones', () => {
    const { TLS_CA_FILE, TLS_CERT_FILE } = files('logger');

    expect(() => loadTlsMaterial({ TLS_CA_FILE, TLS_CERT_FILE, MESH_TLS: 'optional' })).toThrow(
      new ConfigError(
        'invalid configuration: mutual TLS needs all three files; TLS_KEY_FILE not set',
        ['TLS_KEY_FILE'],
      ),
    );
  });

  it('When the certificate was signed by another CA, then the start fails', () => {
    const foreign = issueCertificate(createCertificateAuthority('another CA'), {
      commonName: 'logger',
    });
    const cert = path.join(dir, 'foreign.crt');
    writeFileSync(cert, foreign.certPem);

    expect(() =>
      loadTlsMaterial({ ...files('logger'), TLS_CERT_FILE: cert, MESH_TLS: 'optional' }),
    ).toThrow('TLS_CERT_FILE is not signed by TLS_CA_FILE');
  });

  it('When a file cannot be read, then the start fails naming it', () => {
    expect(() =>
      loadTlsMaterial({
        ...files('logger'),
        TLS_KEY_FILE: '/nonexistent.key',
        MESH_TLS: 'optional',
      }),
    ).toThrow('TLS_KEY_FILE: cannot read /nonexistent.key (ENOENT)');
  });
});

describe('ensureDevCertificates', () => {
  it('When run twice, then the second run keeps the CA and every certificate', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kit-tls-'));
    try {
      const first = ensureDevCertificates(dir, ['auth', 'mail']);
      const second = ensureDevCertificates(dir, ['auth', 'mail']);

      expect(first).toEqual({ created: ['ca', 'auth', 'mail'], kept: [] });
      expect(second).toEqual({ created: [], kept: ['ca', 'auth', 'mail'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
