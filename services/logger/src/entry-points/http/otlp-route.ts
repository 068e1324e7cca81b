import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { AppError, untraced } from '@micromesh/kit';
import {
  decodeExportRequest,
  encodeExportResponse,
  otlpSpans,
  OtlpDecodeError,
  type OtlpExportOutcome,
  type OtlpSpan,
} from '@micromesh/proto';
import type { Express, Request } from 'express';
import type { TraceService } from '../../domain/trace-service';
import { receiveOtlp } from '../otlp-spans';

const gunzipAsync = promisify(gunzip);

export const OTLP_TRACES_PATH = '/v1/traces';

/**
 * OTLP/HTTP trace receiver (`POST /v1/traces`): protobuf (`application/x-protobuf`, what the
 * mesh's services send) or OTLP/JSON (`application/json`), optionally gzip-compressed. Mounted
 * before the kit's JSON reader, which would refuse protobuf. Its handling is never traced.
 */
export function mountOtlpRoute(app: Express, traces: TraceService, maxBodyBytes: number): void {
  app.post(OTLP_TRACES_PATH, async (req, res) => {
    const type = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
    const protobuf = type === 'application/x-protobuf';
    if (!protobuf && type !== 'application/json') {
      req.resume();
      throw new AppError(415, 'OTLP/HTTP takes application/x-protobuf or application/json');
    }
    const body = await readBody(req, maxBodyBytes);
    let read: { spans: OtlpSpan[]; invalid: number };
    try {
      read = protobuf ? decodeExportRequest(body) : otlpSpans(JSON.parse(body.toString('utf8')));
    } catch (error) {
      if (error instanceof OtlpDecodeError || error instanceof SyntaxError) {
        throw AppError.badRequest(`invalid OTLP request: ${error.message}`);
      }
      throw error;
    }
    const outcome = await untraced(() => receiveOtlp(traces, read.spans, read.invalid));
    if (protobuf) {
      res.status(200).type('application/x-protobuf').send(encodeExportResponse(outcome));
    } else {
      res.status(200).json(jsonResponse(outcome));
    }
  });
}

function jsonResponse(outcome: OtlpExportOutcome) {
  return outcome.rejected > 0
    ? {
        partialSuccess: {
          rejectedSpans: String(outcome.rejected),
          errorMessage: outcome.message,
        },
      }
    : {};
}

/** The raw body, at most `limit` bytes (after gunzip too). */
async function readBody(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) {
    req.resume();
    throw new AppError(413, 'request body too large');
  }
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > limit) {
      req.resume();
      throw new AppError(413, 'request body too large');
    }
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks);
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity') return raw;
  if (encoding !== 'gzip')
    throw new AppError(415, `unsupported content-encoding ${encoding.slice(0, 40)}`);
  try {
    return await gunzipAsync(raw, { maxOutputLength: limit });
  } catch {
    throw new AppError(400, 'invalid gzip body, or larger than the limit once decompressed');
  }
}
