export { tlsEnvShape, type TlsEnv } from './tls-env';
export { loadTlsMaterial, type TlsMaterial } from './tls-material';
export { createTlsRotation, type TlsFiles, type TlsRotation } from './tls-rotation';
export { peerOfSocket, identityOf, type PeerCheck } from './peer-identity';
export { requirePeer, type AllowedCallers } from './require-peer';
export { httpsServerOptions, meshHttpsAgent, meshFetch, type ClientTls } from './tls-options';
