/**
 * The local certificate authority: signs the broker's server certificate and one client
 * certificate per door (and one for the back end), so the local broker can do mutual TLS the way
 * AWS IoT Core does. Created on first run in `dir` (0700) with its key in `ca.key` (0600); every
 * later run reuses it, so certificates already handed to doors keep working.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import forge from 'node-forge';
import { z } from 'zod';
import type { Logger } from '../../../../../lib/logger.js';
import { CaStateError, CertificateRequestError } from './errors.js';
import { CaLedger } from './ledger.js';
import {
  certificateMatchesKey,
  newRsaKeyPair,
  newSerialNumber,
  normalizeSerial,
  publicKeyPemOf,
  signCertificate,
} from './x509.js';

export { CaStateError, CertificateRequestError } from './errors.js';
export { normalizeSerial } from './x509.js';

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

export interface ClientCertificate {
  certPem: string;
  serialNumber: string;
  notAfter: number;
}

export interface LocalCa {
  readonly caCertPem: string;
  /** A TLS server certificate; localhost and 127.0.0.1 are always among its names. */
  issueServerCertificate(names: { dns: string[]; ips: string[] }): Promise<IssuedCertificate>;
  /** A TLS client certificate whose subject CN is the identity (a door id or the back end's). */
  issueClientCertificate(commonName: string, validDays?: number): Promise<ClientCertificate & { keyPem: string }>;
  /**
   * Signs a door's PKCS#10 request (RSA, 2048 bits or more, signature checked): the key stays on
   * the door. The subject is always `commonName`, whatever the request asks for.
   */
  signClientRequest(commonName: string, csrPem: string, validDays?: number): Promise<ClientCertificate>;
  /** Revokes every certificate issued so far to this CN but `except` (persisted); later ones are unaffected. */
  revoke(commonName: string, except?: string): Promise<void>;
  /** Every certificate issued to this CN, newest first, with whether it was revoked. */
  certificatesOf(commonName: string): { serialNumber: string; issuedAt: number; notAfter: number; revoked: boolean }[];
  /** Revokes every certificate of this CN, then deletes their records (the revocation list keeps the serials). */
  forget(commonName: string): Promise<void>;
  /** Whether the certificate with this serial (any hex case) was revoked. */
  isRevoked(serialNumber: string): boolean;
}

const CA_VALID_YEARS = 10;
const SERVER_VALID_DAYS = 825; // the most browsers and TLS stacks accept for a server certificate
/** A door's certificate lasts a year unless configured otherwise (FACEGATE_DOOR_CERT_DAYS); `renew` issues the next. */
export const DEFAULT_CLIENT_VALID_DAYS = 365;
export const MAX_CLIENT_VALID_DAYS = 3650;
/** Smallest RSA modulus accepted in a door's certificate request. */
const MIN_RSA_BITS = 2048;
/** A PEM CSR is ~1 KB for RSA 2048; anything much larger is not one. */
const MAX_CSR_CHARS = 16_384;
const DAY_MS = 86_400_000;
/** Certificates start an hour in the past so a door whose clock lags a little accepts them. */
const BACKDATE_MS = 3_600_000;
const ORGANIZATION = 'FaceGate';

const CommonName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'common name must be letters, digits, ".", "_" or "-"');
const ValidDays = z.number().int().min(1).max(MAX_CLIENT_VALID_DAYS);
const DnsName = z
  .string()
  .max(253)
  .regex(/^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$/, 'not a DNS name');
const IpAddress = z.string().refine((ip) => net.isIP(ip) !== 0, 'not an IP address');
const ServerNames = z.object({ dns: z.array(DnsName).max(50), ips: z.array(IpAddress).max(50) });

function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new CertificateRequestError(`${what}: ${result.error.issues.map((i) => i.message).join('; ')}`);
  }
  return result.data;
}

/** Same digest forge puts in the CA's subjectKeyIdentifier (SHA-1 of RSAPublicKey), so AKI matches SKI. */
function subjectKeyId(publicKeyPem: string): string {
  const pub = forge.pki.publicKeyFromPem(publicKeyPem);
  return forge.pki.getPublicKeyFingerprint(pub, { type: 'RSAPublicKey' }).getBytes();
}

