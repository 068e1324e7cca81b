import type { BrokerOptions } from 'moleculer';

export const GATEWAY_NODE = 'peer-gateway';
export const LOGGER_NODE = 'peer-logger';

/**
 * Moleculer options shared by both peer nodes: the TCP transporter on loopback with a static node
 * list (no UDP discovery, so nothing broadcasts), and none of the extras (metrics, tracing, retries)
 * our mesh has and the peer is not asked to do.
 */
export function peerBrokerOptions(nodeID: string): BrokerOptions {
  const gatewayPort = Number(process.env.PEER_GATEWAY_TCP_PORT);
  const loggerPort = Number(process.env.PEER_LOGGER_TCP_PORT);
  if (!gatewayPort || !loggerPort) {
    throw new Error('PEER_GATEWAY_TCP_PORT and PEER_LOGGER_TCP_PORT are required');
  }
  return {
    nodeID,
    namespace: 'peer',
    transporter: {
      type: 'TCP',
      options: {
        udpDiscovery: false,
        port: nodeID === GATEWAY_NODE ? gatewayPort : loggerPort,
        urls: [
          `127.0.0.1:${gatewayPort}/${GATEWAY_NODE}`,
          `127.0.0.1:${loggerPort}/${LOGGER_NODE}`,
        ],
      },
    },
    logger: { type: 'Console', options: { level: 'warn', colors: false, formatter: 'short' } },
    requestTimeout: 5_000,
    retryPolicy: { enabled: false },
    metrics: false,
    tracing: false,
  };
}
