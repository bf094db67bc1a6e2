/**
 * Plain sentences for the start-up failures a person can fix themselves, instead of "unexpected
 * error" and a stack: a port already taken, a port that needs privileges.
 */
import type { LocalSettings } from './settings.js';

interface SystemError {
  code?: string;
  port?: number;
  address?: string;
}

/** The first error in the cause chain that carries a system error code. */
function systemErrorIn(err: unknown): SystemError | null {
  for (let e: unknown = err, depth = 0; e && depth < 10; depth++) {
    const candidate = e as SystemError & { cause?: unknown };
    if (typeof candidate.code === 'string' && candidate.code.startsWith('E')) return candidate;
    e = candidate.cause;
  }
  return null;
}

function variableFor(port: number | undefined, settings: LocalSettings | null): string {
  if (settings && port === settings.httpPort) return 'FACEGATE_HTTP_PORT (the admin site)';
  if (settings && port === settings.mqttPort) return 'FACEGATE_MQTT_PORT (the MQTT broker)';
  return 'FACEGATE_HTTP_PORT (admin site) or FACEGATE_MQTT_PORT (MQTT broker)';
}

/** A one-line explanation with what to do, or null when the error is not one of these. */
export function describeStartupError(err: unknown, settings: LocalSettings | null): string | null {
  const sys = systemErrorIn(err);
  if (!sys) return null;
  const where = `${sys.address ?? settings?.host ?? ''}:${sys.port ?? '?'}`;
  if (sys.code === 'EADDRINUSE') {
    return (
      `port ${sys.port ?? '?'} is already in use (${where}): another FaceGate or another program is listening there. ` +
      `Stop it, or pick a free port with ${variableFor(sys.port, settings)}, e.g. ${
        settings && sys.port === settings.mqttPort ? 'FACEGATE_MQTT_PORT=8884' : 'FACEGATE_HTTP_PORT=8081'
      } npm start`
    );
  }
  if (sys.code === 'EACCES' && sys.port !== undefined) {
    return `port ${sys.port} needs privileges this user lacks (${where}): pick a port above 1023 with ${variableFor(sys.port, settings)}`;
  }
  if (sys.code === 'EADDRNOTAVAIL') {
    return `cannot listen on ${where}: this machine has no such address. Check FACEGATE_HOST`;
  }
  return null;
}
