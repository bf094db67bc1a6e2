import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../agent/src/config.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-agentcfg-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const minimal = {
  doorId: 'front-door',
  mqtt: {
    endpoint: 'localhost',
    port: 8883,
    caFile: 'certs/ca.pem',
    certFile: 'certs/door.pem',
    keyFile: 'certs/door.key',
  },
  camera: { type: 'directory', path: 'camera' },
  relay: { type: 'simulated' },
};

function write(config: unknown, name = 'door.json') {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  return file;
}

describe('loadAgentConfig', () => {
  it('applies defaults and resolves relative paths against the config file folder', () => {
    const config = loadAgentConfig(write(minimal));
    expect(config.mqtt.caFile).toBe(path.join(dir, 'certs/ca.pem'));
    expect(config.mqtt.keyFile).toBe(path.join(dir, 'certs/door.key'));
    expect(config.camera).toEqual({
      type: 'directory',
      path: path.join(dir, 'camera'),
      mode: 'watch',
      intervalMs: 1000,
    });
    expect(config.frames).toEqual({ maxFps: 5, maxWidth: 640, maxBytes: 92 * 1024 });
    expect(config.visit).toEqual({ idleEndMs: 1500, maxDurationMs: 15_000, followUpMs: 600, maxFrames: 2 });
    expect(config.faceGate).toEqual({ maxSide: 640, minFacePx: 64, minScore: 0.5, minSharpness: 25 });
    expect(config.unlock.maxPulseMs).toBe(10_000);
    expect(config.mqtt.keepAliveSec).toBe(30);
  });

  it('keeps absolute paths and accepts every camera and relay type', () => {
    const cameras = [
      { type: 'webcam', device: '/dev/video0', width: 640, height: 480 },
      { type: 'stream', source: 'ffmpeg', width: 320, height: 240, fps: 5, input: ['-f', 'lavfi', '-i', 'testsrc'] },
      { type: 'stream', source: 'rpicam', width: 640, height: 480, fps: 5 },
      { type: 'push' },
    ];
    for (const camera of cameras) {
      const config = loadAgentConfig(
        write({
          ...minimal,
          camera,
          relay: { type: 'gpio', pin: 17, activeLow: true },
          contact: { type: 'gpio', pin: 27, openWhen: 'low' },
          mqtt: { ...minimal.mqtt, caFile: '/etc/facegate/ca.pem' },
        }),
      );
      expect(config.camera.type).toBe(camera.type);
      expect(config.mqtt.caFile).toBe('/etc/facegate/ca.pem');
      expect(config.relay).toEqual({ type: 'gpio', pin: 17, activeLow: true });
    }
  });

  it('says which file and which field is wrong', () => {
    const bad = (config: unknown) => () => loadAgentConfig(write(config));
    expect(bad('{ "doorId": ')).toThrow(/door\.json is not valid JSON/);
    expect(bad({ ...minimal, doorId: 'Front Door' })).toThrow(/doorId: door id must be/);
    expect(bad({ ...minimal, camera: { type: 'polaroid' } })).toThrow(/camera/);
    expect(bad({ ...minimal, relay: { type: 'gpio', pin: 99, activeLow: false } })).toThrow(/relay\.pin/);
    expect(bad({ ...minimal, unlock: { maxPulseMs: 3_600_000 } })).toThrow(/unlock\.maxPulseMs/);
    expect(bad({ ...minimal, frames: { maxFps: 0 } })).toThrow(/frames\.maxFps/);
    // Never more frames per visit than the protocol lets the back end take.
    expect(bad({ ...minimal, visit: { maxFrames: 5 } })).toThrow(/visit\.maxFrames/);
    expect(bad({ ...minimal, faceGate: { minScore: 0.1 } })).toThrow(/faceGate\.minScore/);
    expect(() => loadAgentConfig(path.join(dir, 'absent.json'))).toThrow(/cannot read agent config/);
  });
});
