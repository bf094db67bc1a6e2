/**
 * Who is on the other end of a broker connection. The identity is the subject CN of the client
 * certificate (checked by TLS against the local CA) — never the MQTT username, which the AWS SDK
 * fills with a metrics string.
 */
import { isValidDoorId } from '../../../../../protocol/index.js';

/** CN of the back end's client certificate. Door ids may not take this name or its prefix. */
export const BACKEND_IDENTITY = 'facegate-backend';

export type BrokerIdentity = { kind: 'backend'; cn: string } | { kind: 'door'; cn: string; doorId: string };

/** Names a door can never have, so no door certificate can pose as the back end. */
export function isReservedIdentity(name: string): boolean {
  return name === BACKEND_IDENTITY || name.startsWith(`${BACKEND_IDENTITY}-`);
}

/**
 * Client ids the back end may use: its CN, or its CN plus a suffix so that several back-end
 * processes (server, CLI) can be connected at once without taking over each other's session.
 */
export function isBackendClientId(clientId: string): boolean {
  return clientId === BACKEND_IDENTITY || /^facegate-backend-[A-Za-z0-9_-]{1,40}$/.test(clientId);
}

export function identityFromCommonName(cn: string): BrokerIdentity | null {
  if (cn === BACKEND_IDENTITY) return { kind: 'backend', cn };
  if (isValidDoorId(cn) && !isReservedIdentity(cn)) return { kind: 'door', cn, doorId: cn };
  return null;
}
