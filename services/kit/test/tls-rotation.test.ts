import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import {
  createHttpServer,
  createMetrics,
  Health,
  loadTlsMaterial,
  meshFetch,
  type TlsMaterial,
} from '@micromesh/kit';
import {
  captureLogs,
  createCertificateAuthority,
  issueCertificate,
  type CertificateAuthority,
} from '@micromesh/kit/testing';

// Renewed certificate files are taken without a restart: the HTTPS server serves them from the
// next handshake, meshFetch presents them on its next connection; files that fail the checks are
// refused and the previous ones stay in use.

const serial = (pem: string) => new X509Certificate(pem).serialNumber;

// Issuing a certificate makes an RSA key in JavaScript (node-forge): seconds each on a busy machine.
jest.setTimeout(180_000);

describe('TLS certificate rotation', () => {
  let dir: string;
  let ca: CertificateAuthority;
  const fileSet = (service: string) => ({
    TLS_CA_FILE: path.join(dir, `${service}-ca.crt`),
    TLS_CERT_FILE: path.join(dir, `${service}.crt`),
    TLS_KEY_FILE: path.join(dir, `${service}.key`),
  });
  /** Issues a fresh certificate for the service and writes it over its files; returns its serial. */
  const renew = (service: string, commonName = service): string => {
    const issued = issueCertificate(ca, {
      commonName,
      dnsNames: [service, 'localhost'],
      ipAddresses: ['127.0.0.1'],
    });
    const files = fileSet(service);
    writeFileSync(files.TLS_CA_FILE, ca.certPem);
    writeFileSync(files.TLS_CERT_FILE, issued.certPem);
    writeFileSync(files.TLS_KEY_FILE, issued.keyPem);
    return serial(issued.certPem);
  };
  const load = (service: string): TlsMaterial => {
    const material = loadTlsMaterial({
      ...fileSet(service),
      MESH_TLS: 'required',
      TLS_RELOAD_INTERVAL_MS: 0, // the test calls rotation.check() itself
    });
    if (!material) throw new Error('no TLS material');
    return material;
  };
  /** The serial of the certificate a TLS server presents on a new connection. */
  const servedSerial = (port: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const socket = tls.connect(
        { host: '127.0.0.1', port, ca: ca.certPem, servername: 'localhost' },
        () => {
          resolve(socket.getPeerCertificate().serialNumber);
          socket.end();
        },
      );
      socket.once('error', reject);
    });

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kit-tls-rotation-'));
    ca = createCertificateAuthority('rotation test CA');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('When the server’s files are renewed, then the next handshake presents the new certificate, without a restart', async () => {
    const first = renew('logger');
    const material = load('logger');
    const { logger, lines } = captureLogs('kit-test', 'info');
    const server = createHttpServer({
      logger,
      health: new Health(),
      metrics: createMetrics('kit-test'),
      routes: () => undefined,
      tls: material,
    });
    const { port } = await server.start(0);
    try {
      expect(await servedSerial(port)).toBe(first);

      const second = renew('logger');
      expect(material.rotation.check()).toBe(true);

      expect(await servedSerial(port)).toBe(second);
      expect(lines.some((line) => String(line.msg).includes('TLS certificate files renewed'))).toBe(
        true,
      );
    } finally {
      await server.stop();
      material.rotation.stop();
    }
  });

  test('When renewed files name another identity or a key that is not the certificate’s, then they are refused and the previous certificate stays', () => {
    const kept = renew('mail');
    const material = load('mail');
    const refusals: string[] = [];
    material.rotation.onRefused((reason) => refusals.push(reason));
    try {
      renew('mail', 'broker'); // a certificate for another service in mail's files
      expect(material.rotation.check()).toBe(false);

      const other = issueCertificate(ca, { commonName: 'mail' });
      writeFileSync(fileSet('mail').TLS_CERT_FILE, other.certPem); // the old key stays
      expect(material.rotation.check()).toBe(false);

      expect(refusals).toEqual([
        expect.stringContaining("now names 'broker', not 'mail'"),
        expect.stringContaining('TLS_KEY_FILE is not the key of TLS_CERT_FILE'),
      ]);
      expect(serial(material.cert.toString())).toBe(kept);
    } finally {
      material.rotation.stop();
    }
  });

  test('When the client’s files are renewed, then meshFetch presents the new certificate on its next request', async () => {
    renew('auth');
    const serverMaterial = load('auth');
    const seen: string[] = [];
    const server = https.createServer(
      {
        ca: serverMaterial.ca,
        cert: serverMaterial.cert,
        key: serverMaterial.key,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        seen.push((req.socket as tls.TLSSocket).getPeerCertificate().serialNumber);
        res.end('{}');
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const first = renew('broker');
    const client = load('broker');
    const fetchAsBroker = meshFetch(client);
    try {
      await (await fetchAsBroker(`https://localhost:${port}/`)).text();

      const second = renew('broker');
      expect(client.rotation.check()).toBe(true);
      await (await fetchAsBroker(`https://localhost:${port}/`)).text();

      expect(seen).toEqual([first, second]);
    } finally {
      client.rotation.stop();
      serverMaterial.rotation.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