async function createCaFiles(keyFile: string, certFile: string, logger: Logger): Promise<void> {
  const { privateKeyPem } = await newRsaKeyPair();
  // Written whole to a private temporary file, then linked into place: link() fails if the key
  // exists, so if another process created the CA meanwhile theirs wins, and nobody ever reads
  // half a key.
  const tmp = `${keyFile}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, privateKeyPem, { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(tmp, keyFile);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  writeCaCertificate(certFile, privateKeyPem);
  logger.info({ certFile }, 'created local certificate authority');
}

function writeCaCertificate(certFile: string, privateKeyPem: string): void {
  const now = Date.now();
  const publicKeyPem = publicKeyPemOf(privateKeyPem);
  const certPem = signCertificate(
    {
      subject: { commonName: 'FaceGate Local CA', organizationName: ORGANIZATION },
      publicKeyPem,
      serialNumber: newSerialNumber(),
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(now + CA_VALID_YEARS * 365 * DAY_MS),
      extensions: [
        { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
        { name: 'subjectKeyIdentifier' },
      ],
    },
    { selfKeyPem: privateKeyPem },
  );
  const tmp = `${certFile}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, certPem, { mode: 0o644 });
  fs.renameSync(tmp, certFile);
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CaStateError(`cannot read ${file}`, { cause: err });
  }
}

/**
 * The public key of a PKCS#10 request, once its self-signature proves the requester holds the
 * private key. forge reads RSA requests only, which is what the door kit makes.
 */
function publicKeyOfRequest(csrPem: string): string {
  if (typeof csrPem !== 'string' || csrPem.length > MAX_CSR_CHARS || !csrPem.includes('CERTIFICATE REQUEST')) {
    throw new CertificateRequestError('not a PEM certificate signing request (-----BEGIN CERTIFICATE REQUEST-----)');
  }
  let csr: forge.pki.CertificateSigningRequest;
  try {
    csr = forge.pki.certificationRequestFromPem(csrPem);
  } catch (err) {
    throw new CertificateRequestError('the certificate signing request cannot be read (only RSA keys are accepted)', {
      cause: err,
    });
  }
  const key = csr.publicKey as forge.pki.rsa.PublicKey | null;
  if (!key?.n) throw new CertificateRequestError('the certificate signing request has no RSA public key');
  if (key.n.bitLength() < MIN_RSA_BITS) {
    throw new CertificateRequestError(
      `the request's RSA key has ${key.n.bitLength()} bits; at least ${MIN_RSA_BITS} needed`,
    );
  }
  let verified: boolean;
  try {
    verified = csr.verify();
  } catch {
    verified = false;
  }
  if (!verified) throw new CertificateRequestError('the certificate signing request is not signed by its own key');
  return forge.pki.publicKeyToPem(key);
}

