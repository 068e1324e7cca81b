/**
 * The development admin's credentials, baked in by `bundle.mjs` only for a dev build
 * (MICROMESH_DEV_BUILD=1, as scripts/up and scripts/test build); null in every other build, so a
 * deployed front-end never ships a password.
 */
declare const __DEV_CREDENTIALS__: { email: string; password: string } | null;

export function devCredentials(): { email: string; password: string } | null {
  return typeof __DEV_CREDENTIALS__ === 'undefined' ? null : __DEV_CREDENTIALS__;
}
