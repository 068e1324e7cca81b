import { TLSSocket } from 'node:tls';
import type { Request, RequestHandler } from 'express';
import { AppError } from '../errors/app-error';
import { peerOfSocket } from './peer-identity';

/** Service identities (client certificate CNs), fixed or chosen per request (e.g. by route). */
export type AllowedCallers = readonly string[] | ((req: Request) => readonly string[]);

/**
 * Lets a request through only when its client certificate chains to the mesh CA and names one of
 * the allowed service identities; otherwise 403 with the reason. On a plaintext server (TLS not
 * configured: the component suites) there is nothing to check and every request passes —
 * `MESH_TLS=required` is what makes TLS mandatory.
 */
export function requirePeer(allowed: AllowedCallers): RequestHandler {
  return (req, _res, next) => {
    if (!(req.socket instanceof TLSSocket)) {
      next();
      return;
    }
    const peer = peerOfSocket(req.socket);
    if (!peer.ok) throw AppError.forbidden(peer.reason);
    const names = typeof allowed === 'function' ? allowed(req) : allowed;
    if (!names.includes(peer.identity)) {
      throw AppError.forbidden(`service '${peer.identity}' may not call this route`);
    }
    next();
  };
}
