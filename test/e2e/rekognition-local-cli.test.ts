/**
 * `npx facegate rekognition-local --port N` as a person runs it: the real binary starts the face
 * engine, prints where it listens, serves the SDK and stops cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { CreateCollectionCommand, ListCollectionsCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../face/faces-dataset.js';
import { freePort } from '../support/free-port.js';

const BIN = path.join(REPO_ROOT, 'bin/facegate.mjs');

function runFacegate(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, FACEGATE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe('facegate rekognition-local', () => {
  it('refuses to start without --port, as a usage error', async () => {
    const run = runFacegate(['rekognition-local']);
    expect(await run.exited).toBe(2);
    expect(run.output().stderr).toMatch(/--port/);
  });

  it('serves the AWS SDK on the port it is given and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const run = runFacegate(['rekognition-local', '--port', String(port)]);
    try {
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          if (run.output().stderr.includes(`listening on http://127.0.0.1:${port}`)) resolve();
        };
        run.child.stderr.on('data', check);
        void run.exited.then((code) => reject(new Error(`exited ${code}: ${run.output().stderr}`)));
      });
      const client = new RekognitionClient({
        endpoint: `http://127.0.0.1:${port}`,
        region: 'eu-west-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
      });
      await client.send(new CreateCollectionCommand({ CollectionId: 'cli-test' }));
      expect((await client.send(new ListCollectionsCommand({}))).CollectionIds).toEqual(['cli-test']);
      client.destroy();
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
  });
});
