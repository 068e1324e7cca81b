export type Role = 'user' | 'admin';

/** Who is calling, as established at the edge from a verified JWT or an introspected API key. */
export interface Principal {
  kind: 'user' | 'api-key';
  subject: string;
  role: Role;
  /** Rate-limit identity: `user:<sub>` or `key:<key id>`. */
  clientKey: string;
}
