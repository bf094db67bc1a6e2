/**
 * rekognition-local's HTTP side: Rekognition's JSON 1.1 protocol, so the unmodified AWS SDKs
 * (JavaScript v3, boto3) work against it with only an endpoint override. A request is a POST of
 * `application/x-amz-json-1.1` with `X-Amz-Target: RekognitionService.<Operation>`; an error is a
 * 4xx/5xx with `{"__type": "<ExceptionName>", "message": …}`, which the SDKs raise as that
 * exception. Signatures are not checked (any credentials work): this serves one machine's tests
 * and offline runs, and listens on 127.0.0.1 unless told otherwise.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { Logger } from '../../../../../lib/logger.js';
import { OPERATIONS, SCHEMAS, type OperationContext, type OperationName } from './operations.js';
import { RekognitionError } from './rekognition-errors.js';

/** A 5 MB image in base64 (6.7 MB) plus the rest of the request. */
export const MAX_BODY_BYTES = 7 * 1024 * 1024;
const TARGET_PREFIX = 'RekognitionService.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

export interface RekognitionHttpServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

function isOperation(name: string): name is OperationName {
  return Object.hasOwn(SCHEMAS, name);
}

/** Reads the body up to `limit` bytes; null when it is longer (the rest is not read). */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return resolve(null);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        resolve(null);
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startRekognitionHttpServer(options: {
  context: OperationContext;
  logger: Logger;
  port: number;
  host?: string;
}): Promise<RekognitionHttpServer> {
  const log = options.logger.child({ component: 'rekognition-local' });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const send = (status: number, body: object, close = false) => {
      const payload = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': CONTENT_TYPE,
        'content-length': Buffer.byteLength(payload),
        'x-amzn-requestid': requestId,
        ...(status >= 400 ? { 'x-amzn-errortype': (body as { __type: string }).__type } : {}),
        ...(close ? { connection: 'close' } : {}),
      });
      res.end(payload);
    };
    const fail = (err: RekognitionError, close = false) =>
      send(err.status, { __type: err.type, message: err.message }, close);

    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    if (req.method !== 'POST' || !isOperation(operation)) {
      log.warn({ method: req.method, target }, 'unknown operation refused');
      req.resume();
      return fail(new RekognitionError('UnknownOperationException', `unsupported operation ${JSON.stringify(target)}`));
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === null) {
      log.warn({ operation }, 'request body over the limit refused');
      // Close the connection: the rest of the oversized body is never read.
      return fail(
        new RekognitionError('ImageTooLargeException', `Request is larger than ${MAX_BODY_BYTES} bytes`),
        true,
      );
    }
    let json: unknown;
    try {
      json = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      log.warn({ operation }, 'request body is not JSON');
      return fail(new RekognitionError('SerializationException', 'request body is not valid JSON'));
    }
    const parsed = SCHEMAS[operation].safeParse(json);
    if (!parsed.success) {
      const message = z.prettifyError(parsed.error);
      log.warn({ operation, issues: message }, 'invalid request refused');
      return fail(new RekognitionError('InvalidParameterException', `${operation}: ${message}`));
    }
    const started = performance.now();
    try {
      const run = OPERATIONS[operation] as (ctx: OperationContext, input: unknown) => Promise<object>;
      const output = await run(options.context, parsed.data);
      log.info({ operation, ms: Math.round(performance.now() - started) }, 'request served');
      send(200, output);
    } catch (err) {
      if (err instanceof RekognitionError) {
        log.info({ operation, error: err.type, message: err.message }, 'request refused');
        return fail(err);
      }
      log.error({ err, operation }, 'request failed');
      fail(new RekognitionError('InternalServerError', 'internal error', 500));
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error({ err }, 'request handling crashed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.requestTimeout = 120_000;
  server.headersTimeout = 30_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
