import { existsSync } from 'node:fs';
import { LOGGER_PROTO_PATH } from '@micromesh/proto';

describe('@micromesh/proto', () => {
  it('When the package is loaded, then it points at an existing logger.proto', () => {
    expect(existsSync(LOGGER_PROTO_PATH)).toBe(true);
  });
});
