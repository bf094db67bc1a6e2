/**
 * DoorProvisioner for the local stack: a door's credentials are a client certificate from the
 * local CA whose CN is the door id, the CA certificate that signed the broker's server
 * certificate, and the broker's address.
 */
import { InvalidInputError } from '../../../../../lib/errors.js';
import { isValidDoorId } from '../../../../../protocol/index.js';
import type { DoorCredentials, DoorProvisioner } from '../../../ports/door-provisioner.js';
import { isReservedIdentity } from '../broker/identity.js';
import type { LocalCa } from './index.js';

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
  ) {}

  async provision(doorId: string): Promise<DoorCredentials> {
    checkDoorId(doorId);
    const { certPem, keyPem } = await this.ca.issueClientCertificate(doorId);
    return {
      siteId: this.endpoint.siteId,
      doorId,
      certificatePem: certPem,
      privateKeyPem: keyPem,
      caPem: this.ca.caCertPem,
      endpoint: this.endpoint.host,
      port: this.endpoint.port,
    };
  }

  async revoke(doorId: string): Promise<void> {
    checkDoorId(doorId);
    await this.ca.revoke(doorId);
  }
}
