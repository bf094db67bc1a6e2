/**
 * IoT Core's Data Plane `Publish`, standing in on the local broker: a plain HTTP server that takes
 * what the unmodified IoTDataPlaneClient sends (`POST /topics/{topic}?qos=N`, the payload as the
 * body, signed with Signature Version 4 for service `iotdata`), checks the signature against the
 * one credential it knows, and publishes the payload on the broker with the back end's
 * certificate, where the broker's topic rules apply (the back end may publish commands only).
 * Point the SDK at it with AWS_ENDPOINT_URL_IOT_DATA_PLANE.
 *
 * Refused as IoT Core would refuse them: a bad or missing signature (403 ForbiddenException), a
 * retained publish (the Lambdas' role has no iot:RetainPublish: 403 UnauthorizedException), any
 * other operation (404), a publish the broker does not accept (403 UnauthorizedException).
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export interface PublishedMessage {
  topic: string;
  qos: 0 | 1;
  payload: Buffer;
}

export interface IotDataEndpoint {
  /** For AWS_ENDPOINT_URL_IOT_DATA_PLANE. */
  url: string;
  /** What reached the broker, in order. */
  readonly published: readonly PublishedMessage[];
  /** Requests refused, with the reason. */
  readonly refused: readonly string[];
  close(): Promise<void>;
}

export interface IotDataEndpointOptions {
  /** mqtt.js options of a client the broker lets publish commands (the back end's certificate). */
  mqtt: IClientOptions;
  /** The one credential whose signature is accepted, and the region it must be scoped to. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
}

const MAX_BODY_BYTES = 128 * 1024 + 1; // IoT Core's message limit, plus one to tell "over" from "at"

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 percent-encoding, as Signature Version 4 wants it. */
const uriEncode = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Signature Version 4 of a request as received (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
 * Services other than S3 encode the path's segments once more for the canonical request, so
 * `%2F` in the topic becomes `%252F`.
 */
function checkSignature(
  req: http.IncomingMessage,
  body: Buffer,
  options: IotDataEndpointOptions,
): { ok: true } | { ok: false; reason: string } {
  const auth =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      req.headers.authorization ?? '',
    );
  if (!auth) return { ok: false, reason: 'no Signature Version 4 Authorization header' };
  const [, accessKeyId, date, region, service, signedHeaders, signature] = auth as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (accessKeyId !== options.credentials.accessKeyId)
    return { ok: false, reason: `unknown access key ${accessKeyId}` };
  if (region !== options.region) return { ok: false, reason: `signed for region ${region}, not ${options.region}` };
  if (service !== 'iotdata') return { ok: false, reason: `signed for service ${service}, not iotdata` };
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!amzDate.startsWith(date)) return { ok: false, reason: 'x-amz-date does not match the credential scope' };
  const url = new URL(req.url ?? '/', 'http://localhost');
  const canonicalPath = url.pathname
    .split('/')
    .map((segment) => uriEncode(segment))
    .join('/');
  const canonicalQuery = [...url.searchParams]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const names = signedHeaders.split(';');
  if (!names.includes('host')) return { ok: false, reason: 'host is not signed' };
  const canonicalHeaders = names
    .map((name) => {
      const value = req.headers[name];
      return `${name}:${(Array.isArray(value) ? value.join(',') : (value ?? '')).trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const payloadHash = sha256(body);
  const declared = req.headers['x-amz-content-sha256'];
  if (declared !== undefined && declared !== payloadHash) return { ok: false, reason: 'x-amz-content-sha256 mismatch' };
  const canonicalRequest = [
    req.method,
    canonicalPath,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${options.credentials.secretAccessKey}`, date);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
  return expected === signature ? { ok: true } : { ok: false, reason: 'signature does not match' };
}

/** The broker refuses a publish by dropping the connection (MQTT 3.1.1 has no negative PUBACK). */
async function publishOrDropped(client: MqttClient, topic: string, payload: Buffer, qos: 0 | 1): Promise<void> {
  let onClose = () => {};
  const dropped = new Promise<never>((_, reject) => {
    onClose = () => reject(new Error('the broker dropped the connection'));
    client.once('close', onClose);
  });
  try {
    await Promise.race([client.publishAsync(topic, payload, { qos, retain: false }), dropped]);
  } finally {
    client.off('close', onClose);
  }
}

export async function startIotDataEndpoint(options: IotDataEndpointOptions): Promise<IotDataEndpoint> {
  const client: MqttClient = await mqtt.connectAsync(options.mqtt);
  const published: PublishedMessage[] = [];
  const refused: string[] = [];

  const reply = (res: http.ServerResponse, status: number, type?: string, message?: string) => {
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json' };
    if (type) headers['x-amzn-errortype'] = type;
    res.writeHead(status, headers).end(type ? JSON.stringify({ message }) : '');
  };
  const refuse = (res: http.ServerResponse, status: number, type: string, message: string) => {
    refused.push(message);
    reply(res, status, type, message);
  };

  async function handle(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): Promise<void> {
    const signed = checkSignature(req, body, options);
    if (!signed.ok) return refuse(res, 403, 'ForbiddenException', signed.reason);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/topics\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'POST' || !match) {
      return refuse(res, 404, 'ResourceNotFoundException', `${req.method} ${url.pathname}: only Publish is served`);
    }
    const topic = decodeURIComponent(match[1]!);
    if (body.length >= MAX_BODY_BYTES) return refuse(res, 413, 'RequestEntityTooLargeException', 'payload too large');
    if (url.searchParams.get('retain') === 'true') {
      return refuse(res, 403, 'UnauthorizedException', 'retained publish: the role has no iot:RetainPublish');
    }
    const qos = Number(url.searchParams.get('qos') ?? '0');
    if (qos !== 0 && qos !== 1) return refuse(res, 400, 'InvalidRequestException', `qos ${qos}`);
    try {
      await publishOrDropped(client, topic, body, qos);
    } catch (err) {
      return refuse(res, 403, 'UnauthorizedException', `the broker did not accept ${topic}: ${(err as Error).message}`);
    }
    published.push({ topic, qos, payload: body });
    reply(res, 200);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      handle(req, Buffer.concat(chunks), res).catch((err: unknown) =>
        reply(res, 500, 'InternalFailureException', (err as Error).message),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    published,
    refused,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await client.endAsync(true);
    },
  };
}
