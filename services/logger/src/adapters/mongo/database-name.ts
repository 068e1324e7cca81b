const SYSTEM_DATABASES = new Set(['admin', 'local', 'config']);

/**
 * The database the logs go to: LOG_STORE_DB when set, else the path of LOG_STORE_URL
 * (`mongodb://h1,h2,h3/micromesh_logs?replicaSet=rs0`). Never a system database: URLs handed out
 * by replica-set operators often end in `/admin` (the authentication database), and writing the
 * logs there would mix them with the server's users and roles — name the database explicitly
 * then (LOG_STORE_DB), and keep `/admin` or `authSource=admin` for the credentials.
 */
export function mongoDatabaseName(url: string, explicit?: string): string {
  // Not `new URL()`: it rejects the multi-host form `mongodb://a:27017,b:27017/db`.
  const path = /^mongodb(?:\+srv)?:\/\/[^/?#]*\/([^?#]*)/.exec(url)?.[1] ?? '';
  const name = explicit?.trim() || decodeURIComponent(path);
  if (!name) {
    throw new Error(
      'MongoDB log store: name the database with LOG_STORE_DB or in the path of LOG_STORE_URL (mongodb://host/micromesh_logs)',
    );
  }
  if (SYSTEM_DATABASES.has(name)) {
    throw new Error(
      `MongoDB log store: "${name}" is a system database; set LOG_STORE_DB to the logs' database (authentication can stay on ${name} with authSource=${name})`,
    );
  }
  if (/[/\\. "$\0]/.test(name) || name.length > 63) {
    throw new Error(`MongoDB log store: "${name}" is not a valid database name`);
  }
  return name;
}
