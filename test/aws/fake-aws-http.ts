/**
 * A fake HTTP layer for AWS SDK v3 clients of services that cannot run here (Rekognition, IoT).
 * The real client serialises each request and parses each response and error, so tests assert
 * the exact wire request and exercise the SDK's own error mapping; only the network is replaced.
 */
import { Readable } from 'node:stream';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[] | null>;
  /** `x-amz-target` for JSON-protocol services (e.g. `RekognitionService.IndexFaces`). */
  target: string | undefined;
  headers: Record<string, string>;
  body: Buffer;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

export interface FakeResponse {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Responder = (request: RecordedRequest) => FakeResponse;

/** An AWS JSON error body as Rekognition and IoT send it. */
export function awsError(type: string, message: string, status = 400): FakeResponse {
  return { status, body: { __type: type, message, Message: message }, headers: { 'x-amzn-errortype': type } };
}

export function fakeAwsHttp(respond: Responder) {
  const requests: RecordedRequest[] = [];
  const requestHandler = {
    async handle(request: {
      method: string;
      path: string;
      query?: Record<string, string | string[] | null>;
      headers: Record<string, string>;
      body?: unknown;
    }) {
      const body =
        request.body === undefined || request.body === null
          ? Buffer.alloc(0)
          : Buffer.from(request.body as Uint8Array | string);
      let json: unknown;
      try {
        json = body.length ? JSON.parse(body.toString('utf8')) : undefined;
      } catch {
        json = undefined;
      }
      const recorded: RecordedRequest = {
        method: request.method,
        path: request.path,
        query: request.query ?? {},
        target: request.headers['x-amz-target'],
        headers: request.headers,
        body,
        json,
      };
      requests.push(recorded);
      const res = respond(recorded);
      const payload = res.body === undefined ? '' : typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
      return {
        response: {
          statusCode: res.status ?? 200,
          headers: { 'content-type': 'application/json', ...(res.headers ?? {}) },
          body: Readable.from([Buffer.from(payload)]),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
  };
  return { requestHandler, requests };
}

export const fakeClientConfig = {
  region: 'eu-west-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  maxAttempts: 1,
} as const;
