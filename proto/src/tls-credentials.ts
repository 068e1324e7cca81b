import * as grpc from '@grpc/grpc-js';

/**
 * The PEM files of a mesh identity (the kit's TlsMaterial fits), and, when they are followed on
 * disk, how to hear of renewed ones.
 */
export interface GrpcTlsFiles {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
  rotation?: {
    onChange(listener: (files: { ca: Buffer; cert: Buffer; key: Buffer }) => void): () => void;
  };
}

/**
 * gRPC's certificate provider over the files: it hands grpc-js the current CA and identity, and the
 * renewed ones as they come, so new connections (client and server side) use them without a restart.
 */
class RotatingCertificates implements grpc.experimental.CertificateProvider {
  private readonly caListeners = new Set<grpc.experimental.CaCertificateUpdateListener>();
  private readonly identityListeners =
    new Set<grpc.experimental.IdentityCertificateUpdateListener>();
  private files: { ca: Buffer; cert: Buffer; key: Buffer };

  constructor(tls: GrpcTlsFiles) {
    this.files = { ca: tls.ca, cert: tls.cert, key: tls.key };
    tls.rotation?.onChange((files) => {
      this.files = files;
      for (const listener of this.caListeners) listener({ caCertificate: files.ca });
      for (const listener of this.identityListeners) {
        listener({ certificate: files.cert, privateKey: files.key });
      }
    });
  }

  addCaCertificateListener(listener: grpc.experimental.CaCertificateUpdateListener): void {
    this.caListeners.add(listener);
    // Asynchronously, as grpc-js's own file watcher does: its server credentials subscribe first
    // and register the server's watcher after, so a synchronous first update would be missed and
    // the server would drop every connection as "credentials not loaded".
    queueMicrotask(() => listener({ caCertificate: this.files.ca }));
  }
  removeCaCertificateListener(listener: grpc.experimental.CaCertificateUpdateListener): void {
    this.caListeners.delete(listener);
  }
  addIdentityCertificateListener(
    listener: grpc.experimental.IdentityCertificateUpdateListener,
  ): void {
    this.identityListeners.add(listener);
    queueMicrotask(() => listener({ certificate: this.files.cert, privateKey: this.files.key }));
  }
  removeIdentityCertificateListener(
    listener: grpc.experimental.IdentityCertificateUpdateListener,
  ): void {
    this.identityListeners.delete(listener);
  }
}

/**
 * Server credentials: with TLS files, the handshake demands a client certificate signed by the
 * mesh CA (plaintext and foreign certificates never reach a handler); without, plaintext. Renewed
 * files (`rotation`) are served from the next connection on.
 */
export function grpcServerCredentials(tls: GrpcTlsFiles | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  if (!tls.rotation) {
    return grpc.ServerCredentials.createSsl(
      tls.ca,
      [{ cert_chain: tls.cert, private_key: tls.key }],
      true,
    );
  }
  const certificates = new RotatingCertificates(tls);
  return grpc.experimental.createCertificateProviderServerCredentials(
    certificates,
    certificates,
    true,
  );
}

/**
 * Channel credentials: trust only the mesh CA and present this service's certificate (renewed
 * files, `rotation`, from the next connection on).
 */
export function grpcChannelCredentials(tls: GrpcTlsFiles | undefined): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  if (!tls.rotation) return grpc.credentials.createSsl(tls.ca, tls.key, tls.cert);
  const certificates = new RotatingCertificates(tls);
  return grpc.experimental.createCertificateProviderChannelCredentials(certificates, certificates);
}

/** A handler whose call carries a TLS auth context (unary and streaming calls both do). */
type CallWithAuth = Pick<grpc.ServerUnaryCall<unknown, unknown>, 'getAuthContext'>;

/**
 * The verified caller identity of a call: the common name of its client certificate. Undefined
 * on a plaintext server; on a TLS server the handshake already required a CA-signed certificate.
 */
export function grpcPeerIdentity(call: CallWithAuth): string | undefined | null {
  const context = call.getAuthContext();
  if (context.transportSecurityType !== 'ssl') return undefined;
  const cn: unknown = context.sslPeerCertificate?.subject?.CN;
  return typeof cn === 'string' && cn.length > 0 ? cn : null;
}

/**
 * Wraps a unary handler so only the named service identities reach it: PERMISSION_DENIED for any
 * other certificate, UNAUTHENTICATED when a TLS call somehow carries none. A plaintext server
 * (no TLS configured) passes every call, as its HTTP routes do.
 */
export function allowPeers<Req, Res>(
  allowed: readonly string[],
  handler: grpc.handleUnaryCall<Req, Res>,
): grpc.handleUnaryCall<Req, Res> {
  const names = new Set(allowed);
  return (call, callback) => {
    const identity = grpcPeerIdentity(call);
    if (identity === null) {
      callback({ code: grpc.status.UNAUTHENTICATED, details: 'client certificate required' });
      return;
    }
    if (identity !== undefined && !names.has(identity)) {
      callback({
        code: grpc.status.PERMISSION_DENIED,
        details: `service '${identity}' may not call this method`,
      });
      return;
    }
    handler(call, callback);
  };
}
