/**
 * Issue 7 item 3: one door's certificate tried to exhaust the broker's memory with QoS 2 frames of
 * 120 KB never followed by PUBREL, in a persistent session, over six sessions. QoS 2 is refused
 * before aedes stores anything (authorizePublish runs before its incoming store): each session
 * is dropped at its first QoS 2 packet, logged, and the door can still publish at QoS 1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doorTopics } from '../../protocol/index.js';
import { closed, connectClient, endAll, startBrokerFixture, type BrokerFixture } from './support/fixtures.js';

const FRAME = Buffer.alloc(120 * 1024, 7);

describe('broker refuses QoS 2', () => {
  let fx: BrokerFixture;
  beforeAll(async () => {
    fx = await startBrokerFixture();
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('drops a door publishing QoS 2 frames, in every one of six persistent sessions', async () => {
    const topics = doorTopics('local', 'door-q');
    for (let session = 0; session < 6; session++) {
      const door = await connectClient(fx, 'door-q', 'door-q', { clean: false });
      const gone = closed(door);
      for (let i = 0; i < 10; i++) door.publish(topics.frames, FRAME, { qos: 2 }, () => undefined);
      await gone;
      await endAll(door);
    }
    const refusals = fx.logs().filter((l) => l.msg === 'refused publish: QoS 2 is not allowed');
    // One refusal per session: the first QoS 2 packet ends the connection.
    expect(refusals.length).toBeGreaterThanOrEqual(6);
    expect(refusals[0]).toMatchObject({ identity: 'door-q', qos: 2, topic: topics.frames });

    // The same door, behaving (QoS 1), is served as before.
    const door = await connectClient(fx, 'door-q', 'door-q', { clean: false });
    await door.publishAsync(topics.events, 'still-served', { qos: 1 });
    await endAll(door);
  });

  it('refuses a QoS 2 subscription (SUBACK failure), logs it, and keeps the connection', async () => {
    const door = await connectClient(fx, 'door-s');
    // mqtt.js turns a SUBACK failure code (0x80) into this error.
    await expect(door.subscribeAsync(doorTopics('local', 'door-s').commands, { qos: 2 })).rejects.toThrow(
      /Subscribe error/,
    );
    expect(fx.logs()).toContainEqual(expect.objectContaining({ msg: 'refused subscribe: QoS 2 is not allowed' }));
    const ok = await door.subscribeAsync(doorTopics('local', 'door-s').commands, { qos: 1 });
    expect(ok.map((g) => g.qos)).toEqual([1]);
    await endAll(door);
  });
});
