/**
 * Identifiers for people, faces, events and decisions: 128 random bits as 32 hex characters,
 * valid for the protocol's url-safe Id (8-64 chars), DynamoDB keys, file names and image keys.
 */
import { randomUUID } from 'node:crypto';

export const ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

export function newId(): string {
  return randomUUID().replace(/-/g, '');
}

export function isValidId(id: string): boolean {
  return ID_PATTERN.test(id);
}
