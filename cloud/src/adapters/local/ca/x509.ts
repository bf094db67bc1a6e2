/**
 * Certificate building with node-forge. Keys come from Node's native generator (OpenSSL): forge's
 * pure-JS RSA generation takes seconds, the native one a fraction of that, off the event loop.
 */
import { generateKeyPair, randomBytes, sign as cryptoSign } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

const generateKeyPairAsync = promisify(generateKeyPair);

export interface KeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

export async function newRsaKeyPair(): Promise<KeyPairPem> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/**
 * A random positive 128-bit serial, lower-case hex without leading zeros (the form
 * `normalizeSerial` gives, so a serial read back from a TLS peer compares equal).
 */
export function newSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40; // positive, and never a leading zero byte
  return bytes.toString('hex');
}

/** Node prints serials upper-case (and may pad); forge lower-case. Compare in one form. */
export function normalizeSerial(serial: string): string {
  return serial.toLowerCase().replace(/^0+(?=.)/, '');
}

export interface SubjectFields {
  commonName: string;
  organizationName?: string;
  organizationalUnitName?: string;
}

function subjectAttributes(subject: SubjectFields): forge.pki.CertificateField[] {
  const attrs: forge.pki.CertificateField[] = [{ name: 'commonName', value: subject.commonName }];
  if (subject.organizationName) attrs.push({ name: 'organizationName', value: subject.organizationName });
  if (subject.organizationalUnitName)
    attrs.push({ name: 'organizationalUnitName', value: subject.organizationalUnitName });
  return attrs;
}

export interface SignRequest {
  subject: SubjectFields;
  publicKeyPem: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  extensions: object[];
}

export interface Issuer {
  certPem: string;
  privateKeyPem: string;
}

/** Signs a certificate with SHA-256; `issuer` absent means self-signed with `selfKeyPem`. */
export function signCertificate(request: SignRequest, issuer: Issuer | { selfKeyPem: string }): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(request.publicKeyPem);
  cert.serialNumber = request.serialNumber;
  cert.validity.notBefore = request.notBefore;
  cert.validity.notAfter = request.notAfter;
  cert.setSubject(subjectAttributes(request.subject));
  let signingKeyPem: string;
  if ('selfKeyPem' in issuer) {
    cert.setIssuer(subjectAttributes(request.subject));
    signingKeyPem = issuer.selfKeyPem;
  } else {
    const issuerCert = forge.pki.certificateFromPem(issuer.certPem);
    cert.setIssuer(issuerCert.subject.attributes);
    signingKeyPem = issuer.privateKeyPem;
  }
  cert.setExtensions(request.extensions);
  signNatively(cert, signingKeyPem);
  return forge.pki.certificateToPem(cert);
}

/**
 * What forge's `cert.sign(key, sha256)` does, but with the RSA signature from OpenSSL: forge's
 * pure-JS modular exponentiation blocks the event loop for tens of milliseconds per certificate.
 */
function signNatively(cert: forge.pki.Certificate, signingKeyPem: string): void {
  const oid = forge.pki.oids.sha256WithRSAEncryption!;
  cert.md = forge.md.sha256.create();
  cert.signatureOid = oid;
  cert.siginfo.algorithmOid = oid;
  // getTBSCertificate exists in forge but is missing from its type definitions.
  const pki = forge.pki as typeof forge.pki & { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 };
  cert.tbsCertificate = pki.getTBSCertificate(cert);
  const tbsDer = Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), 'binary');
  cert.signature = cryptoSign('sha256', tbsDer, signingKeyPem).toString('binary');
}

/** True when the certificate's public key is the one of `privateKeyPem`. */
export function certificateMatchesKey(certPem: string, privateKeyPem: string): boolean {
  const cert = forge.pki.certificateFromPem(certPem);
  const key = forge.pki.privateKeyFromPem(privateKeyPem);
  const pub = cert.publicKey as forge.pki.rsa.PublicKey;
  return pub.n.equals(key.n) && pub.e.equals(key.e);
}

export function publicKeyPemOf(privateKeyPem: string): string {
  const key = forge.pki.privateKeyFromPem(privateKeyPem);
  return forge.pki.publicKeyToPem(forge.pki.setRsaPublicKey(key.n, key.e));
}

export function certificateNotAfter(certPem: string): Date {
  return forge.pki.certificateFromPem(certPem).validity.notAfter;
}
