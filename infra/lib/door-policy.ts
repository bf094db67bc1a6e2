/**
 * The IoT policy of a site's doors (attached to the site's thing group, so every door thing of the
 * site inherits it). It mirrors the local broker's ACL: a door connects only under its own thing
 * name (the certificate must be attached to that thing), publishes only to its own
 * frames/events/status topics (status retained: it is the door's last known state and its last
 * will), and subscribes to and receives only its own commands.
 *
 * Two sites may share an account (iot-names.ts). The door id in the topics comes from the thing's
 * `doorId` attribute (the thing name is `facegate_{site}_{doorId}`), and every statement holds only
 * for a thing named `facegate_{site}_…`: this site's policy grants nothing to another site's door
 * even if someone attached it to that door's certificate, and only this site's admin host may
 * create things under this prefix (admin-host.ts).
 */
import { DOOR_PUBLISH_CHANNELS, siteDoorsPrefix } from '../../protocol/index.js';
import { DOOR_ID_ATTRIBUTE, doorThingPrefix } from '../../cloud/src/adapters/aws/iot-names.js';

/** IoT policy variables: the thing the connecting certificate is attached to, and its door id. */
const THING = '${iot:Connection.Thing.ThingName}';
const DOOR_ID = `\${iot:Connection.Thing.Attributes[${DOOR_ID_ATTRIBUTE}]}`;

export interface IotArnParts {
  site: string;
  partition: string;
  region: string;
  account: string;
}

export function doorPolicyDocument({ site, partition, region, account }: IotArnParts) {
  const arn = (resource: string) => `arn:${partition}:iot:${region}:${account}:${resource}`;
  const doorTopic = (channel: string) => `${siteDoorsPrefix(site)}/${DOOR_ID}/${channel}`;
  const ownSite = { StringLike: { 'iot:Connection.Thing.ThingName': `${doorThingPrefix(site)}*` } };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ConnectAsOwnThing',
        Effect: 'Allow',
        Action: 'iot:Connect',
        Resource: arn(`client/${THING}`),
        Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' }, ...ownSite },
      },
      {
        Sid: 'PublishOwnTopics',
        Effect: 'Allow',
        Action: 'iot:Publish',
        Resource: DOOR_PUBLISH_CHANNELS.map((channel) => arn(`topic/${doorTopic(channel)}`)),
        Condition: ownSite,
      },
      {
        // Status is published retained (and as the retained last will); IoT Core asks for this too.
        Sid: 'RetainOwnStatus',
        Effect: 'Allow',
        Action: 'iot:RetainPublish',
        Resource: arn(`topic/${doorTopic('status')}`),
        Condition: ownSite,
      },
      {
        Sid: 'SubscribeOwnCommands',
        Effect: 'Allow',
        Action: 'iot:Subscribe',
        Resource: arn(`topicfilter/${doorTopic('commands')}`),
        Condition: ownSite,
      },
      {
        Sid: 'ReceiveOwnCommands',
        Effect: 'Allow',
        Action: 'iot:Receive',
        Resource: arn(`topic/${doorTopic('commands')}`),
        Condition: ownSite,
      },
    ],
  };
}
