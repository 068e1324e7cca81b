/**
 * The exit codes every command keeps (documented in `micromesh --help` and the README), so
 * scripts can tell "fix your flags" from "log in again" from "the mesh is down".
 */
export const EXIT = {
  ok: 0,
  /** Refused by the mesh for another reason (400, 404, 409, 422, 429…). */
  failed: 1,
  /** Bad flags or arguments. */
  usage: 2,
  /** Not logged in, token expired or revoked, or not allowed (401/403). */
  auth: 3,
  /** The broker (or the service behind it) cannot be reached or answered 5xx. */
  unavailable: 4,
  /** `health`: something is not ready. */
  notReady: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that ends the command with one line on stderr and a documented exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  refused by the mesh (validation, not found, conflict, rate limit…)
  2  usage error (unknown command or flag, bad value)
  3  authentication: not logged in, token expired or revoked, or not allowed
  4  unavailable: the broker or a service behind it cannot be reached or failed (5xx)
  5  health: something is not ready`;
