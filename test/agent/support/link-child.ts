/**
 * Child process for the last-will test: connects an IotDoorLink with the files given in argv,
 * prints "connected", then waits to be killed (an unclean exit, as when a Pi loses power).
 */
import { IotDoorLink } from '../../../agent/src/link/iot-door-link.js';
import { silentLogger } from '../../../lib/logger.js';

const [doorId, port, caFile, certFile, keyFile] = process.argv.slice(2) as [string, string, string, string, string];
const link = new IotDoorLink({
  siteId: 'local',
  doorId,
  endpoint: 'localhost',
  port: Number(port),
  caFile,
  certFile,
  keyFile,
  keepAliveSec: 5,
  logger: silentLogger(),
});
link.onConnectionChange((connected) => {
  if (connected) process.stdout.write('connected\n');
});
await link.connect();
setInterval(() => {}, 60_000);
