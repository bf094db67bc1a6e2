/** Local-mode settings from the environment, validated once. */
import { dataDir, envInt, envPort, envString } from '../lib/env.js';

export interface LocalSettings {
  dataDir: string;
  host: string;
  httpPort: number;
  mqttPort: number;
  /** Hostname doors use to reach the broker (goes into their config bundle and the server certificate). */
  publicHost: string;
  engineWorkers: number;
}

export function readLocalSettings(env: Record<string, string | undefined> = process.env): LocalSettings {
  return {
    dataDir: dataDir(env),
    host: envString('FACEGATE_HOST', '127.0.0.1', env),
    httpPort: envPort('FACEGATE_HTTP_PORT', 8080, env),
    mqttPort: envPort('FACEGATE_MQTT_PORT', 8883, env),
    publicHost: envString('FACEGATE_PUBLIC_HOST', 'localhost', env),
    engineWorkers: envInt('FACEGATE_ENGINE_WORKERS', 1, 1, 8, env),
  };
}
