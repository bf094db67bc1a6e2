/**
 * The IoT policy every door certificate gets. It mirrors the local broker's ACL exactly: a door
 * connects only under its own thing name (the certificate must be attached to that thing),
 * publishes only to its own frames/events/status topics (status retained: it is the door's
 * last known state and its last will), and subscribes to and receives only its own commands.
 */
import { DOOR_PUBLISH_CHANNELS, siteDoorsPrefix } from '../../protocol/index.js';

/** IoT policy variable: the thing the connecting certificate is attached to. */
const THING = '${iot:Connection.Thing.ThingName}';

export interface IotArnParts {
  site: string;
  partition: string;
  region: string;
  account: string;
}

export function doorPolicyDocument({ site, partition, region, account }: IotArnParts) {
  const arn = (resource: string) => `arn:${partition}:iot:${region}:${account}:${resource}`;
  const doorTopic = (channel: string) => `${siteDoorsPrefix(site)}/${THING}/${channel}`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ConnectAsOwnThing',
        Effect: 'Allow',
        Action: 'iot:Connect',
        Resource: arn(`client/${THING}`),
        Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
      },
      {
        Sid: 'PublishOwnTopics',
        Effect: 'Allow',
        Action: 'iot:Publish',
        Resource: DOOR_PUBLISH_CHANNELS.map((channel) => arn(`topic/${doorTopic(channel)}`)),
      },
      {
        // Status is published retained (and as the retained last will); IoT Core asks for this too.
        Sid: 'RetainOwnStatus',
        Effect: 'Allow',
        Action: 'iot:RetainPublish',
        Resource: arn(`topic/${doorTopic('status')}`),
      },
      {
        Sid: 'SubscribeOwnCommands',
        Effect: 'Allow',
        Action: 'iot:Subscribe',
        Resource: arn(`topicfilter/${doorTopic('commands')}`),
      },
      {
        Sid: 'ReceiveOwnCommands',
        Effect: 'Allow',
        Action: 'iot:Receive',
        Resource: arn(`topic/${doorTopic('commands')}`),
      },
    ],
  };
}
