import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SigningKeyRing } from '../domain/ports';
import { signingKeyFromPem, type JwtTokenService, type SigningKey } from './jwt-token-service';

export interface KeyFile {
  /** File name without `.pem`, e.g. `2026-11-22`. */
  stem: string;
  pem: string;
}

/**
 * Reads every `*.pem` in the keys directory, sorted by file name (oldest first), so date-named
 * files put the newest key last. Fails when there is none: auth cannot issue tokens without one.
 */
export async function readKeyFiles(dir: string): Promise<KeyFile[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.pem')).sort();
  } catch (err) {
    throw new Error(`cannot read JWT keys directory ${dir}`, { cause: err });
  }
  if (names.length === 0) throw new Error(`no *.pem signing key in ${dir}`);
  return Promise.all(
    names.map(async (name) => ({
      stem: name.slice(0, -'.pem'.length),
      pem: await readFile(path.join(dir, name), 'utf8'),
    })),
  );
}

/** The directory's keys, parsed, oldest first (the last one signs). */
export async function readSigningKeys(dir: string): Promise<SigningKey[]> {
  const files = await readKeyFiles(dir);
  return Promise.all(files.map((f) => signingKeyFromPem(f.pem, `${f.stem}.pem`)));
}

/**
 * The keys directory behind the token service: a rotation (a new, later-named PEM; an old one
 * removed once its tokens expired) takes effect at the next reload.
 */
export class SigningKeyDirectory implements SigningKeyRing {
  constructor(
    private readonly dir: string,
    private readonly tokens: JwtTokenService,
  ) {}

  async reload(): Promise<{ changed: boolean; signingKid: string; kids: string[] }> {
    const keys = await readSigningKeys(this.dir);
    const next = [...keys].reverse().map((k) => k.kid);
    const changed = next.join() !== this.tokens.kids.join();
    if (changed) this.tokens.replaceKeys(keys);
    return { changed, signingKid: this.tokens.signingKid, kids: this.tokens.kids };
  }
}
