#!/usr/bin/env node
/**
 * Makes (or keeps) the dev CA and one certificate per service:
 *
 *   node dev-certs-cli.js <dir> <service>... [--san-local] [--owner uid:gid] [--ca-out <dir>]
 *
 * `--san-local` adds localhost/127.0.0.1 to every certificate (native runs, where services call
 * each other on loopback). `--ca-out` also copies the CA certificate (never its key) into a
 * directory, for clients that only verify (compose's Prometheus). scripts/lib/bootstrap.sh and
 * the compose init step run it.
 */
import { chownSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDevCertificates } from './dev-certificates';

const VALUE_FLAGS = ['--owner', '--ca-out'];

function flag(argv: string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
}

async function main(argv: string[]): Promise<void> {
  const positional = argv.filter(
    (a, i) => !a.startsWith('--') && !VALUE_FLAGS.includes(argv[i - 1] ?? ''),
  );
  const [dir, ...services] = positional;
  if (!dir || services.length === 0) {
    process.stderr.write(
      'usage: dev-certs-cli <dir> <service>... [--san-local] [--owner uid:gid]\n',
    );
    process.exit(64);
  }
  const ownerArg = flag(argv, '--owner');
  const owner =
    ownerArg && /^\d+:\d+$/.test(ownerArg)
      ? { uid: Number(ownerArg.split(':')[0]), gid: Number(ownerArg.split(':')[1]) }
      : undefined;
  const local = argv.includes('--san-local');
  const result = ensureDevCertificates(dir, services, {
    dnsNames: local ? ['localhost'] : [],
    ipAddresses: local ? ['127.0.0.1'] : [],
    owner,
  });
  const caOut = flag(argv, '--ca-out');
  if (caOut) {
    mkdirSync(caOut, { recursive: true });
    copyFileSync(join(dir, 'ca', 'ca.crt'), join(caOut, 'ca.crt'));
    if (owner) chownSync(join(caOut, 'ca.crt'), owner.uid, owner.gid);
  }
  process.stdout.write(
    `mesh TLS in ${dir}: created [${result.created.join(' ')}], kept [${result.kept.join(' ')}]\n`,
  );
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`dev-certs-cli: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
