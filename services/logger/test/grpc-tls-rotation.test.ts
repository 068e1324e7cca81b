import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type * as grpc from '@grpc/grpc-js';
import { loadTlsMaterial, type TlsMaterial } from '@micromesh/kit';
import {
  createCertificateAuthority,
  issueCertificate,
  type CertificateAuthority,
} from '@micromesh/kit/testing';
import {
  addLogService,
  bindGrpcServer,
  createGrpcServer,
  createLogServiceClient,
  grpcChannelCredentials,
  grpcServerCredentials,
  logServiceCalls,
  stopGrpcServer,
} from '@micromesh/proto';

// The logger's gRPC server and its clients (broker, listener) take renewed certificate files
// through gRPC certificate providers: the next connection uses them, nobody restarts.

// Issuing a certificate makes an RSA key in JavaScript (node-forge): seconds each on a busy machine.
jest.setTimeout(180_000);

describe('gRPC mutual TLS with renewed certificate files', () => {
  let dir: string;
  let ca: CertificateAuthority;
  const files = (service: string) => ({
    TLS_CA_FILE: path.join(dir, `${service}-ca.crt`),
    TLS_CERT_FILE: path.join(dir, `${service}.crt`),
    TLS_KEY_FILE: path.join(dir, `${service}.key`),
  });
  const renew = (service: string): string => {
    const issued = issueCertificate(ca, {
      commonName: service,
      dnsNames: [service, 'localhost'],
      ipAddresses: ['127.0.0.1'],
    });
    writeFileSync(files(service).TLS_CA_FILE, ca.certPem);
    writeFileSync(files(service).TLS_CERT_FILE, issued.certPem);
    writeFileSync(files(service).TLS_KEY_FILE, issued.keyPem);
    return new X509Certificate(issued.certPem).serialNumber;
  };
  const load = (service: string): TlsMaterial => {
    const material = loadTlsMaterial({
      ...files(service),
      MESH_TLS: 'required',
      TLS_RELOAD_INTERVAL_MS: 0,
    });
    if (!material) throw new Error('no TLS material');
    return material;
  };

  /** The serial of the certificate the gRPC server presents on a new connection. */
  const servedSerial = (client: TlsMaterial): Promise<string> =>
    new Promise((resolve, reject) => {
      const socket = tls.connect(
        {
          host: '127.0.0.1',
          port,
          ca: client.ca,
          cert: client.cert,
          key: client.key,
          servername: 'localhost',
          ALPNProtocols: ['h2'],
        },
        () => {
          resolve(socket.getPeerCertificate().serialNumber);
          socket.destroy();
        },
      );
      socket.once('error', reject);
    });
  let loggerSerial: string;

  /** What each call saw: the client certificate's serial (server side). */
  const clientSerials: string[] = [];
  let server: grpc.Server;
  let port: number;
  let loggerTls: TlsMaterial;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'grpc-tls-rotation-'));
    ca = createCertificateAuthority('grpc rotation CA');
    loggerSerial = renew('logger');
    loggerTls = load('logger');
    server = createGrpcServer();
    addLogService(server, {
      WriteLog: (call, callback) => {
        const peer = call.getAuthContext().sslPeerCertificate;
        clientSerials.push(String(peer?.serialNumber));
        callback(null, { result: 'logged', event_id: call.request.logEntry?.event_id ?? '' });
      },
      WriteLogs: (call, callback) =>
        callback(null, { written: call.request.entries.length, duplicates: 0 }),
      QueryLogs: (_call, callback) => callback(null, { entries: [] }),
    });
    port = await bindGrpcServer(server, '127.0.0.1:0', grpcServerCredentials(loggerTls));
  });
  afterAll(async () => {
    await stopGrpcServer(server, 1_000);
    loggerTls.rotation.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('When the client’s and the server’s files are renewed, then the next connection presents both new certificates', async () => {
    const first = renew('broker');
    const broker = load('broker');
    const credentials = grpcChannelCredentials(broker);
    /** One call on a new connection (a new channel on the same credentials, as after a reconnect). */
    const callOnce = async (): Promise<void> => {
      const client = createLogServiceClient(`localhost:${port}`, { credentials });
      try {
        await logServiceCalls(client).writeLog(
          {
            event_id: '00000000-0000-4000-8000-000000000001',
            service: 't',
            level: 'INFO',
            name: 'x',
          },
          { timeoutMs: 5_000 },
        );
      } finally {
        client.close();
      }
    };
    try {
      await callOnce();
      expect((await servedSerial(broker)).toUpperCase()).toBe(loggerSerial.toUpperCase());
      const second = renew('broker');
      expect(broker.rotation.check()).toBe(true);
      const renewedLogger = renew('logger');
      expect(loggerTls.rotation.check()).toBe(true);
      await callOnce();

      expect((await servedSerial(broker)).toUpperCase()).toBe(renewedLogger.toUpperCase());
      expect(clientSerials.map((s) => s.toUpperCase())).toEqual(
        [first, second].map((s) => s.toUpperCase()),
      );
    } finally {
      broker.rotation.stop();
    }
  });
});
