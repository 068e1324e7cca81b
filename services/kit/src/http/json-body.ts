import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import { AppError } from '../errors/app-error';
import { resumeRequestScope } from './request-scope';

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** `100kb`, `1mb`, `512` (bytes) → bytes. */
export function parseByteSize(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(value);
  if (!match) throw new Error(`not a byte size: ${value}`);
  return Math.floor(Number(match[1]) * UNITS[(match[2] ?? 'b').toLowerCase()]!);
}

function hasBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** `application/json` or any `+json` type, with no charset or a UTF-8 one. */
function checkContentType(header: string | undefined): AppError | undefined {
  const [type = '', ...params] = (header ?? '').toLowerCase().split(';');
  const mediaType = type.trim();
  if (mediaType !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(mediaType)) {
    return new AppError(415, 'content-type must be application/json');
  }
  for (const param of params) {
    const [name, raw = ''] = param.split('=');
    const charset = raw.trim().replace(/^"|"$/g, '');
    if (name?.trim() === 'charset' && charset !== 'utf-8' && charset !== 'utf8') {
      return new AppError(415, 'unsupported body encoding');
    }
  }
  return undefined;
}

/** Deepest nesting of arrays and objects a request body may have (deeper: 400 before parsing). */
export const MAX_JSON_DEPTH = 64;

/**
 * The nesting depth of JSON text, counted without parsing it (brackets inside strings ignored),
 * stopping as soon as it passes `limit`. A hostile body of 50 000 `[` then costs one linear scan
 * and a 400, never a recursion in a parser, a validator or a serializer further on.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Reads a JSON request body into `req.body` (strict: an object or an array). The gateway's hot
 * path parses a body on every request, so this replaces body-parser + type-is with the few checks
 * an API needs: a body must be UTF-8 JSON (415), not compressed (415), at most `limit` bytes (413,
 * refused from Content-Length before reading when it can be), nested at most `maxDepth` levels
 * (400), and well-formed (400).
 */
export function jsonBody(limit: string | number, maxDepth = MAX_JSON_DEPTH): RequestHandler {
  const limitBytes = typeof limit === 'number' ? limit : parseByteSize(limit);
  return (req, _res, next) => {
    if (!hasBody(req.headers)) {
      next();
      return;
    }
    const refusal = checkContentType(req.headers['content-type']);
    if (refusal) {
      next(refusal);
      return;
    }
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
      next(new AppError(415, `unsupported content-encoding ${encoding.slice(0, 40)}`));
      return;
    }
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limitBytes) {
      req.resume(); // let the socket drain so the 413 can be read by the client
      next(new AppError(413, 'request body too large'));
      return;
    }

    const chunks: Buffer[] = [];
    let received = 0;
    let done = false;
    const finish = (err?: AppError) => {
      if (done) return;
      done = true;
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('error', onError);
      req.removeListener('aborted', onAborted);
      if (err) {
        req.resume();
        // The body's events fire in the socket's context: the handlers after this run in the
        // request's (its request id, its trace span), as they would without a body.
        resumeRequestScope(req, () => next(err));
        return;
      }
      resumeRequestScope(req, () => next());
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limitBytes) finish(new AppError(413, 'request body too large'));
      else chunks.push(chunk);
    };
    const onEnd = () => {
      const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
      const first = text.trimStart()[0];
      if (first !== '{' && first !== '[') {
        finish(new AppError(400, 'malformed JSON body'));
        return;
      }
      if (jsonDepthExceeds(text, maxDepth)) {
        finish(new AppError(400, `JSON body nested deeper than ${maxDepth} levels`));
        return;
      }
      try {
        req.body = JSON.parse(text) as unknown;
      } catch (err) {
        finish(new AppError(400, 'malformed JSON body', { cause: err }));
        return;
      }
      finish();
    };
    const onError = (err: Error) => finish(new AppError(400, 'request aborted', { cause: err }));
    const onAborted = () => finish(new AppError(400, 'request aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  };
}
