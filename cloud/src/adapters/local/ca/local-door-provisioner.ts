/**
 * DoorProvisioner for the local stack: a door's credentials are a client certificate from the
 * local CA whose CN is the door id (signed from the door's own request when it sent one), the CA
 * certificate that signed the broker's server certificate, and the broker's address. Revocation
 * is by serial in the CA's list, which the broker reads at every connect and re-checks every
 * second for the doors already connected.
 */
import { InvalidInputError } from '../../../../../lib/errors.js';
import { isValidDoorId } from '../../../../../protocol/index.js';
import type {
  DoorCertificateInfo,
  DoorCredentials,
  DoorProvisioner,
  ProvisionOptions,
} from '../../../ports/door-provisioner.js';
import { isReservedIdentity } from '../broker/identity.js';
import { DEFAULT_CLIENT_VALID_DAYS, type LocalCa } from './index.js';

function checkDoorId(doorId: string): void {
  if (typeof doorId !== 'string' || !isValidDoorId(doorId)) {
    throw new InvalidInputError(`invalid door id ${JSON.stringify(doorId)}: 1-64 chars of a-z, 0-9 and -`);
  }
  if (isReservedIdentity(doorId)) {
    throw new InvalidInputError(`door id ${JSON.stringify(doorId)} is reserved for the back end`);
  }
}

export class LocalDoorProvisioner implements DoorProvisioner {
  constructor(
    private readonly ca: LocalCa,
    private readonly endpoint: { siteId: string; host: string; port: number },
    /** Validity of door certificates (FACEGATE_DOOR_CERT_DAYS). */
    private readonly validDays: number = DEFAULT_CLIENT_VALID_DAYS,
  ) {}

  async provision(doorId: string, options: ProvisionOptions = {}): Promise<DoorCredentials> {
    checkDoorId(doorId);
    const issued = options.csrPem
      ? await this.ca.signClientRequest(doorId, options.csrPem, this.validDays)
      : await this.ca.issueClientCertificate(doorId, this.validDays);
    // Only once the new certificate exists: a refused request must not leave the door with none.
    if (!options.keepPrevious) await this.ca.revoke(doorId, issued.serialNumber);
    return {
      siteId: this.endpoint.siteId,
      doorId,
      certificatePem: issued.certPem,
      ...('keyPem' in issued && typeof issued.keyPem === 'string' && { privateKeyPem: issued.keyPem }),
      caPem: this.ca.caCertPem,
      endpoint: this.endpoint.host,
      port: this.endpoint.port,
      notAfter: issued.notAfter,
    };
  }

  async revoke(doorId: string): Promise<void> {
    checkDoorId(doorId);
    await this.ca.revoke(doorId);
  }

  /** Locally a disabled door stays connected (its state stays visible); the back end refuses its frames. */
  async setEnabled(doorId: string): Promise<void> {
    checkDoorId(doorId);
  }

  async remove(doorId: string): Promise<void> {
    checkDoorId(doorId);
    await this.ca.forget(doorId);
  }

  async certificates(doorId: string): Promise<DoorCertificateInfo[]> {
    checkDoorId(doorId);
    const now = Date.now();
    return this.ca.certificatesOf(doorId).map((c) => ({
      id: c.serialNumber,
      status: c.revoked ? 'revoked' : c.notAfter <= now ? 'expired' : 'active',
      notAfter: c.notAfter,
    }));
  }
}
