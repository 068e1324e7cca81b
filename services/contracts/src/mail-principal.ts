/**
 * The headers the broker sets on its calls to the mail service (over mutual TLS, so only the
 * broker sets them). Two identities, because they answer two questions:
 * - `X-Principal`: the calling credential (`user:<id>` for a token session, `key:<id>` for an API
 *   key). It scopes idempotency keys and the messages the caller may read, so two credentials of
 *   one user never answer each other's retries or read each other's mail.
 * - `X-Quota-Owner`: whom the mail is charged to (`user:<id>`, the credential's owner). Every
 *   session and API key of one user shares one quota, so minting keys does not multiply it.
 *   Without it, the quota is charged to `X-Principal`.
 */
export const PRINCIPAL_HEADER = 'x-principal';
export const QUOTA_OWNER_HEADER = 'x-quota-owner';
