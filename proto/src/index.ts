import path from 'node:path';

/** Absolute path of logger.proto, shipped beside dist/ in this package. */
export const LOGGER_PROTO_PATH = path.join(__dirname, '..', 'logger.proto');
