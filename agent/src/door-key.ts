/**
 * The door's own key pair and certificate signing request (PKCS#10), made on the door so its
 * private key never leaves it: the back end signs the request (local CA, or AWS IoT
 * CreateCertificateFromCsr) and returns a bundle without a key. RSA 2048, which both accept.
 */
import { generateKeyPair } from 'node:crypto';
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
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(publicKey);
  csr.setSubject([
    { name: 'commonName', value: doorId },
    { name: 'organizationName', value: 'FaceGate' },
  ]);
  // One signature, once per door: forge's JS RSA is fast enough here.
  csr.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return { keyPem: privateKey, csrPem: forge.pki.certificationRequestToPem(csr) };
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
