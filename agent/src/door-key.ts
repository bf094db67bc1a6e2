/**
 * The door's own key pair and certificate signing request (PKCS#10), made on the door so its
 * private key never leaves it: the back end signs the request (local CA, or AWS IoT
 * CreateCertificateFromCsr) and returns a bundle without a key. RSA 2048, which both accept.
 */
import { createPrivateKey, createPublicKey, generateKeyPair } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { DoorId } from '../../protocol/index.js';
import { ConfigError } from './errors.js';

const generateKeyPairAsync = promisify(generateKeyPair);

export const DOOR_KEY_FILE = 'door.key';
export const DOOR_CSR_FILE = 'door.csr';

export interface DoorKeyRequest {
  keyPem: string;
  csrPem: string;
}

/** A new RSA key and a request for it whose subject CN is the door id (the back end sets the CN anyway). */
export async function makeDoorKeyRequest(doorId: string): Promise<DoorKeyRequest> {
  if (!DoorId.safeParse(doorId).success) throw new ConfigError(`invalid door id ${JSON.stringify(doorId)}`);
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { keyPem: privateKey, csrPem: csrForKey(doorId, privateKey, publicKey) };
}

/** A request signed by an existing key (PKCS#8 or PKCS#1 PEM): a re-run of the installer keeps the door's key. */
export function csrForKey(doorId: string, keyPem: string, publicKeyPem?: string): string {
  if (!DoorId.safeParse(doorId).success) throw new ConfigError(`invalid door id ${JSON.stringify(doorId)}`);
  const publicKey =
    publicKeyPem ?? createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'pem' }).toString();
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(publicKey);
  csr.setSubject([
    { name: 'commonName', value: doorId },
    { name: 'organizationName', value: 'FaceGate' },
  ]);
  // One signature, once per door: forge's JS RSA is fast enough here.
  csr.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}

/**
 * Writes door.key (0600) and door.csr into `dir`. An existing key is never overwritten: it may be
 * the one the door's current certificate belongs to.
 */
export async function writeDoorKeyRequest(dir: string, doorId: string): Promise<{ keyFile: string; csrFile: string }> {
  const keyFile = path.join(dir, DOOR_KEY_FILE);
  const csrFile = path.join(dir, DOOR_CSR_FILE);
  if (fs.existsSync(keyFile)) {
    throw new ConfigError(`${keyFile} already exists: move it away first if you really want a new key`);
  }
  const { keyPem, csrPem } = await makeDoorKeyRequest(doorId);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(keyFile, keyPem, { mode: 0o600, flag: 'wx' });
  fs.writeFileSync(csrFile, csrPem, { mode: 0o644 });
  return { keyFile, csrFile };
}

/**
 * The installer's form: makes door.key and door.csr when the door has no key yet; when it has one,
 * keeps it and writes a fresh door.csr from it, so running the installer again never replaces the
 * key the door's certificate belongs to.
 */
export async function ensureDoorKeyRequest(
  dir: string,
  doorId: string,
): Promise<{ keyFile: string; csrFile: string; created: boolean }> {
  const keyFile = path.join(dir, DOOR_KEY_FILE);
  if (!fs.existsSync(keyFile)) return { ...(await writeDoorKeyRequest(dir, doorId)), created: true };
  const csrFile = path.join(dir, DOOR_CSR_FILE);
  fs.writeFileSync(csrFile, csrForKey(doorId, fs.readFileSync(keyFile, 'utf8')), { mode: 0o644 });
  return { keyFile, csrFile, created: false };
}
