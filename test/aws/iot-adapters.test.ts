/**
 * IoT Core adapters (DoorMessaging via IoT Data Plane, DoorProvisioner via the IoT control
 * plane). IoT Core cannot run here: the real SDK clients talk to a fake HTTP layer, and the tests
 * assert the REST calls they make, in order, and how failures are handled.
 */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { IoTClient } from '@aws-sdk/client-iot';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import { DoorCommand } from '../../protocol/index.js';
import { AMAZON_ROOT_CA_1_PEM } from '../../cloud/src/adapters/aws/amazon-root-ca.js';
import { IotDoorMessaging } from '../../cloud/src/adapters/aws/iot-door-messaging.js';
import { IotDoorProvisioner } from '../../cloud/src/adapters/aws/iot-door-provisioner.js';
import { UpstreamError } from '../../cloud/src/errors.js';
import { awsError, fakeAwsHttp, fakeClientConfig, type RecordedRequest, type Responder } from './fake-aws-http.js';

const unlock: DoorCommand = {
  v: 2,
  type: 'unlock',
  doorId: 'front-door',
  decisionId: 'decision-0001',
  issuedAt: 1_767_225_600_000,
  expiresAt: 1_767_225_605_000,
  pulseMs: 3000,
  source: 'face',
};

describe('IotDoorMessaging', () => {
  it('publishes the validated command as JSON to the door commands topic with QoS 1', async () => {
    const http = fakeAwsHttp(() => ({ body: {} }));
    const client = new IoTDataPlaneClient({
      ...fakeClientConfig,
      endpoint: 'https://example-ats.iot.eu-west-1.amazonaws.com',
      requestHandler: http.requestHandler,
    });
    await new IotDoorMessaging({ siteId: 'local', client, logger: silentLogger() }).publishCommand(unlock);
    expect(http.requests).toHaveLength(1);
    const req = http.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/topics/facegate%2Flocal%2Fdoors%2Ffront-door%2Fcommands');
    expect(req.query).toMatchObject({ qos: '1' });
    expect(JSON.parse(req.body.toString('utf8'))).toEqual(unlock);
  });

  it('refuses an invalid command and publishes nothing', async () => {
    const http = fakeAwsHttp(() => ({ body: {} }));
    const client = new IoTDataPlaneClient({
      ...fakeClientConfig,
      endpoint: 'https://example-ats.iot.eu-west-1.amazonaws.com',
      requestHandler: http.requestHandler,
    });
    const messaging = new IotDoorMessaging({ siteId: 'local', client, logger: silentLogger() });
    await expect(messaging.publishCommand({ ...unlock, pulseMs: 60_000 })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(messaging.publishCommand({ ...unlock, doorId: '../+/#' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    expect(http.requests).toHaveLength(0);
  });

  it('wraps a failed publish as UpstreamError', async () => {
    const http = fakeAwsHttp(() => awsError('ThrottlingException', 'Rate exceeded', 429));
    const client = new IoTDataPlaneClient({
      ...fakeClientConfig,
      endpoint: 'https://example-ats.iot.eu-west-1.amazonaws.com',
      requestHandler: http.requestHandler,
    });
    await expect(
      new IotDoorMessaging({ siteId: 'local', client, logger: silentLogger() }).publishCommand(unlock),
    ).rejects.toBeInstanceOf(UpstreamError);
  });
});

const CERT_ARN = (id: string) => `arn:aws:iot:eu-west-1:111122223333:cert/${id}`;
const NEW_ID = 'a'.repeat(64);
const OLD_ID = 'b'.repeat(64);
/** Certificate expiry the fake IoT reports (epoch seconds, as the REST API sends dates). */
const NOT_AFTER_S = 2_524_608_000; // 2050-01-01
const THING = 'facegate_local_front-door';
const GROUP_ARN = 'arn:aws:iot:eu-west-1:111122223333:thinggroup/facegate-local-doors';

/** Routes the IoT REST API calls the provisioner makes; `principals` is what the thing has attached. */
function iotResponder(principals: string[], overrides: Partial<Record<string, FakeRoute>> = {}): Responder {
  const routes: Record<string, FakeRoute> = {
    DescribeEndpoint: () => ({ body: { endpointAddress: 'abc123-ats.iot.eu-west-1.amazonaws.com' } }),
    DescribeThingGroup: () => ({
      body: { thingGroupName: 'facegate-local-doors', thingGroupArn: GROUP_ARN },
    }),
    CreateThing: () => ({
      body: { thingName: THING, thingArn: `arn:aws:iot:eu-west-1:111122223333:thing/${THING}` },
    }),
    UpdateThing: () => ({ body: {} }),
    AddThingToThingGroup: () => ({ body: {} }),
    ListThingPrincipals: () => ({ body: { principals } }),
    CreateKeysAndCertificate: () => ({
      body: {
        certificateArn: CERT_ARN(NEW_ID),
        certificateId: NEW_ID,
        certificatePem: '-----BEGIN CERTIFICATE-----\nNEW\n-----END CERTIFICATE-----\n',
        keyPair: {
          PublicKey: 'pub',
          PrivateKey: '-----BEGIN RSA PRIVATE KEY-----\nSECRET\n-----END RSA PRIVATE KEY-----\n',
        },
      },
    }),
    AttachPolicy: () => ({ body: {} }),
    AttachThingPrincipal: () => ({ body: {} }),
    UpdateCertificate: () => ({ body: {} }),
    DetachThingPrincipal: () => ({ body: {} }),
    DeleteCertificate: () => ({ body: {} }),
    DescribeCertificate: (req) => ({
      body: {
        certificateDescription: {
          certificateId: decodeURIComponent(req.path).split('/').pop(),
          status: 'ACTIVE',
          validity: { notBefore: NOT_AFTER_S - 86_400, notAfter: NOT_AFTER_S },
        },
      },
    }),
    CreateCertificateFromCsr: (req) => ({
      body: {
        certificateArn: CERT_ARN(NEW_ID),
        certificateId: NEW_ID,
        certificatePem: `-----BEGIN CERTIFICATE-----\nFROM-CSR ${String((req.json as { certificateSigningRequest?: string }).certificateSigningRequest?.length)}\n-----END CERTIFICATE-----\n`,
      },
    }),
    DeleteThing: () => ({ body: {} }),
    ...overrides,
  };
  return (req) => {
    const op = operationOf(req);
    const route = routes[op];
    if (!route) throw new Error(`unexpected IoT call ${req.method} ${req.path}`);
    return route(req);
  };
}
type FakeRoute = Responder;

/** Names the IoT operation from its REST route (the control plane is REST-JSON). */
function operationOf(req: RecordedRequest): string {
  const p = decodeURIComponent(req.path);
  if (req.method === 'GET' && p === '/endpoint') return 'DescribeEndpoint';
  if (req.method === 'GET' && /^\/thing-groups\/[^/]+$/.test(p)) return 'DescribeThingGroup';
  if (req.method === 'PUT' && p === '/thing-groups/addThingToThingGroup') return 'AddThingToThingGroup';
  if (req.method === 'POST' && /^\/things\/[^/]+$/.test(p)) return 'CreateThing';
  if (req.method === 'PATCH' && /^\/things\/[^/]+$/.test(p)) return 'UpdateThing';
  if (req.method === 'GET' && /^\/things\/[^/]+\/principals$/.test(p)) return 'ListThingPrincipals';
  if (req.method === 'PUT' && /^\/things\/[^/]+\/principals$/.test(p)) return 'AttachThingPrincipal';
  if (req.method === 'DELETE' && /^\/things\/[^/]+\/principals$/.test(p)) return 'DetachThingPrincipal';
  if (req.method === 'POST' && p === '/keys-and-certificate') return 'CreateKeysAndCertificate';
  if (req.method === 'PUT' && p.startsWith('/target-policies/')) return 'AttachPolicy';
  if (req.method === 'POST' && p.startsWith('/target-policies/')) return 'DetachPolicy';
  if (req.method === 'PUT' && p.startsWith('/certificates/')) return 'UpdateCertificate';
  if (req.method === 'DELETE' && p.startsWith('/certificates/')) return 'DeleteCertificate';
  if (req.method === 'GET' && p.startsWith('/certificates/')) return 'DescribeCertificate';
  if (req.method === 'POST' && p === '/certificates') return 'CreateCertificateFromCsr';
  if (req.method === 'DELETE' && /^\/things\/[^/]+$/.test(p)) return 'DeleteThing';
  return `${req.method} ${p}`;
}

function provisionerWith(respond: Responder) {
  const http = fakeAwsHttp(respond);
  const client = new IoTClient({ ...fakeClientConfig, requestHandler: http.requestHandler });
  return {
    provisioner: new IotDoorProvisioner({
      siteId: 'local',
      client,
      policyName: 'facegate-local-door',
      logger: silentLogger(),
    }),
    requests: http.requests,
  };
}

describe('IotDoorProvisioner', () => {
  it('creates the site-named thing in the site group with an active certificate, the policy on the group, and returns the bundle', async () => {
    const { provisioner, requests } = provisionerWith(iotResponder([]));
    const creds = await provisioner.provision('front-door');

    expect(requests.map(operationOf)).toEqual([
      'DescribeEndpoint',
      'DescribeThingGroup',
      'AttachPolicy',
      'CreateThing',
      'AddThingToThingGroup',
      'ListThingPrincipals',
      'CreateKeysAndCertificate',
      'AttachThingPrincipal',
      'DescribeCertificate',
    ]);
    const [endpointReq, groupReq, policyReq, thingReq, addReq, , certReq, attachReq] = requests as [
      RecordedRequest,
      RecordedRequest,
      RecordedRequest,
      RecordedRequest,
      RecordedRequest,
      RecordedRequest,
      RecordedRequest,
      RecordedRequest,
    ];
    expect(endpointReq.query).toMatchObject({ endpointType: 'iot:Data-ATS' });
    expect(groupReq.path).toBe('/thing-groups/facegate-local-doors');
    expect(policyReq.path).toBe('/target-policies/facegate-local-door');
    expect(policyReq.json).toEqual({ target: GROUP_ARN });
    expect(thingReq.path).toBe(`/things/${THING}`);
    expect(thingReq.json).toEqual({ attributePayload: { attributes: { doorId: 'front-door' } } });
    expect(addReq.json).toEqual({ thingName: THING, thingGroupName: 'facegate-local-doors' });
    expect(certReq.query).toMatchObject({ setAsActive: 'true' });
    expect(attachReq.path).toBe(`/things/${THING}/principals`);
    expect(attachReq.headers['x-amzn-principal']).toBe(CERT_ARN(NEW_ID));
    expect(attachReq.query).toMatchObject({ thingPrincipalType: 'EXCLUSIVE_THING' });

    expect(creds).toEqual({
      siteId: 'local',
      doorId: 'front-door',
      clientId: THING,
      certificatePem: '-----BEGIN CERTIFICATE-----\nNEW\n-----END CERTIFICATE-----\n',
      privateKeyPem: '-----BEGIN RSA PRIVATE KEY-----\nSECRET\n-----END RSA PRIVATE KEY-----\n',
      caPem: AMAZON_ROOT_CA_1_PEM,
      endpoint: 'abc123-ats.iot.eu-west-1.amazonaws.com',
      port: 8883,
      notAfter: NOT_AFTER_S * 1000,
    });
  });

  it("signs the door's request with CreateCertificateFromCsr: no private key anywhere", async () => {
    const { provisioner, requests } = provisionerWith(iotResponder([]));
    const csrPem = '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n';
    const creds = await provisioner.provision('front-door', { csrPem });
    const csrReq = requests.find((r) => operationOf(r) === 'CreateCertificateFromCsr')!;
    expect(csrReq.json).toEqual({ certificateSigningRequest: csrPem });
    expect(csrReq.query).toMatchObject({ setAsActive: 'true' });
    expect(requests.map(operationOf)).not.toContain('CreateKeysAndCertificate');
    expect(creds.privateKeyPem).toBeUndefined();
    expect(creds.certificatePem).toContain('FROM-CSR');

    const refused = provisionerWith(
      iotResponder([], { CreateCertificateFromCsr: () => awsError('InvalidRequestException', 'bad csr', 400) }),
    );
    await expect(refused.provisioner.provision('front-door', { csrPem })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });

  it('renewal keeps the older certificates; disabling sets them INACTIVE, enabling ACTIVE, revoked ones untouched', async () => {
    const renew = provisionerWith(iotResponder([CERT_ARN(OLD_ID)]));
    await renew.provisioner.provision('front-door', { keepPrevious: true });
    expect(renew.requests.map(operationOf)).not.toContain('UpdateCertificate');

    const statuses: Record<string, string> = { [OLD_ID]: 'REVOKED', [NEW_ID]: 'ACTIVE' };
    const { provisioner, requests } = provisionerWith(
      iotResponder([CERT_ARN(OLD_ID), CERT_ARN(NEW_ID)], {
        DescribeCertificate: (req) => {
          const id = decodeURIComponent(req.path).split('/').pop()!;
          return {
            body: {
              certificateDescription: { certificateId: id, status: statuses[id], validity: { notAfter: NOT_AFTER_S } },
            },
          };
        },
      }),
    );
    await provisioner.setEnabled('front-door', false);
    await provisioner.setEnabled('front-door', true);
    expect(
      requests.filter((r) => operationOf(r) === 'UpdateCertificate').map((r) => [r.path, r.query.newStatus]),
    ).toEqual([
      [`/certificates/${NEW_ID}`, 'INACTIVE'],
      [`/certificates/${NEW_ID}`, 'ACTIVE'],
    ]);
    expect(requests.find((r) => operationOf(r) === 'ListThingPrincipals')!.path).toBe(`/things/${THING}/principals`);
    expect((await provisioner.certificates('front-door')).map((c) => [c.id, c.status, c.notAfter])).toEqual([
      [OLD_ID, 'revoked', NOT_AFTER_S * 1000],
      [NEW_ID, 'active', NOT_AFTER_S * 1000],
    ]);
  });

  it("remove revokes and deletes every certificate, then deletes the site's thing", async () => {
    const { provisioner, requests } = provisionerWith(iotResponder([CERT_ARN(OLD_ID)]));
    await provisioner.remove('front-door');
    expect(requests.map(operationOf)).toEqual([
      'ListThingPrincipals',
      'UpdateCertificate',
      'DetachThingPrincipal',
      'DeleteCertificate',
      'DeleteThing',
    ]);
    expect(requests.at(-1)!.path).toBe(`/things/${THING}`);
  });

  it('gives an existing thing the door id attribute, and attaches the group policy once per process', async () => {
    const { provisioner, requests } = provisionerWith(
      iotResponder([], {
        CreateThing: () => awsError('ResourceAlreadyExistsException', 'exists with other attributes', 409),
      }),
    );
    await provisioner.provision('front-door');
    await provisioner.provision('front-door');
    const ops = requests.map(operationOf);
    expect(ops.filter((op) => op === 'AttachPolicy')).toHaveLength(1);
    const update = requests.find((r) => operationOf(r) === 'UpdateThing')!;
    expect(update.path).toBe(`/things/${THING}`);
    expect(update.json).toEqual({ attributePayload: { attributes: { doorId: 'front-door' }, merge: true } });
  });

  it('rotates: the old certificate is revoked, detached and deleted after the new one is attached', async () => {
    const { provisioner, requests } = provisionerWith(
      iotResponder([CERT_ARN(OLD_ID), 'arn:aws:cognito-identity:eu-west-1:1:identity/x']),
    );
    await provisioner.provision('front-door');
    const ops = requests.map(operationOf);
    expect(ops.slice(ops.indexOf('AttachThingPrincipal'))).toEqual([
      'AttachThingPrincipal',
      'UpdateCertificate',
      'DetachThingPrincipal',
      'DeleteCertificate',
      'DescribeCertificate',
    ]);
    const revokeReq = requests.find((r) => operationOf(r) === 'UpdateCertificate')!;
    expect(revokeReq.path).toBe(`/certificates/${OLD_ID}`);
    expect(revokeReq.query).toMatchObject({ newStatus: 'REVOKED' });
    expect(requests.find((r) => operationOf(r) === 'DeleteCertificate')!.path).toBe(`/certificates/${OLD_ID}`);
  });

  it('removes the new certificate when attaching it fails, and reports the failure', async () => {
    const { provisioner, requests } = provisionerWith(
      iotResponder([], {
        AttachThingPrincipal: () => awsError('InvalidRequestException', 'principal already attached to another thing'),
      }),
    );
    await expect(provisioner.provision('front-door')).rejects.toBeInstanceOf(UpstreamError);
    const ops = requests.map(operationOf);
    expect(ops.slice(ops.indexOf('AttachThingPrincipal'))).toEqual([
      'AttachThingPrincipal',
      'UpdateCertificate',
      'DetachThingPrincipal',
      'DeleteCertificate',
    ]);
    expect(requests.filter((r) => operationOf(r) === 'DeleteCertificate').map((r) => r.path)).toEqual([
      `/certificates/${NEW_ID}`,
    ]);
  });

  it('revoke destroys every certificate of the door and tolerates a missing thing', async () => {
    const { provisioner, requests } = provisionerWith(iotResponder([CERT_ARN(OLD_ID), CERT_ARN(NEW_ID)]));
    await provisioner.revoke('front-door');
    expect(requests.filter((r) => operationOf(r) === 'UpdateCertificate').map((r) => r.path)).toEqual([
      `/certificates/${OLD_ID}`,
      `/certificates/${NEW_ID}`,
    ]);

    const gone = provisionerWith(
      iotResponder([], { ListThingPrincipals: () => awsError('ResourceNotFoundException', 'thing not found', 404) }),
    );
    await gone.provisioner.revoke('front-door');
    expect(gone.requests.map(operationOf)).toEqual(['ListThingPrincipals']);
  });

  it('refuses a door id that could not be a thing name or topic level, before any call', async () => {
    const { provisioner, requests } = provisionerWith(iotResponder([]));
    await expect(provisioner.provision('Front Door/#')).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(provisioner.revoke('+')).rejects.toMatchObject({ code: 'invalid_input' });
    expect(requests).toHaveLength(0);
  });

  it('ships the real Amazon Root CA 1', () => {
    const ca = new X509Certificate(AMAZON_ROOT_CA_1_PEM);
    expect(ca.subject).toContain('CN=Amazon Root CA 1');
    expect(ca.fingerprint256).toBe(
      '8E:CD:E6:88:4F:3D:87:B1:12:5B:A3:1A:C3:FC:B1:3D:70:16:DE:7F:57:CC:90:4F:E1:CB:97:C6:AE:98:19:6E',
    );
    const system = '/etc/ssl/certs/Amazon_Root_CA_1.pem';
    if (fs.existsSync(system))
      expect(new X509Certificate(fs.readFileSync(system)).fingerprint256).toBe(ca.fingerprint256);
  });
});
