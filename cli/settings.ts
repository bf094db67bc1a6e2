/** Local-mode settings from the environment, validated once. */
import { dataDir, envInt, envOptional, envPort, envString, siteId } from '../lib/env.js';
import { ConfigError } from '../lib/errors.js';

export interface LocalSettings {
  dataDir: string;
  /** The site this installation is (FACEGATE_SITE, default `local`): part of every MQTT topic. */
  siteId: string;
  host: string;
  httpPort: number;
  mqttPort: number;
  /** Hostname doors use to reach the broker (goes into their config bundle and the server certificate). */
  publicHost: string;
  engineWorkers: number;
  /** Similarity at which a face counts as the person; unset = the engine's calibrated default. */
  matchThreshold: number | undefined;
}

function readThreshold(env: Record<string, string | undefined>): number | undefined {
  const raw = envOptional('FACEGATE_MATCH_THRESHOLD', env);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value >= 1) {
    throw new ConfigError(`FACEGATE_MATCH_THRESHOLD must be a number between 0 and 1, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export function readLocalSettings(env: Record<string, string | undefined> = process.env): LocalSettings {
  return {
    dataDir: dataDir(env),
    siteId: siteId(env),
    host: envString('FACEGATE_HOST', '127.0.0.1', env),
    httpPort: envPort('FACEGATE_HTTP_PORT', 8080, env),
    mqttPort: envPort('FACEGATE_MQTT_PORT', 8883, env),
    publicHost: envString('FACEGATE_PUBLIC_HOST', 'localhost', env),
    engineWorkers: envInt('FACEGATE_ENGINE_WORKERS', 1, 1, 8, env),
    matchThreshold: readThreshold(env),
  };
}
