import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface JwtKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#8 PEM of the private key, as written to the file. */
  pem: string;
}

/** A temporary JWT keys directory laid out like `.secrets/jwt/`: one `<stem>.pem` per key. */
export interface JwtKeysDir {
  dir: string;
  /** Writes a new Ed25519 key as `<stem>.pem` (auth signs with the last stem in sort order). */
  add(stem: string): Promise<JwtKey>;
  remove(): Promise<void>;
}

/** For any test or tool that runs the real auth service (AUTH_JWT_KEYS_DIR). */
export async function createJwtKeysDir(...stems: string[]): Promise<JwtKeysDir> {
  const dir = await mkdtemp(path.join(tmpdir(), 'micromesh-jwt-'));
  const keysDir: JwtKeysDir = {
    dir,
    async add(stem) {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      await writeFile(path.join(dir, `${stem}.pem`), pem, { mode: 0o600 });
      return { privateKey, publicKey, pem };
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
  for (const stem of stems) await keysDir.add(stem);
  return keysDir;
}
