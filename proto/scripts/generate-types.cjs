// Regenerates src/generated/ from logger.proto with proto-loader-gen-types (no protoc needed).
// The flags must mirror LOADER_OPTIONS in src/load-logger-package.ts: the generated types describe
// exactly what the loader produces at run time (snake_case kept, defaults filled, strings for
// 64-bit ints and enums). test/generated-types.test.ts regenerates into a temp dir and compares.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const PROTO_ROOT = path.join(__dirname, '..');
const FLAGS = [
  '--keepCase',
  '--longs=String',
  '--enums=String',
  '--defaults',
  '--oneofs',
  '--includeComments',
  '--grpcLib=@grpc/grpc-js',
];

function generateTypes(outDir) {
  fs.rmSync(outDir, { recursive: true, force: true });
  const bin = require.resolve('@grpc/proto-loader/build/bin/proto-loader-gen-types.js', {
    paths: [PROTO_ROOT],
  });
  // A relative proto path keeps the "Original file:" comments machine-independent.
  execFileSync(process.execPath, [bin, ...FLAGS, '-O', outDir, 'logger.proto'], {
    cwd: PROTO_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

module.exports = { generateTypes, PROTO_ROOT };

if (require.main === module) {
  generateTypes(path.join(PROTO_ROOT, 'src', 'generated'));
}
