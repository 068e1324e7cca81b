import fs from 'node:fs';

/** One .dockerignore rule: a path pattern, `!` re-including what an earlier rule excluded. */
interface Rule {
  pattern: RegExp;
  include: boolean;
}

/** Docker's pattern syntax (Go filepath.Match plus `**`), as a regular expression on a path. */
function toRegExp(pattern: string): RegExp {
  let source = '';
  const clean = pattern.replace(/^\/+/, '').replace(/\/+$/, '');
  for (let i = 0; i < clean.length; i += 1) {
    const c = clean[i]!;
    if (c === '*' && clean[i + 1] === '*') {
      source += '.*';
      i += 1;
      if (clean[i + 1] === '/') i += 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export function readDockerignore(file: string): Rule[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) =>
      line.startsWith('!')
        ? { pattern: toRegExp(line.slice(1)), include: true }
        : { pattern: toRegExp(line), include: false },
    );
}

/**
 * Whether the build context leaves the path out: the last rule matching it, or one of its parent
 * directories, decides (a directory left out takes its contents with it).
 */
export function isExcluded(rules: Rule[], relativePath: string): boolean {
  const parts = relativePath.split('/');
  const candidates = parts.map((_p, i) => parts.slice(0, i + 1).join('/'));
  let excluded = false;
  for (const rule of rules) {
    if (candidates.some((candidate) => rule.pattern.test(candidate))) excluded = !rule.include;
  }
  return excluded;
}
