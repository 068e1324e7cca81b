import * as grpc from '@grpc/grpc-js';

/** The PEM files of a mesh identity (the kit's TlsMaterial fits). */
export interface GrpcTlsFiles {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/**
 * Server credentials: with TLS files, the handshake demands a client certificate signed by the
 * mesh CA (plaintext and foreign certificates never reach a handler); without, plaintext.
 */
export function grpcServerCredentials(tls: GrpcTlsFiles | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(
    tls.ca,
    [{ cert_chain: tls.cert, private_key: tls.key }],
    true,
  );
}

/** Channel credentials: trust only the mesh CA and present this service's certificate. */
export function grpcChannelCredentials(tls: GrpcTlsFiles | undefined): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(tls.ca, tls.key, tls.cert);
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
