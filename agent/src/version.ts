/** The agent's version, reported in its status: the repository's package.json version. */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function agentVersion(): string {
  if (cached !== undefined) return cached;
  try {
    const file = fileURLToPath(new URL('../../package.json', import.meta.url));
    const version = (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: unknown }).version;
    cached = typeof version === 'string' ? version.slice(0, 64) : 'unknown';
  } catch {
    cached = 'unknown';
  }
  return cached;
}
