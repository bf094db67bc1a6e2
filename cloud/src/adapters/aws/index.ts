/** AWS adapters of the back end's ports. Each takes an injected AWS SDK v3 client. */
export {
  RekognitionFaceIndex,
  DEFAULT_REKOGNITION_THRESHOLD,
  type RekognitionFaceIndexOptions,
} from './rekognition-face-index.js';
export { DynamoRecords, type DynamoRecordsOptions } from './dynamo-records.js';
export { S3ImageStore, s3ClientConfig, type S3ImageStoreOptions } from './s3-image-store.js';
export { IotDoorMessaging, type IotDoorMessagingOptions } from './iot-door-messaging.js';
export { IotDoorProvisioner, IOT_MQTT_PORT, type IotDoorProvisionerOptions } from './iot-door-provisioner.js';
export { describeIotDataEndpoint } from './iot-endpoint.js';
export { AMAZON_ROOT_CA_1_PEM } from './amazon-root-ca.js';
export { TABLES, TABLE_ROLES, createTableInput, type TableNames, type TableRole } from './dynamo-schema.js';
export { DoorStatePoller, type DoorStatePollerOptions } from './door-state-poller.js';
export {
  DOOR_ID_ATTRIBUTE,
  doorThingPrefix,
  doorThingName,
  doorIdFromThingName,
  doorThingGroupName,
  doorPolicyName,
} from './iot-names.js';
