/** Typed environment getters: every variable is read and validated in one place, with a clear error. */
import path from 'node:path';
import { DEFAULT_SITE_ID, isValidSiteId } from '../protocol/topics.js';
import { ConfigError } from './errors.js';

type Env = Record<string, string | undefined>;

export function envString(name: string, fallback: string, env: Env = process.env): string {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

export function envOptional(name: string, env: Env = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

export function envPort(name: string, fallback: number, env: Env = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${name} must be a TCP port (0-65535), got ${JSON.stringify(raw)}`);
  }
  return port;
}

export function envInt(name: string, fallback: number, min: number, max: number, env: Env = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export function envBool(name: string, fallback: boolean, env: Env = process.env): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(raw)}`);
}

/** The local data directory (`FACEGATE_DATA_DIR`, default ./.facegate), absolute. */
export function dataDir(env: Env = process.env): string {
  return path.resolve(envString('FACEGATE_DATA_DIR', '.facegate', env));
}

/** The site this process serves (`FACEGATE_SITE`, default `local`): part of every MQTT topic and AWS name. */
export function siteId(env: Env = process.env): string {
  const value = envString('FACEGATE_SITE', DEFAULT_SITE_ID, env);
  if (!isValidSiteId(value)) {
    throw new ConfigError(
      `FACEGATE_SITE must be 1-24 characters of a-z, 0-9 and - (not at either end), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
