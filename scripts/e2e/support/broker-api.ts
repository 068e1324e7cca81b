import { ADMIN } from './test-mesh';

export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  body: { error: boolean; message: string; data?: T };
}

/** One JSON call over real HTTP, as a client of the public API would make it. */
export async function call<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: JsonResponse<T>['body'];
  try {
    body = JSON.parse(text) as JsonResponse<T>['body'];
  } catch {
    throw new Error(`${method} ${path} → ${res.status}, not JSON: ${text.slice(0, 200)}`);
  }
  return { status: res.status, body };
}

interface AuthData {
  user: { email: string };
  token: { access_token: string };
}

/** Logs in with the broker's auth action and returns the access token. */
export async function login(brokerUrl: string, credentials = ADMIN): Promise<string> {
  const res = await call<AuthData>(brokerUrl, 'POST', '/handle', {
    body: { action: 'auth', auth: credentials },
  });
  const token = res.body.data?.token.access_token;
  if (res.status !== 202 || !token) {
    throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return token;
}

export interface StoredLog {
  event_id: string;
  name: string;
  data: string;
  level: string;
  service: string;
  trace_id?: string;
}

/** Entries the logger has stored whose name/data contain every word of `text`. */
export async function findLogs(loggerUrl: string, text: string): Promise<StoredLog[]> {
  const res = await call<{ entries: StoredLog[] }>(
    loggerUrl,
    'GET',
    `/logs?text=${encodeURIComponent(text)}&limit=50`,
  );
  if (res.status !== 200) throw new Error(`GET /logs → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data?.entries ?? [];
}

export interface InboxMail {
  subject: string;
  to: { address: string }[];
  from: { address: string }[];
  text?: string;
}

/** What the SMTP sink (maildev) received, through its REST API. */
export async function inbox(inboxUrl: string): Promise<InboxMail[]> {
  const res = await fetch(`${inboxUrl}/email`);
  if (!res.ok) throw new Error(`maildev GET /email → ${res.status}`);
  return (await res.json()) as InboxMail[];
}
