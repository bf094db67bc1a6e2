import { describe, expect, it } from 'vitest';
import {
  doorIdFromThingName,
  doorPolicyName,
  doorThingGroupName,
  doorThingName,
} from '../../cloud/src/adapters/aws/iot-names.js';

describe('IoT names carry the site', () => {
  it('names the same door of two sites differently', () => {
    expect(doorThingName('paris', 'front-door')).toBe('facegate_paris_front-door');
    expect(doorThingName('lyon', 'front-door')).not.toBe(doorThingName('paris', 'front-door'));
    expect(doorThingGroupName('paris')).toBe('facegate-paris-doors');
    expect(doorPolicyName('paris')).toBe('facegate-paris-door');
  });

  it('reads the door id back only from its own site', () => {
    expect(doorIdFromThingName('paris', 'facegate_paris_front-door')).toBe('front-door');
    expect(doorIdFromThingName('lyon', 'facegate_paris_front-door')).toBeNull();
    // a site whose name is a prefix of another's does not capture its doors
    expect(doorIdFromThingName('par', 'facegate_paris_front-door')).toBeNull();
    expect(doorIdFromThingName('paris', 'front-door')).toBeNull();
  });

  it('refuses ids that could break the separator', () => {
    expect(() => doorThingName('paris', 'a_b')).toThrow(/door id/);
    expect(() => doorThingName('Paris', 'a')).toThrow(/site id/);
  });
});
