import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A temporary JWT keys directory, laid out like `.secrets/jwt/` (one dated PEM per key). */
export interface KeysDir {
  dir: string;
  /** Adds an Ed25519 PKCS#8 key file `<stem>.pem`; returns the PEM. */
  add(stem: string): Promise<string>;
  remove(): Promise<void>;
}

export async function createKeysDir(...stems: string[]): Promise<KeysDir> {
  const dir = await mkdtemp(path.join(tmpdir(), 'auth-jwt-'));
  const keysDir: KeysDir = {
    dir,
    async add(stem) {
      const { privateKey } = generateKeyPairSync('ed25519');
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      await writeFile(path.join(dir, `${stem}.pem`), pem, { mode: 0o600 });
      return pem;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
  for (const stem of stems) await keysDir.add(stem);
  return keysDir;
}
