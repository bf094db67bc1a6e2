/**
 * DoorProvisioner over AWS IoT Core: one thing per door, named with the site
 * (`facegate_{site}_{doorId}`, iot-names.ts) and carrying the plain door id as an attribute, in the
 * site's thing group; one X.509 certificate made by IoT (the private key exists only in the
 * returned bundle), attached to the thing exclusively. The site's door policy is attached to the
 * thing group once, so no certificate holds a policy of its own: a certificate detached from its
 * thing can do nothing, and the policy allows a connection only as `client/<thing name>`.
 *
 * Provisioning a door again rotates its certificate: the new one is attached first, then every
 * older certificate of that thing is revoked, so a door is never left with two valid identities
 * (renewal keeps the older ones until they expire). With a CSR the door's own key is used
 * (CreateCertificateFromCsr) and no private key exists outside the door. Disabling a door sets its
 * certificates INACTIVE (IoT refuses them at connect), deleting removes certificates and thing.
 */
import {
  AddThingToThingGroupCommand,
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateCertificateFromCsrCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  DeleteCertificateCommand,
  DeleteThingCommand,
  DescribeCertificateCommand,
  DescribeThingGroupCommand,
  DetachThingPrincipalCommand,
  ListThingPrincipalsCommand,
  UpdateCertificateCommand,
  UpdateThingCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import type { Logger } from '../../../../lib/logger.js';
import { isValidDoorId } from '../../../../protocol/index.js';
import { InvalidInputError, UpstreamError } from '../../errors.js';
import type {
  CertificateStatus,
  DoorCertificateInfo,
  DoorCredentials,
  DoorProvisioner,
  ProvisionOptions,
} from '../../ports/door-provisioner.js';
import { AMAZON_ROOT_CA_1_PEM } from './amazon-root-ca.js';
import { asUpstream, callAws, isAwsError } from './aws-errors.js';
import { describeIotDataEndpoint } from './iot-endpoint.js';
import { DOOR_ID_ATTRIBUTE, doorThingGroupName, doorThingName } from './iot-names.js';

/** MQTT over TLS with client certificates. */
export const IOT_MQTT_PORT = 8883;

export interface IotDoorProvisionerOptions {
  client: Pick<IoTClient, 'send'>;
  /** The site whose doors this provisions (goes into the door's config bundle). */
  siteId: string;
  /** The door policy the stack created (output `DoorPolicyName`), attached to the site's thing group. */
  policyName: string;
  logger: Logger;
}

export class IotDoorProvisioner implements DoorProvisioner {
  private readonly client: Pick<IoTClient, 'send'>;
  private readonly log: Logger;
  private endpoint: Promise<string> | null = null;
  private groupPolicy: Promise<void> | null = null;

  constructor(private readonly options: IotDoorProvisionerOptions) {
    this.client = options.client;
    this.log = options.logger.child({ component: 'iot-door-provisioner' });
  }

  async provision(doorId: string, options: ProvisionOptions = {}): Promise<DoorCredentials> {
    assertDoorId(doorId);
    const endpoint = await this.dataEndpoint();
    await this.ensureGroupPolicy();
    const thingName = this.thingName(doorId);
    await this.ensureThing(doorId, thingName);
    const previous = options.keepPrevious ? [] : await this.certificatesOf(thingName);

    const { certificateArn, certificateId, certificatePem, privateKeyPem } = await this.createCertificate(
      options.csrPem,
    );
    try {
      await callAws('iot', 'AttachThingPrincipal', () =>
        this.client.send(
          new AttachThingPrincipalCommand({
            thingName,
            principal: certificateArn,
            thingPrincipalType: 'EXCLUSIVE_THING',
          }),
        ),
      );
    } catch (err) {
      // Leave no active, unattached certificate behind.
      await this.destroyCertificate(thingName, certificateArn).catch((cleanupErr: unknown) =>
        this.log.error({ err: cleanupErr, doorId, certificateId }, 'could not remove a half-provisioned certificate'),
      );
      throw err;
    }
    for (const old of previous) await this.destroyCertificate(thingName, old);
    const notAfter = (await this.describe(certificateId))?.notAfter ?? 0;
    this.log.info({ doorId, certificateId, rotated: previous.length, csr: !privateKeyPem }, 'door provisioned');
    return {
      siteId: this.options.siteId,
      doorId,
      clientId: thingName,
      certificatePem,
      ...(privateKeyPem && { privateKeyPem }),
      caPem: AMAZON_ROOT_CA_1_PEM,
      endpoint,
      port: IOT_MQTT_PORT,
      notAfter,
    };
  }

  async setEnabled(doorId: string, enabled: boolean): Promise<void> {
    assertDoorId(doorId);
    for (const arn of await this.certificatesOf(this.thingName(doorId))) {
      const certificateId = idOf(arn);
      const current = await this.describe(certificateId);
      // A revoked certificate stays revoked; only ACTIVE <-> INACTIVE moves.
      if (!current || current.status === 'revoked' || current.status === 'expired') continue;
      const newStatus = enabled ? 'ACTIVE' : 'INACTIVE';
      await callAws('iot', 'UpdateCertificate', () =>
        this.client.send(new UpdateCertificateCommand({ certificateId, newStatus })),
      );
      this.log.info({ doorId, certificateId, newStatus }, 'door certificate status changed');
    }
  }

  async remove(doorId: string): Promise<void> {
    await this.revoke(doorId);
    const thingName = this.thingName(doorId);
    try {
      await this.client.send(new DeleteThingCommand({ thingName }));
    } catch (err) {
      if (!isAwsError(err, 'ResourceNotFoundException')) throw asUpstream('iot', 'DeleteThing', err);
    }
    this.log.info({ doorId, thingName }, 'door thing deleted');
  }

  async certificates(doorId: string): Promise<DoorCertificateInfo[]> {
    assertDoorId(doorId);
    const infos: DoorCertificateInfo[] = [];
    for (const arn of await this.certificatesOf(this.thingName(doorId))) {
      const info = await this.describe(idOf(arn));
      if (info) infos.push(info);
    }
    return infos.sort((a, b) => b.notAfter - a.notAfter);
  }

  /** A certificate made by IoT (key pair returned once) or signed from the door's request. */
  private async createCertificate(csrPem: string | undefined): Promise<{
    certificateArn: string;
    certificateId: string;
    certificatePem: string;
    privateKeyPem?: string;
  }> {
    if (csrPem !== undefined) {
      let res;
      try {
        res = await this.client.send(
          new CreateCertificateFromCsrCommand({ certificateSigningRequest: csrPem, setAsActive: true }),
        );
      } catch (err) {
        if (isAwsError(err, 'InvalidRequestException')) {
          throw new InvalidInputError('AWS IoT refused the certificate signing request', { cause: err });
        }
        throw asUpstream('iot', 'CreateCertificateFromCsr', err);
      }
      if (!res.certificateArn || !res.certificateId || !res.certificatePem) {
        throw new UpstreamError('iot', 'CreateCertificateFromCsr returned an incomplete certificate');
      }
      return {
        certificateArn: res.certificateArn,
        certificateId: res.certificateId,
        certificatePem: res.certificatePem,
      };
    }
    const cert = await callAws('iot', 'CreateKeysAndCertificate', () =>
      this.client.send(new CreateKeysAndCertificateCommand({ setAsActive: true })),
    );
    const privateKeyPem = cert.keyPair?.PrivateKey;
    if (!cert.certificateArn || !cert.certificateId || !cert.certificatePem || !privateKeyPem) {
      throw new UpstreamError('iot', 'CreateKeysAndCertificate returned an incomplete certificate');
    }
    return {
      certificateArn: cert.certificateArn,
      certificateId: cert.certificateId,
      certificatePem: cert.certificatePem,
      privateKeyPem,
    };
  }

  /** Status and expiry of one certificate; null when it is gone. */
  private async describe(certificateId: string): Promise<DoorCertificateInfo | null> {
    let res;
    try {
      res = await this.client.send(new DescribeCertificateCommand({ certificateId }));
    } catch (err) {
      if (isAwsError(err, 'ResourceNotFoundException')) return null;
      throw asUpstream('iot', 'DescribeCertificate', err);
    }
    const description = res.certificateDescription;
    const notAfter = description?.validity?.notAfter?.getTime() ?? 0;
    const raw = description?.status;
    let status: CertificateStatus = raw === 'ACTIVE' ? 'active' : raw === 'REVOKED' ? 'revoked' : 'inactive';
    if (status !== 'revoked' && notAfter > 0 && notAfter <= Date.now()) status = 'expired';
    return { id: certificateId, status, notAfter };
  }

  async revoke(doorId: string): Promise<void> {
    assertDoorId(doorId);
    const thingName = this.thingName(doorId);
    const certificates = await this.certificatesOf(thingName);
    for (const arn of certificates) await this.destroyCertificate(thingName, arn);
    this.log.info({ doorId, revoked: certificates.length }, 'door certificates revoked');
  }

  private dataEndpoint(): Promise<string> {
    this.endpoint ??= describeIotDataEndpoint(this.client).catch((err: unknown) => {
      this.endpoint = null; // retry on the next call
      throw err;
    });
    return this.endpoint;
  }

  private thingName(doorId: string): string {
    return doorThingName(this.options.siteId, doorId);
  }

  /** The site's door policy on the site's thing group (idempotent; once per process unless it fails). */
  private ensureGroupPolicy(): Promise<void> {
    this.groupPolicy ??= (async () => {
      const thingGroupName = doorThingGroupName(this.options.siteId);
      const group = await callAws('iot', 'DescribeThingGroup', () =>
        this.client.send(new DescribeThingGroupCommand({ thingGroupName })),
      );
      if (!group.thingGroupArn) throw new UpstreamError('iot', `DescribeThingGroup ${thingGroupName} returned no ARN`);
      await callAws('iot', 'AttachPolicy', () =>
        this.client.send(new AttachPolicyCommand({ policyName: this.options.policyName, target: group.thingGroupArn })),
      );
    })().catch((err: unknown) => {
      this.groupPolicy = null; // retry on the next call
      throw err;
    });
    return this.groupPolicy;
  }

  /** The door's thing with its door id attribute (the policy builds topics from it), in the site's group. */
  private async ensureThing(doorId: string, thingName: string): Promise<void> {
    const attributes = { [DOOR_ID_ATTRIBUTE]: doorId };
    try {
      await this.client.send(new CreateThingCommand({ thingName, attributePayload: { attributes } }));
    } catch (err) {
      if (!isAwsError(err, 'ResourceAlreadyExistsException')) throw asUpstream('iot', 'CreateThing', err);
      // The thing exists with other attributes (made by hand, or an older version): set ours.
      await callAws('iot', 'UpdateThing', () =>
        this.client.send(new UpdateThingCommand({ thingName, attributePayload: { attributes, merge: true } })),
      );
    }
    await callAws('iot', 'AddThingToThingGroup', () =>
      this.client.send(
        new AddThingToThingGroupCommand({ thingName, thingGroupName: doorThingGroupName(this.options.siteId) }),
      ),
    );
  }

  /** ARNs of the X.509 certificates attached to the door's thing (none if the thing is gone). */
  private async certificatesOf(thingName: string): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      let res;
      try {
        res = await this.client.send(new ListThingPrincipalsCommand({ thingName, nextToken }));
      } catch (err) {
        if (isAwsError(err, 'ResourceNotFoundException')) return [];
        throw asUpstream('iot', 'ListThingPrincipals', err);
      }
      arns.push(...(res.principals ?? []).filter((p) => /:cert\/[0-9a-f]+$/.test(p)));
      nextToken = res.nextToken ?? undefined;
    } while (nextToken);
    return arns;
  }

  /**
   * Revoked first, so the certificate stops working even if a later step fails; then detached
   * and deleted so nothing dangles. Each step tolerates "already done".
   */
  private async destroyCertificate(thingName: string, certificateArn: string): Promise<void> {
    const certificateId = idOf(certificateArn);
    const steps: [string, () => Promise<unknown>][] = [
      [
        'UpdateCertificate',
        () => this.client.send(new UpdateCertificateCommand({ certificateId, newStatus: 'REVOKED' })),
      ],
      [
        'DetachThingPrincipal',
        () => this.client.send(new DetachThingPrincipalCommand({ thingName, principal: certificateArn })),
      ],
      ['DeleteCertificate', () => this.client.send(new DeleteCertificateCommand({ certificateId }))],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (err) {
        if (isAwsError(err, 'ResourceNotFoundException')) continue;
        throw asUpstream('iot', name, err);
      }
    }
    this.log.info({ thingName, certificateId }, 'certificate revoked and deleted');
  }
}

function idOf(certificateArn: string): string {
  return certificateArn.slice(certificateArn.lastIndexOf('/') + 1);
}

function assertDoorId(doorId: string): void {
  if (!isValidDoorId(doorId)) throw new InvalidInputError(`invalid door id: ${JSON.stringify(doorId)}`);
}
