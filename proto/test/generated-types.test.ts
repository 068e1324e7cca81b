import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadLoggerPackage } from '@micromesh/proto';

// The generator script is plain CommonJS so `pnpm generate` needs no build step.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generateTypes, PROTO_ROOT } = require('../scripts/generate-types.cjs') as {
  generateTypes: (outDir: string) => void;
  PROTO_ROOT: string;
};

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe('generated TypeScript types', () => {
  let freshDir: string;

  beforeAll(() => {
    freshDir = mkdtempSync(path.join(tmpdir(), 'proto-gen-'));
    generateTypes(freshDir);
  });
  afterAll(() => rmSync(freshDir, { recursive: true, force: true }));

  it('When logger.proto is regenerated, then the committed src/generated is identical', () => {
    const committedDir = path.join(PROTO_ROOT, 'src', 'generated');

    const fresh = listFiles(freshDir);

    expect(listFiles(committedDir)).toEqual(fresh);
    for (const file of fresh) {
      expect({ file, text: readFileSync(path.join(committedDir, file), 'utf8') }).toEqual({
        file,
        text: readFileSync(path.join(freshDir, file), 'utf8'),
      });
    }
  });

  it('When the proto is loaded at run time, then LogService has the three typed methods', () => {
    const { service } = loadLoggerPackage().logs.LogService;

    expect(Object.keys(service).sort()).toEqual(['QueryLogs', 'WriteLog', 'WriteLogs']);
    expect(service.WriteLog.path).toBe('/logs.LogService/WriteLog');
  });
});
