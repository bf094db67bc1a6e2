/**
 * The local server's own certificates (the broker's TLS server certificate and the back end's
 * client certificate), kept in `<dataDir>/ca/server/` and reused across restarts while they are
 * valid for another week, signed by the current CA, not revoked, and (for the server) carry the
 * names asked for. Otherwise a fresh one is issued — so a restart does not mint new credentials.
 */
import crypto, { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { LocalCa } from '../cloud/src/adapters/local/ca/index.js';
import { BACKEND_IDENTITY } from '../cloud/src/adapters/local/broker/index.js';

const RENEW_BEFORE_MS = 7 * 86_400_000;
const BACKEND_VALID_DAYS = 90;

interface Pem {
  certPem: string;
  keyPem: string;
}

function reusable(ca: LocalCa, dir: string, name: string, acceptable: (cert: X509Certificate) => boolean): Pem | null {
  try {
    const certPem = fs.readFileSync(path.join(dir, `${name}.crt`), 'utf8');
    const keyPem = fs.readFileSync(path.join(dir, `${name}.key`), 'utf8');
    const cert = new X509Certificate(certPem);
    const fresh = Date.parse(cert.validTo) - Date.now() > RENEW_BEFORE_MS;
    const ours = cert.verify(new X509Certificate(ca.caCertPem).publicKey);
    const matchesKey = cert.checkPrivateKey(crypto.createPrivateKey(keyPem));
    return fresh && ours && matchesKey && !ca.isRevoked(cert.serialNumber) && acceptable(cert)
      ? { certPem, keyPem }
      : null;
  } catch {
    return null; // absent, unreadable or not a certificate: issue a new one
  }
}

function keep(dir: string, name: string, pem: Pem): Pem {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(dir, `${name}.crt`), pem.certPem, { mode: 0o644 });
  fs.writeFileSync(path.join(dir, `${name}.key`), pem.keyPem, { mode: 0o600 });
  return pem;
}

async function serverCertificate(ca: LocalCa, caDir: string, name: string, dns: string[], ips: string[]): Promise<Pem> {
  const dir = path.join(caDir, 'server');
  const wanted = [...dns.map((d) => `DNS:${d}`), ...ips.map((ip) => `IP Address:${ip}`)];
  const existing = reusable(ca, dir, name, (cert) => {
    const names = (cert.subjectAltName ?? '').split(', ');
    return wanted.every((n) => names.includes(n));
  });
  return existing ?? keep(dir, name, await ca.issueServerCertificate({ dns, ips }));
}

export function brokerServerCertificate(ca: LocalCa, caDir: string, dns: string[], ips: string[]): Promise<Pem> {
  return serverCertificate(ca, caDir, 'broker', dns, ips);
}

/** The admin site's HTTPS certificate when it listens beyond loopback and no certificate files are set. */
export function adminSiteCertificate(ca: LocalCa, caDir: string, dns: string[], ips: string[]): Promise<Pem> {
  return serverCertificate(ca, caDir, 'admin-site', dns, ips);
}

export async function backendClientCertificate(ca: LocalCa, caDir: string): Promise<Pem> {
  const dir = path.join(caDir, 'server');
  const existing = reusable(ca, dir, 'backend', (cert) => /(^|\n)CN=facegate-backend(\n|$)/.test(cert.subject));
  if (existing) return existing;
  const { certPem, keyPem } = await ca.issueClientCertificate(BACKEND_IDENTITY, BACKEND_VALID_DAYS);
  return keep(dir, 'backend', { certPem, keyPem });
}

/**
 * A door bundle already on disk (the virtual door's, the simulated door's) whose certificate is
 * still good for this door: reused on restart instead of issuing another.
 */
export function existingDoorCertificate(
  ca: LocalCa,
  bundleDir: string,
  doorId: string,
): (Pem & { notAfter: number }) | null {
  const cn = new RegExp(`(^|\\n)CN=${doorId.replace(/[^a-z0-9-]/g, '')}(\\n|$)`);
  const pem = reusable(ca, bundleDir, 'door', (cert) => cn.test(cert.subject));
  return pem && { ...pem, notAfter: Date.parse(new X509Certificate(pem.certPem).validTo) };
}
