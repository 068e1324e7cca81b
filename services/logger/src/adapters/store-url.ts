/**
 * LOG_STORE_URL as operators write it. PostgreSQL URLs are ordinary URLs; MongoDB connection
 * strings are not: a replica set names several hosts (`mongodb://a:27017,b:27017,c:27017/db`),
 * which WHATWG URL parsing rejects, and `mongodb+srv://` names one DNS name without a port.
 */
const HOST = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?$/;

/** Why the URL is not a usable store URL, or null when it is. */
export function storeUrlProblem(url: string): string | null {
  const scheme = /^([a-z+]+):\/\//.exec(url)?.[1];
  if (scheme === 'postgres' || scheme === 'postgresql') {
    return URL.canParse(url) ? null : 'is not a valid postgres:// URL';
  }
  if (scheme !== 'mongodb' && scheme !== 'mongodb+srv') {
    return 'must start with postgres://, postgresql://, mongodb:// or mongodb+srv://';
  }
  const rest = url.slice(scheme.length + 3);
  // userinfo ends at the last '@' before the path (passwords are percent-encoded, '@' too).
  const authorityEnd = rest.search(/[/?]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const hostList = authority.slice(authority.lastIndexOf('@') + 1);
  const hosts = hostList.split(',');
  for (const host of hosts) {
    const match = HOST.exec(host);
    if (!match) return `has an invalid host "${host}"`;
    const port = match[2];
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
      return `has an invalid port in "${host}"`;
    }
    if (scheme === 'mongodb+srv' && port !== undefined) {
      return 'is mongodb+srv:// and so names no port';
    }
  }
  if (scheme === 'mongodb+srv' && hosts.length !== 1) {
    return 'is mongodb+srv:// and so names exactly one host';
  }
  const path = authorityEnd === -1 ? '' : rest.slice(authorityEnd);
  if (path !== '' && !/^\/[^/\s]*(\?\S*)?$|^\?\S*$/.test(path)) {
    return 'has an invalid database path or options';
  }
  return null;
}

/** The adapter a store URL's scheme names; throws for any other scheme. */
export function storeBackend(url: string): 'postgres' | 'mongo' {
  // Not new URL(): a replica set's connection string names several hosts, which URL rejects.
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0].toLowerCase();
  if (scheme === 'postgres:' || scheme === 'postgresql:') return 'postgres';
  if (scheme === 'mongodb:' || scheme === 'mongodb+srv:') return 'mongo';
  throw new Error(`unsupported LOG_STORE_URL scheme: ${scheme ?? '(none)'}`);
}
