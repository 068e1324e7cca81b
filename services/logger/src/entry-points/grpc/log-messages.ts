import { AppError } from '@micromesh/kit';
import { decodeMetadata, type Log__Output } from '@micromesh/proto';

/**
 * A gRPC Log → the domain's input shape: proto3 cannot tell "absent" from "", so empty extension
 * fields are dropped and the domain applies its defaults (name and data, the reference fields,
 * are always kept: empty data is a valid log); `metadata` is JSON text on the wire. Text that is
 * not a JSON object is passed on as it is, so the contract schema refuses it (for that entry only).
 */
export function fromLogMessage(message: Log__Output | null | undefined, path = 'logEntry') {
  if (!message) throw AppError.badRequest('invalid log entry', [{ path, message: 'required' }]);
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message)) {
    if (key === 'metadata') continue;
    if (value !== '' || key === 'name' || key === 'data') input[key] = value;
  }
  if (message.metadata !== '') {
    try {
      input.metadata = decodeMetadata(message.metadata);
    } catch {
      input.metadata = message.metadata;
    }
  }
  return input;
}
