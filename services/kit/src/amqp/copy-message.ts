import type { ConsumeMessage, Options } from 'amqplib';

/**
 * The publish options that send a consumed message on again as itself (a dead letter moved to the
 * dead-letter queue, a dead letter replayed): persistent, with its own content type and encoding,
 * ids, timestamp, type and app id, and the headers given (the caller decides which to keep or add).
 */
export function copyPublishOptions(
  message: ConsumeMessage,
  headers: Record<string, unknown>,
): Options.Publish {
  const { properties } = message;
  return {
    persistent: true,
    contentType: properties.contentType as string | undefined,
    contentEncoding: properties.contentEncoding as string | undefined,
    messageId: properties.messageId as string | undefined,
    correlationId: properties.correlationId as string | undefined,
    timestamp: properties.timestamp as number | undefined,
    type: properties.type as string | undefined,
    appId: properties.appId as string | undefined,
    headers,
  };
}
