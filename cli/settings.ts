/** Local-mode settings from the environment, validated once. */
import { dataDir, envInt, envOptional, envPort, envString, siteId } from '../lib/env.js';
import { ConfigError } from '../lib/errors.js';
import { serverTimeZone, validTimeZone } from '../admin-web/src/site-time.js';
import { DEFAULT_CLIENT_VALID_DAYS, MAX_CLIENT_VALID_DAYS } from '../cloud/src/adapters/local/ca/index.js';

export interface LocalSettings {
  dataDir: string;
  /** The site this installation is (FACEGATE_SITE, default `local`): part of every MQTT topic. */
  siteId: string;
  /** Interface of the MQTT broker (FACEGATE_MQTT_HOST, or the older FACEGATE_HOST; default 127.0.0.1). */
  host: string;
  /** Interface of the admin site (FACEGATE_HTTP_HOST, default 127.0.0.1): not widened by FACEGATE_HOST. */
  httpHost: string;
  /** The admin site's certificate and key files (FACEGATE_TLS_CERT / FACEGATE_TLS_KEY), both or neither. */
  tlsFiles: { cert: string; key: string } | undefined;
  httpPort: number;
  mqttPort: number;
  /** Hostname doors use to reach the broker (goes into their config bundle and the server certificate). */
  publicHost: string;
  engineWorkers: number;
  /** How long a door certificate is valid (FACEGATE_DOOR_CERT_DAYS, default 365). */
  doorCertDays: number;
  /** Similarity at which a face counts as the person; unset = the engine's calibrated default. */
  matchThreshold: number | undefined;
  /** The site's time zone (FACEGATE_TIME_ZONE, an IANA name; default the server's). */
  timeZone: string;
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

function readTlsFiles(env: Record<string, string | undefined>): { cert: string; key: string } | undefined {
  const cert = envOptional('FACEGATE_TLS_CERT', env);
  const key = envOptional('FACEGATE_TLS_KEY', env);
  if (!cert && !key) return undefined;
  if (!cert || !key) throw new ConfigError('set both FACEGATE_TLS_CERT and FACEGATE_TLS_KEY, or neither');
  return { cert, key };
}

export function readLocalSettings(env: Record<string, string | undefined> = process.env): LocalSettings {
  return {
    dataDir: dataDir(env),
    siteId: siteId(env),
    host: envString('FACEGATE_MQTT_HOST', envString('FACEGATE_HOST', '127.0.0.1', env), env),
    httpHost: envString('FACEGATE_HTTP_HOST', '127.0.0.1', env),
    tlsFiles: readTlsFiles(env),
    httpPort: envPort('FACEGATE_HTTP_PORT', 8080, env),
    mqttPort: envPort('FACEGATE_MQTT_PORT', 8883, env),
    publicHost: envString('FACEGATE_PUBLIC_HOST', 'localhost', env),
    engineWorkers: envInt('FACEGATE_ENGINE_WORKERS', 1, 1, 8, env),
    doorCertDays: envInt('FACEGATE_DOOR_CERT_DAYS', DEFAULT_CLIENT_VALID_DAYS, 1, MAX_CLIENT_VALID_DAYS, env),
    matchThreshold: readThreshold(env),
    timeZone: validTimeZone(envString('FACEGATE_TIME_ZONE', serverTimeZone(), env)),
  };
}
