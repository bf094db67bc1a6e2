/**
 * A stand-in for SSM Parameter Store's JSON API, for the few calls the admin host makes
 * (PutParameter, DeleteParameter). Nothing that speaks SSM runs locally, so this is the one fake:
 * it keeps what it was sent, so a test can check the type, the key and that nothing else was called.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredParameter {
  Value: string;
  Type: string;
  KeyId?: string;
}

export interface FakeSsm {
  url: string;
  parameters: Map<string, StoredParameter>;
  /** Every X-Amz-Target received, in order. */
  calls: string[];
  stop(): Promise<void>;
}

export async function startFakeSsm(): Promise<FakeSsm> {
  const parameters = new Map<string, StoredParameter>();
  const calls: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      calls.push(target);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const reply = (status: number, payload: unknown) =>
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(payload));
      const name = String(body.Name);
      if (target === 'AmazonSSM.PutParameter') {
        if (parameters.has(name) && body.Overwrite !== true) {
          return reply(400, { __type: 'ParameterAlreadyExists', message: name });
        }
        parameters.set(name, {
          Value: String(body.Value),
          Type: String(body.Type),
          ...(typeof body.KeyId === 'string' && { KeyId: body.KeyId }),
        });
        return reply(200, { Version: 1, Tier: 'Standard' });
      }
      if (target === 'AmazonSSM.DeleteParameter') {
        if (!parameters.delete(name)) return reply(400, { __type: 'ParameterNotFound', message: name });
        return reply(200, {});
      }
      return reply(400, { __type: 'InvalidAction', message: `fake SSM does not answer ${target}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    parameters,
    calls,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
