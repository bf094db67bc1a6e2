/**
 * Measures how long an unlock takes from the back end's publish to the relay energising, through
 * the real local broker (aedes, mutual TLS), the real IotDoorLink (aws-iot-device-sdk-v2), the
 * command guard and a simulated relay — everything the door does except the GPIO write.
 * Run: node bin/run-ts.mjs agent/bench/unlock-latency.ts [--n 200] [--json out.json]
 */
import fs from 'node:fs';
import { createAgent } from '../src/agent.js';
import { PushCamera } from '../src/camera/push-camera.js';
import { AgentConfigSchema } from '../src/config.js';
import { FaceGate } from '../src/face-gate/face-gate.js';
import { HumanFaceDetector } from '../src/face-gate/human-face-detector.js';
import { IotDoorLink } from '../src/link/iot-door-link.js';
import { SimulatedRelay } from '../src/relay/simulated-relay.js';
import { silentLogger } from '../../lib/logger.js';
import { DEFAULT_SITE_ID } from '../../protocol/index.js';
import { startLocalBrokerFixture } from '../../test/support/broker-fixture.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const n = Number(arg('--n') ?? 200);
const doorId = 'bench-door';
const fx = await startLocalBrokerFixture();
try {
  const backend = await fx.connectBackend();
  const relay = new SimulatedRelay(silentLogger());
  const link = new IotDoorLink({
    siteId: DEFAULT_SITE_ID,
    doorId,
    endpoint: 'localhost',
    port: fx.port,
    ...(await fx.doorFiles(doorId)),
    logger: silentLogger(),
  });
  const agent = createAgent(
    {
      doorId,
      frames: { maxFps: 2, maxWidth: 640, maxBytes: 92 * 1024 },
      unlock: { maxPulseMs: 1000 },
    },
    {
      camera: new PushCamera(),
      relay,
      link,
      logger: silentLogger(),
      agentVersion: 'bench',
      // No frames are pushed here; the real gate keeps the agent as it runs at a door.
      faceGate: new FaceGate(await HumanFaceDetector.create(), AgentConfigSchema.shape.faceGate.parse(undefined)),
    },
  );
  await agent.start();
  while (!link.connected) await new Promise((r) => setTimeout(r, 20));

  const samples: number[] = [];
  const arrivals: number[] = [];
  let arrivedAt = 0;
  link.onCommand(() => (arrivedAt = performance.now()));
  for (let i = 0; i < n; i++) {
    const energised = new Promise<number>((resolve) => {
      const off = relay.onChange((state) => {
        if (state === 'unlocked') {
          off();
          resolve(performance.now());
        }
      });
    });
    const now = Date.now();
    const start = performance.now();
    await backend.publishCommand({
      v: 2,
      type: 'unlock',
      doorId,
      decisionId: `bench-${i}-${now}`,
      issuedAt: now,
      expiresAt: now + 5000,
      pulseMs: 100,
      source: 'remote',
    });
    const at = await energised;
    samples.push(at - start);
    arrivals.push(arrivedAt - start);
    // Wait for the shortest pulse to end so each sample is a real locked → unlocked transition.
    while (relay.state !== 'locked') await new Promise((r) => setTimeout(r, 10));
  }
  await agent.stop();
  samples.sort((a, b) => a - b);
  arrivals.sort((a, b) => a - b);
  const q = (list: number[], p: number) =>
    Number(list[Math.min(list.length - 1, Math.floor(list.length * p))]!.toFixed(2));
  const result = {
    n,
    publishToRelay: { medianMs: q(samples, 0.5), p95Ms: q(samples, 0.95), maxMs: q(samples, 1) },
    publishToArrival: { medianMs: q(arrivals, 0.5), p95Ms: q(arrivals, 0.95) },
  };
  console.log(
    `unlock command published → relay energised: median ${result.publishToRelay.medianMs} ms, p95 ${result.publishToRelay.p95Ms} ms, max ${result.publishToRelay.maxMs} ms (n=${n})`,
  );
  console.log(
    `  of which publish → command at the door: median ${result.publishToArrival.medianMs} ms, p95 ${result.publishToArrival.p95Ms} ms`,
  );
  const json = arg('--json');
  if (json) fs.writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
  await backend.close();
} finally {
  await fx.close();
}
