import type { PeerCertificate, TLSSocket } from 'node:tls';

/** Who is calling, as far as TLS proved it. */
export type PeerCheck =
  | { ok: true; identity: string }
  | { ok: false; reason: 'no client certificate' | 'client certificate not trusted' };

/**
 * The caller's identity on a TLS socket: the common name of its client certificate, provided the
 * certificate chains to the mesh CA (the server asked with `requestCert`, and Node set
 * `authorized` after verifying it).
 */
export function peerOfSocket(socket: TLSSocket): PeerCheck {
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0)
    return { ok: false, reason: 'no client certificate' };
  if (!socket.authorized) return { ok: false, reason: 'client certificate not trusted' };
  const identity = identityOf(cert);
  return identity
    ? { ok: true, identity }
    : { ok: false, reason: 'client certificate not trusted' };
}

/** The common name of a verified certificate (a multi-valued CN is refused, not guessed at). */
export function identityOf(cert: PeerCertificate): string | undefined {
  // Node types CN as a string, but a certificate with two CN attributes yields an array.
  const cn: unknown = cert.subject?.CN;
  return typeof cn === 'string' && cn.length > 0 ? cn : undefined;
}
