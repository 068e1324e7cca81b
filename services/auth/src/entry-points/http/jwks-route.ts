import type { Express } from 'express';
import type { Tokens } from '../../domain/ports';

/** The public keys that verify access tokens (RFC 7517), cacheable for a few minutes. */
export function mountJwksRoute(app: Express, tokens: Tokens): void {
  app.get('/.well-known/jwks.json', (_req, res) => {
    res.set('cache-control', 'public, max-age=300').json(tokens.publicJwks());
  });
}