export async function openLocalCa(dir: string, logger: Logger): Promise<LocalCa> {
  const log = logger.child({ component: 'local-ca' });
  const root = path.resolve(dir);
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  fs.chmodSync(root, 0o700); // also tighten a directory that already existed
  const keyFile = path.join(root, 'ca.key');
  const certFile = path.join(root, 'ca.crt');

  if (readIfExists(keyFile) === undefined) {
    if (readIfExists(certFile) !== undefined) {
      throw new CaStateError(
        `${certFile} exists but its key ${keyFile} is missing: restore the key or remove the CA directory`,
      );
    }
    await createCaFiles(keyFile, certFile, log);
  }
  const keyPem = readIfExists(keyFile);
  if (keyPem === undefined) throw new CaStateError(`${keyFile} vanished while opening the CA`);
  if ((fs.statSync(keyFile).mode & 0o077) !== 0) fs.chmodSync(keyFile, 0o600);
  let caCertPem = readIfExists(certFile);
  if (caCertPem === undefined) {
    // A crash between writing the key and the certificate: the key is the CA, re-sign its certificate.
    log.warn({ certFile }, 'CA key without certificate; writing a new self-signed certificate for the same key');
    writeCaCertificate(certFile, keyPem);
    caCertPem = readIfExists(certFile)!;
  }
  try {
    if (!certificateMatchesKey(caCertPem, keyPem)) throw new Error('public keys differ');
  } catch (err) {
    throw new CaStateError(`${certFile} does not belong to ${keyFile}`, { cause: err });
  }

  const ledger = new CaLedger(root, log);
  const issuer = { certPem: caCertPem, privateKeyPem: keyPem };
  const authorityKeyIdentifier = subjectKeyId(publicKeyPemOf(keyPem));

  function signClient(cn: string, publicKeyPem: string, days: number): ClientCertificate {
    const now = Date.now();
    const serialNumber = newSerialNumber();
    // Whole seconds, as X.509 stores it, so the recorded expiry is exactly the certificate's.
    const notAfter = new Date(Math.floor((now + days * DAY_MS) / 1000) * 1000);
    const certPem = signCertificate(
      {
        subject: { commonName: cn, organizationName: ORGANIZATION },
        publicKeyPem,
        serialNumber,
        notBefore: new Date(now - BACKDATE_MS),
        notAfter,
        extensions: [
          { name: 'basicConstraints', cA: false, critical: true },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
          { name: 'extKeyUsage', clientAuth: true },
          { name: 'subjectKeyIdentifier' },
          { name: 'authorityKeyIdentifier', keyIdentifier: authorityKeyIdentifier },
        ],
      },
      issuer,
    );
    ledger.recordIssued({ commonName: cn, serialNumber, issuedAt: now, notAfter: notAfter.getTime(), certPem });
    log.info({ commonName: cn, serialNumber, validDays: days }, 'issued client certificate');
    return { certPem, serialNumber, notAfter: notAfter.getTime() };
  }

  return {
    caCertPem,

    async issueServerCertificate(names) {
      const parsed = parseInput(ServerNames, names, 'server certificate names');
      const dns = [...new Set(['localhost', ...parsed.dns])];
      const ips = [...new Set(['127.0.0.1', ...parsed.ips])];
      const { privateKeyPem, publicKeyPem } = await newRsaKeyPair();
      const now = Date.now();
      const certPem = signCertificate(
        {
          subject: { commonName: parsed.dns[0] ?? 'localhost', organizationName: ORGANIZATION },
          publicKeyPem,
          serialNumber: newSerialNumber(),
          notBefore: new Date(now - BACKDATE_MS),
          notAfter: new Date(now + SERVER_VALID_DAYS * DAY_MS),
          extensions: [
            { name: 'basicConstraints', cA: false, critical: true },
            { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
            { name: 'extKeyUsage', serverAuth: true },
            {
              name: 'subjectAltName',
              altNames: [...dns.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))],
            },
            { name: 'subjectKeyIdentifier' },
            { name: 'authorityKeyIdentifier', keyIdentifier: authorityKeyIdentifier },
          ],
        },
        issuer,
      );
      log.info({ dns, ips }, 'issued server certificate');
      return { certPem, keyPem: privateKeyPem };
    },

    async issueClientCertificate(commonName, validDays = DEFAULT_CLIENT_VALID_DAYS) {
      const cn = parseInput(CommonName, commonName, 'client certificate common name');
      const days = parseInput(ValidDays, validDays, 'client certificate validity (days)');
      const { privateKeyPem, publicKeyPem } = await newRsaKeyPair();
      return { ...signClient(cn, publicKeyPem, days), keyPem: privateKeyPem };
    },

    async signClientRequest(commonName, csrPem, validDays = DEFAULT_CLIENT_VALID_DAYS) {
      const cn = parseInput(CommonName, commonName, 'client certificate common name');
      const days = parseInput(ValidDays, validDays, 'client certificate validity (days)');
      return signClient(cn, publicKeyOfRequest(csrPem), days);
    },

    certificatesOf(commonName) {
      const cn = parseInput(CommonName, commonName, 'common name');
      return ledger
        .issuedTo(cn)
        .map((r) => ({
          serialNumber: normalizeSerial(r.serialNumber),
          issuedAt: r.issuedAt,
          notAfter: r.notAfter,
          revoked: ledger.isRevoked(r.serialNumber),
        }))
        .sort((a, b) => b.issuedAt - a.issuedAt);
    },

    async forget(commonName) {
      const cn = parseInput(CommonName, commonName, 'common name to forget');
      const issued = ledger.issuedTo(cn);
      ledger.revoke(issued, Date.now());
      const removed = ledger.removeIssued(issued);
      log.info({ commonName: cn, removed }, 'revoked and removed client certificates');
    },

    async revoke(commonName, except) {
      const cn = parseInput(CommonName, commonName, 'common name to revoke');
      const kept = except === undefined ? undefined : normalizeSerial(except);
      const issued = ledger.issuedTo(cn).filter((r) => normalizeSerial(r.serialNumber) !== kept);
      const added = ledger.revoke(issued, Date.now());
      if (issued.length === 0 && kept === undefined)
        log.warn({ commonName: cn }, 'revoke: no certificate was ever issued to this name');
      else log.info({ commonName: cn, revoked: added, issued: issued.length }, 'revoked client certificates');
    },

    isRevoked(serialNumber) {
      return ledger.isRevoked(normalizeSerial(serialNumber));
    },
  };
}
