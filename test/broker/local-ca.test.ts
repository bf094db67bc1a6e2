import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openLocalCa, CertificateRequestError, normalizeSerial } from '../../cloud/src/adapters/local/ca/index.js';
import { LocalDoorProvisioner } from '../../cloud/src/adapters/local/ca/local-door-provisioner.js';
import { InvalidInputError } from '../../lib/errors.js';
import { silentLogger } from '../../lib/logger.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeDoorKeyRequest } from '../../agent/src/door-key.js';

const dirs: string[] = [];
function caDir(): string {
  const dir = makeTempDir('ca');
  dirs.push(dir);
  return path.join(dir, 'ca'); // not yet existing: openLocalCa creates it
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('local CA', () => {
  it('is created once with a private key only its owner can read, and reused afterwards', async () => {
    const dir = caDir();
    const first = await openLocalCa(dir, silentLogger());
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, 'ca.key')).mode & 0o777).toBe(0o600);

    const again = await openLocalCa(dir, silentLogger());
    expect(again.caCertPem).toBe(first.caCertPem);

    const ca = new X509Certificate(first.caCertPem);
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true); // self-signed
    const years = (Date.parse(ca.validTo) - Date.now()) / (365 * 86_400_000);
    expect(years).toBeGreaterThan(9.9);
    expect(years).toBeLessThan(10.1);
  });

  it('tightens a key file whose permissions were loosened', async () => {
    const dir = caDir();
    await openLocalCa(dir, silentLogger());
    fs.chmodSync(path.join(dir, 'ca.key'), 0o644);
    await openLocalCa(dir, silentLogger());
    expect(fs.statSync(path.join(dir, 'ca.key')).mode & 0o777).toBe(0o600);
  });

  it('rewrites a lost CA certificate from its key, and certificates issued before still chain to it', async () => {
    const dir = caDir();
    const ca = await openLocalCa(dir, silentLogger());
    const door = new X509Certificate((await ca.issueClientCertificate('front-door')).certPem);
    fs.rmSync(path.join(dir, 'ca.crt'));
    const reopened = await openLocalCa(dir, silentLogger());
    const newCa = new X509Certificate(reopened.caCertPem);
    expect(door.checkIssued(newCa)).toBe(true);
    expect(door.verify(newCa.publicKey)).toBe(true);
  });

  it('creates a single CA when opened concurrently', async () => {
    const dir = caDir();
    const opened = await Promise.all([0, 1, 2].map(() => openLocalCa(dir, silentLogger())));
    expect(new Set(opened.map((c) => c.caCertPem)).size).toBe(1);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a CA directory whose key is missing but certificate present', async () => {
    const dir = caDir();
    await openLocalCa(dir, silentLogger());
    fs.rmSync(path.join(dir, 'ca.key'));
    await expect(openLocalCa(dir, silentLogger())).rejects.toMatchObject({ code: 'ca_state' });
  });

  it('issues a server certificate for localhost, 127.0.0.1 and the names asked for', async () => {
    const ca = await openLocalCa(caDir(), silentLogger());
    const { certPem } = await ca.issueServerCertificate({ dns: ['facegate.local'], ips: ['192.168.1.10'] });
    const cert = new X509Certificate(certPem);
    expect(cert.verify(new X509Certificate(ca.caCertPem).publicKey)).toBe(true);
    expect(cert.checkIssued(new X509Certificate(ca.caCertPem))).toBe(true); // AKI matches the CA's SKI
    expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.1'); // serverAuth
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkHost('facegate.local')).toBe('facegate.local');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('192.168.1.10')).toBe('192.168.1.10');
    expect(cert.checkHost('evil.example')).toBeUndefined();
    expect(cert.ca).toBe(false);
  });

  it('issues client certificates with the CN as identity and a serial Node reads back the same', async () => {
    const ca = await openLocalCa(caDir(), silentLogger());
    const issued = await ca.issueClientCertificate('front-door', 30);
    const cert = new X509Certificate(issued.certPem);
    expect(cert.subject).toContain('CN=front-door');
    expect(cert.checkIssued(new X509Certificate(ca.caCertPem))).toBe(true);
    expect(normalizeSerial(cert.serialNumber)).toBe(issued.serialNumber);
    expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.2'); // clientAuth
    const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(30);
    expect(issued.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('refuses bad names and validity', async () => {
    const ca = await openLocalCa(caDir(), silentLogger());
    await expect(ca.issueClientCertificate('')).rejects.toBeInstanceOf(CertificateRequestError);
    await expect(ca.issueClientCertificate('door/../x')).rejects.toBeInstanceOf(CertificateRequestError);
    await expect(ca.issueClientCertificate('door', 0)).rejects.toBeInstanceOf(CertificateRequestError);
    await expect(ca.issueClientCertificate('door', 100_000)).rejects.toBeInstanceOf(CertificateRequestError);
    await expect(ca.issueServerCertificate({ dns: ['bad name'], ips: [] })).rejects.toBeInstanceOf(
      CertificateRequestError,
    );
    await expect(ca.issueServerCertificate({ dns: [], ips: ['999.1.1.1'] })).rejects.toBeInstanceOf(
      CertificateRequestError,
    );
  });

  it('revokes every certificate of a name, persistently, while a later one stays valid', async () => {
    const dir = caDir();
    const ca = await openLocalCa(dir, silentLogger());
    const old1 = await ca.issueClientCertificate('side-door');
    const old2 = await ca.issueClientCertificate('side-door');
    const other = await ca.issueClientCertificate('back-door');
    await ca.revoke('side-door');
    const fresh = await ca.issueClientCertificate('side-door');

    const reopened = await openLocalCa(dir, silentLogger());
    for (const c of [ca, reopened]) {
      expect(c.isRevoked(old1.serialNumber)).toBe(true);
      expect(c.isRevoked(old2.serialNumber.toUpperCase())).toBe(true);
      expect(c.isRevoked(fresh.serialNumber)).toBe(false);
      expect(c.isRevoked(other.serialNumber)).toBe(false);
    }
  });

  it('sees revocations made by another process on the same directory', async () => {
    const dir = caDir();
    const server = await openLocalCa(dir, silentLogger());
    const door = await server.issueClientCertificate('garage');
    expect(server.isRevoked(door.serialNumber)).toBe(false);
    const cli = await openLocalCa(dir, silentLogger()); // e.g. the CLI, in its own process
    await cli.revoke('garage');
    expect(server.isRevoked(door.serialNumber)).toBe(true);
  });

  it('fails closed on a corrupt revocation list at open', async () => {
    const dir = caDir();
    const ca = await openLocalCa(dir, silentLogger());
    await ca.issueClientCertificate('garage');
    await ca.revoke('garage');
    fs.writeFileSync(path.join(dir, 'revoked.json'), '{ not json');
    await expect(openLocalCa(dir, silentLogger())).rejects.toMatchObject({ code: 'ca_state' });
  });
});

describe('LocalDoorProvisioner', () => {
  it('hands a door its certificate, key, the CA and the broker address', async () => {
    const ca = await openLocalCa(caDir(), silentLogger());
    const provisioner = new LocalDoorProvisioner(ca, { siteId: 'local', host: 'facegate.local', port: 8883 });
    const creds = await provisioner.provision('lobby');
    expect(creds).toMatchObject({ doorId: 'lobby', caPem: ca.caCertPem, endpoint: 'facegate.local', port: 8883 });
    expect(new X509Certificate(creds.certificatePem).subject).toContain('CN=lobby');
    expect(creds.privateKeyPem).toMatch(/PRIVATE KEY/);

    await provisioner.revoke('lobby');
    expect(ca.isRevoked(normalizeSerial(new X509Certificate(creds.certificatePem).serialNumber))).toBe(true);
  });

  it('issues door certificates for one year by default, or as configured', async () => {
    const ca = await openLocalCa(caDir(), silentLogger());
    const days = (pem: string) => Math.round((Date.parse(new X509Certificate(pem).validTo) - Date.now()) / 86_400_000);
    const byDefault = new LocalDoorProvisioner(ca, { siteId: 'local', host: 'localhost', port: 8883 });
    const a = await byDefault.provision('door-a');
    expect(days(a.certificatePem)).toBe(365);
    expect(a.notAfter).toBe(Date.parse(new X509Certificate(a.certificatePem).validTo));
    const configured = new LocalDoorProvisioner(ca, { siteId: 'local', host: 'localhost', port: 8883 }, 90);
    expect(days((await configured.provision('door-b')).certificatePem)).toBe(90);
  });

  it("signs the door's own request: no key in the credentials, CN is the door id whatever the request says", async () => {
    const ca = await openLocalCa(caDir(), silentLogger());
    const provisioner = new LocalDoorProvisioner(ca, { siteId: 'local', host: 'localhost', port: 8883 });
    const request = await makeDoorKeyRequest('other-door'); // a request naming another door
    const creds = await provisioner.provision('lobby', { csrPem: request.csrPem });
    expect(creds.privateKeyPem).toBeUndefined();
    const cert = new X509Certificate(creds.certificatePem);
    expect(cert.subject).toContain('CN=lobby');
    expect(cert.checkPrivateKey(createPrivateKey(request.keyPem))).toBe(true);
    expect(cert.checkIssued(new X509Certificate(ca.caCertPem))).toBe(true);
  });

  it('refuses a request that is not one, has a forged signature, or a weak key; the door keeps its certificate', async () => {
    const ca = await openLocalCa(caDir(), silentLogger());
    const provisioner = new LocalDoorProvisioner(ca, { siteId: 'local', host: 'localhost', port: 8883 });
    const current = await provisioner.provision('lobby');
    const good = await makeDoorKeyRequest('lobby');
    // Swap the public key for another one: the self-signature no longer matches (no proof of possession).
    const forged = forge.pki.certificationRequestFromPem(good.csrPem);
    // forge re-encodes a parsed request from its cached ASN.1 unless that is cleared.
    (forged as unknown as { certificationRequestInfo: unknown }).certificationRequestInfo = null;
    forged.publicKey = forge.pki.publicKeyFromPem(
      generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    );
    const weak = forge.pki.createCertificationRequest();
    const weakKeys = forge.pki.rsa.generateKeyPair({ bits: 1024 });
    weak.publicKey = weakKeys.publicKey;
    weak.setSubject([{ name: 'commonName', value: 'lobby' }]);
    weak.sign(weakKeys.privateKey, forge.md.sha256.create());
    for (const [csrPem, message] of [
      ['hello', /not a PEM certificate signing request/],
      [`${good.csrPem.slice(0, 300)}\n-----END CERTIFICATE REQUEST-----\n`, /cannot be read/],
      [forge.pki.certificationRequestToPem(forged), /not signed by its own key/],
      [forge.pki.certificationRequestToPem(weak), /1024 bits; at least 2048/],
    ] as const) {
      await expect(provisioner.provision('lobby', { csrPem }), String(message)).rejects.toThrow(message);
    }
    const serial = normalizeSerial(new X509Certificate(current.certificatePem).serialNumber);
    expect(ca.isRevoked(serial)).toBe(false);
  });

  it('re-provisioning revokes the earlier certificates, renewing keeps them; remove forgets them all', async () => {
    const ca = await openLocalCa(caDir(), silentLogger());
    const provisioner = new LocalDoorProvisioner(ca, { siteId: 'local', host: 'localhost', port: 8883 });
    const serialOf = (pem: string) => normalizeSerial(new X509Certificate(pem).serialNumber);
    const first = await provisioner.provision('lobby');
    const second = await provisioner.provision('lobby');
    expect(ca.isRevoked(serialOf(first.certificatePem))).toBe(true);
    const renewed = await provisioner.provision('lobby', { keepPrevious: true });
    expect(ca.isRevoked(serialOf(second.certificatePem))).toBe(false);
    expect((await provisioner.certificates('lobby')).map((c) => [c.id, c.status])).toEqual([
      [serialOf(renewed.certificatePem), 'active'],
      [serialOf(second.certificatePem), 'active'],
      [serialOf(first.certificatePem), 'revoked'],
    ]);
    await provisioner.remove('lobby');
    expect(await provisioner.certificates('lobby')).toEqual([]);
    for (const c of [first, second, renewed]) expect(ca.isRevoked(serialOf(c.certificatePem))).toBe(true);
  });

  it('refuses invalid door ids and the back end identity', async () => {
    const ca = await openLocalCa(caDir(), silentLogger());
    const provisioner = new LocalDoorProvisioner(ca, { siteId: 'local', host: 'localhost', port: 8883 });
    for (const bad of ['', 'Front-Door', '../etc', 'a/b', '-x', 'facegate-backend', 'facegate-backend-2']) {
      await expect(provisioner.provision(bad), bad).rejects.toBeInstanceOf(InvalidInputError);
    }
  });
});
