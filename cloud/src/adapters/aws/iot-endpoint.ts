/**
 * The account's IoT Core data endpoint (`xxxx-ats.iot.<region>.amazonaws.com`). Doors connect to
 * it and the IoT Data Plane client must publish through it; it never changes for an account and
 * region, so callers cache the promise for the life of the process.
 */
import { DescribeEndpointCommand, type IoTClient } from '@aws-sdk/client-iot';
import { UpstreamError } from '../../errors.js';
import { callAws } from './aws-errors.js';

export async function describeIotDataEndpoint(client: Pick<IoTClient, 'send'>): Promise<string> {
  const res = await callAws('iot', 'DescribeEndpoint', () =>
    client.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' })),
  );
  if (!res.endpointAddress) throw new UpstreamError('iot', 'DescribeEndpoint returned no address');
  return res.endpointAddress;
}
