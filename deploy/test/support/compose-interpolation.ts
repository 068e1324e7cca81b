/**
 * Compose's variable substitution, for the forms docker-compose.yml uses: ${VAR}, ${VAR:-default},
 * ${VAR-default}, ${VAR:?message}, ${VAR?message}, and $$ for a literal $.
 */
export function interpolate(value: string, vars: Record<string, string>): string {
  return value
    .replace(/\$\{(\w+)(?:(:?)([-?])([^}]*))?\}/g, (_match, name: string, colon, op, arg) => {
      const current = vars[name];
      const missing = current === undefined || (colon === ':' && current === '');
      if (!missing) return current;
      if (op === '?') throw new Error(`${name} is required: ${String(arg)}`);
      return op === '-' ? String(arg) : '';
    })
    .replace(/\$\$/g, '$');
}

/** KEY=value lines of a dotenv file (comments and blank lines skipped). */
export function parseDotenv(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/^(\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!.trim()]));
}
