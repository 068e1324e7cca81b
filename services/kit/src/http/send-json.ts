import type { ServerResponse } from 'node:http';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Answers `body` as JSON with `status`: what Express's `res.status(s).json(b)` sends, written
 * directly. Express's path re-derives the content type through `mime-types` and re-parses it to
 * set the charset, on every response; an API that answers JSON on its hot path knows both.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', JSON_TYPE);
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}
