/**
 * The IoT SQL stand-in (support/iot-rule-sql.ts) on the SQL the stack deploys (infra/lib/door-iot.ts):
 * what each rule hands its Lambda, and which messages it drops, as IoT Core's rules engine does.
 */
import { describe, expect, it } from 'vitest';
import { ruleSql } from '../../infra/lib/door-iot.js';
import { applyIotRule, parseIotRuleSql } from './support/iot-rule-sql.js';

const sql = ruleSql('hq');
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('IoT rule SQL stand-in', () => {
  it('reads the frames, status and events rules of a site', () => {
    expect(parseIotRuleSql(sql.frames)).toMatchObject({
      from: 'facegate/hq/doors/+/frames',
      columns: [{ kind: 'all' }, { kind: 'topic', level: 4, as: 'topicDoorId' }],
      where: [
        { kind: 'isUndefined', field: 'topicDoorId' },
        { kind: 'isUndefined', field: 'topicChannel' },
      ],
    });
    expect(parseIotRuleSql(sql.events).columns).toEqual([
      { kind: 'all' },
      { kind: 'topic', level: 4, as: 'topicDoorId' },
      { kind: 'topic', level: 5, as: 'topicChannel' },
    ]);
  });

  it("hands the Lambda the door's message plus the columns the rule takes from the topic", () => {
    const rule = parseIotRuleSql(sql.events);
    const message = { v: 2, doorId: 'front-door', type: 'unlocked' };
    expect(applyIotRule(rule, 'facegate/hq/doors/front-door/events', json(message))).toEqual({
      ...message,
      topicDoorId: 'front-door',
      topicChannel: 'events',
    });
  });

  it("drops what the rule does not select: another site's or channel's topic, a payload naming its own door column, non-JSON", () => {
    const rule = parseIotRuleSql(sql.frames);
    const frame = { v: 2, doorId: 'front-door', type: 'frame' };
    expect(applyIotRule(rule, 'facegate/other/doors/front-door/frames', json(frame))).toBeNull();
    expect(applyIotRule(rule, 'facegate/hq/doors/front-door/events', json(frame))).toBeNull();
    expect(
      applyIotRule(rule, 'facegate/hq/doors/front-door/frames', json({ ...frame, topicDoorId: 'back-door' })),
    ).toBeNull();
    expect(applyIotRule(rule, 'facegate/hq/doors/front-door/frames', json({ ...frame, topicChannel: 'x' }))).toBeNull();
    expect(applyIotRule(rule, 'facegate/hq/doors/front-door/frames', Buffer.from('not json'))).toBeNull();
    expect(applyIotRule(rule, 'facegate/hq/doors/front-door/frames', json([frame]))).toBeNull();
  });

  it('refuses SQL it does not know rather than half-reading it (the presence rule uses substring and startswith)', () => {
    expect(() => parseIotRuleSql(sql.presence)).toThrow(/not supported by this stand-in/);
    expect(() => parseIotRuleSql("SELECT * FROM 'a/+' WHERE x = 1")).toThrow(/condition not supported/);
  });
});
