import type { Access, AccessRule } from '@micromesh/contracts';
import { error, type ResponseDoc } from './operations';

/** An OpenAPI security requirement: `{}` is "no credential". */
export type Requirement = Record<string, string[]>;

const CREDENTIALS: Requirement[] = [{ bearer: [] }, { apiKey: [] }];

/**
 * Who may call a route, read off its access rules: nobody needs to sign in, a token or an API
 * key, a token only. Several rules: POST /handle, where `auth` is public and the rest are not.
 */
export function securityOf(rules: readonly AccessRule[]): Requirement[] | undefined {
  const accesses: Access[] = rules.map((r) => r.access);
  if (accesses.every((a) => a.kind === 'public')) return undefined;
  if (accesses.every((a) => a.kind === 'token')) return [{ bearer: [] }];
  return accesses.some((a) => a.kind === 'public') ? [{}, ...CREDENTIALS] : CREDENTIALS;
}

/** 401 wherever a credential is needed; 403 naming the scope each rule asks for. */
export function accessAnswers(rules: readonly AccessRule[]): Record<string, ResponseDoc> {
  const answers: Record<string, ResponseDoc> = {};
  if (rules.some((r) => r.access.kind !== 'public')) {
    answers['401'] = error('Missing, invalid, expired or revoked credentials');
  }
  const scopes = rules.flatMap(({ access, action }) =>
    access.kind === 'scope' || access.kind === 'self-or-scope'
      ? [`${action ? `${action}: ` : ''}${access.scope}`]
      : [],
  );
  const own = rules.some((r) => r.access.kind === 'self-or-scope') ? ' (or one’s own user id)' : '';
  if (scopes.length) {
    answers['403'] = error(`The credential lacks the scope: ${scopes.join(', ')}${own}`);
  }
  return answers;
}
