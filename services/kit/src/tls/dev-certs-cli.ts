#!/usr/bin/env node
/**
 * Makes (or keeps) the dev CA and one certificate per service:
 *
 *   node dev-certs-cli.js <dir> <service>... [--san-local] [--owner uid:gid]
 *
 * `--san-local` adds localhost/127.0.0.1 to every certificate (native runs, where services call
 * each other on loopback). scripts/lib/bootstrap.sh and the compose init step run it.
 */
import { ensureDevCertificates } from './dev-certificates';

async function main(argv: string[]): Promise<void> {
  const positional = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--owner');
  const [dir, ...services] = positional;
  if (!dir || services.length === 0) {
    process.stderr.write(
      'usage: dev-certs-cli <dir> <service>... [--san-local] [--owner uid:gid]\n',
    );
    process.exit(64);
  }
  const ownerArg = argv[argv.indexOf('--owner') + 1];
  const owner =
    argv.includes('--owner') && ownerArg && /^\d+:\d+$/.test(ownerArg)
      ? { uid: Number(ownerArg.split(':')[0]), gid: Number(ownerArg.split(':')[1]) }
      : undefined;
  const local = argv.includes('--san-local');
  const result = ensureDevCertificates(dir, services, {
    dnsNames: local ? ['localhost'] : [],
    ipAddresses: local ? ['127.0.0.1'] : [],
    owner,
  });
  process.stdout.write(
    `mesh TLS in ${dir}: created [${result.created.join(' ')}], kept [${result.kept.join(' ')}]\n`,
  );
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`dev-certs-cli: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
