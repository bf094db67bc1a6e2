/**
 * DoorProvisioner over AWS IoT Core: one thing per door (thing name = door id), one X.509
 * certificate made by IoT (the private key exists only in the returned bundle), the stack's door
 * policy attached to the certificate, and the certificate attached to the thing exclusively. The
 * policy allows a connection only as `client/<thing name>`, so the certificate is useless without
 * its thing.
 *
 * Provisioning a door again rotates its certificate: the new one is attached first, then every
 * older certificate of that thing is revoked, so a door is never left with two valid identities.
 */
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  DeleteCertificateCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  ListThingPrincipalsCommand,
  UpdateCertificateCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import type { Logger } from '../../../../lib/logger.js';
import { isValidDoorId } from '../../../../protocol/index.js';
import { InvalidInputError, UpstreamError } from '../../errors.js';
import type { DoorCredentials, DoorProvisioner } from '../../ports/door-provisioner.js';
import { AMAZON_ROOT_CA_1_PEM } from './amazon-root-ca.js';
import { asUpstream, callAws, isAwsError } from './aws-errors.js';
import { describeIotDataEndpoint } from './iot-endpoint.js';

/** MQTT over TLS with client certificates. */
export const IOT_MQTT_PORT = 8883;

export interface IotDoorProvisionerOptions {
  client: Pick<IoTClient, 'send'>;
  /** The site whose doors this provisions (goes into the door's config bundle). */
  siteId: string;
  /** The door policy the stack created (output `DoorPolicyName`). */
  policyName: string;
  logger: Logger;
}

export class IotDoorProvisioner implements DoorProvisioner {
  private readonly client: Pick<IoTClient, 'send'>;
  private readonly log: Logger;
  private endpoint: Promise<string> | null = null;

  constructor(private readonly options: IotDoorProvisionerOptions) {
    this.client = options.client;
    this.log = options.logger.child({ component: 'iot-door-provisioner' });
  }

  async provision(doorId: string): Promise<DoorCredentials> {
    assertDoorId(doorId);
    const endpoint = await this.dataEndpoint();
    await this.ensureThing(doorId);
    const previous = await this.certificatesOf(doorId);

    const cert = await callAws('iot', 'CreateKeysAndCertificate', () =>
      this.client.send(new CreateKeysAndCertificateCommand({ setAsActive: true })),
    );
    const { certificateArn, certificateId, certificatePem } = cert;
    const privateKeyPem = cert.keyPair?.PrivateKey;
    if (!certificateArn || !certificateId || !certificatePem || !privateKeyPem) {
      throw new UpstreamError('iot', 'CreateKeysAndCertificate returned an incomplete certificate');
    }
    try {
      await callAws('iot', 'AttachPolicy', () =>
        this.client.send(new AttachPolicyCommand({ policyName: this.options.policyName, target: certificateArn })),
      );
      await callAws('iot', 'AttachThingPrincipal', () =>
        this.client.send(
          new AttachThingPrincipalCommand({
            thingName: doorId,
            principal: certificateArn,
            thingPrincipalType: 'EXCLUSIVE_THING',
          }),
        ),
      );
    } catch (err) {
      // Leave no active, unattached certificate behind.
      await this.destroyCertificate(doorId, certificateArn).catch((cleanupErr: unknown) =>
        this.log.error({ err: cleanupErr, doorId, certificateId }, 'could not remove a half-provisioned certificate'),
      );
      throw err;
    }
    for (const old of previous) await this.destroyCertificate(doorId, old);
    this.log.info({ doorId, certificateId, rotated: previous.length }, 'door provisioned');
    return {
      siteId: this.options.siteId,
      doorId,
      certificatePem,
      privateKeyPem,
      caPem: AMAZON_ROOT_CA_1_PEM,
      endpoint,
      port: IOT_MQTT_PORT,
    };
  }

  async revoke(doorId: string): Promise<void> {
    assertDoorId(doorId);
    const certificates = await this.certificatesOf(doorId);
    for (const arn of certificates) await this.destroyCertificate(doorId, arn);
    this.log.info({ doorId, revoked: certificates.length }, 'door certificates revoked');
  }

  private dataEndpoint(): Promise<string> {
    this.endpoint ??= describeIotDataEndpoint(this.client).catch((err: unknown) => {
      this.endpoint = null; // retry on the next call
      throw err;
    });
    return this.endpoint;
  }

  private async ensureThing(doorId: string): Promise<void> {
    try {
      await this.client.send(new CreateThingCommand({ thingName: doorId }));
    } catch (err) {
      // The thing exists with other attributes (made by hand, or an older version): use it.
      if (isAwsError(err, 'ResourceAlreadyExistsException')) return;
      throw asUpstream('iot', 'CreateThing', err);
    }
  }

  /** ARNs of the X.509 certificates attached to the door's thing (none if the thing is gone). */
  private async certificatesOf(doorId: string): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      let res;
      try {
        res = await this.client.send(new ListThingPrincipalsCommand({ thingName: doorId, nextToken }));
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
  private async destroyCertificate(doorId: string, certificateArn: string): Promise<void> {
    const certificateId = certificateArn.slice(certificateArn.lastIndexOf('/') + 1);
    const steps: [string, () => Promise<unknown>][] = [
      [
        'UpdateCertificate',
        () => this.client.send(new UpdateCertificateCommand({ certificateId, newStatus: 'REVOKED' })),
      ],
      [
        'DetachThingPrincipal',
        () => this.client.send(new DetachThingPrincipalCommand({ thingName: doorId, principal: certificateArn })),
      ],
      [
        'DetachPolicy',
        () =>
          this.client.send(new DetachPolicyCommand({ policyName: this.options.policyName, target: certificateArn })),
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
    this.log.info({ doorId, certificateId }, 'certificate revoked and deleted');
  }
}

function assertDoorId(doorId: string): void {
  if (!isValidDoorId(doorId)) throw new InvalidInputError(`invalid door id: ${JSON.stringify(doorId)}`);
}
