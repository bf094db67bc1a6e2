/** What a renewed bundle keeps of a door's installed config (agent/src/bundle-merge.ts). */
import { describe, expect, it } from 'vitest';
import { BUNDLE_OWNED_KEYS, mergeBundle } from '../../agent/src/bundle-merge.js';

const bundle = {
  bundle: { format: 'facegate-door-bundle', version: 1 },
  siteId: 'hq',
  doorId: 'lab',
  mqtt: { endpoint: 'new.example', certPem: 'NEW' },
  camera: { type: 'stream', source: 'ffmpeg' },
  relay: { type: 'gpio', pin: 5, activeLow: true },
  contact: { type: 'gpio', pin: 6 },
};

describe('mergeBundle', () => {
  it('takes identity, certificates and wiring from the bundle and keeps every other setting of the same door', () => {
    const installed = {
      ...bundle,
      mqtt: { endpoint: 'old.example', certPem: 'OLD' },
      relay: { type: 'gpio', pin: 17 },
      contact: { type: 'gpio', pin: 27 },
      camera: { type: 'stream', source: 'rpicam' },
      door: { heldOpenMs: 60_000 },
      outbox: { maxEvents: 500 },
    };
    const { config, kept, warnings } = mergeBundle(bundle, installed);
    expect(kept).toEqual(['camera', 'door', 'outbox']);
    expect(config).toEqual({ ...bundle, camera: installed.camera, door: installed.door, outbox: installed.outbox });
    expect(warnings).toEqual(['the door contact moves from GPIO 27 to GPIO 6, as the bundle says.']);
    for (const key of BUNDLE_OWNED_KEYS) expect(config[key]).toEqual(bundle[key as keyof typeof bundle]);
  });

  it('warns when the bundle drops a contact or exit button the door had, naming the pin and the fix', () => {
    const { contact: _dropped, ...withoutContact } = bundle;
    const installed = { ...bundle, exitButton: { type: 'gpio', pin: 22 } };
    const { config, warnings } = mergeBundle(withoutContact, installed);
    expect(config).not.toHaveProperty('contact');
    expect(config).not.toHaveProperty('exitButton');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/had a door contact on GPIO 6; this bundle has none.*--contact-pin 6/);
    expect(warnings[1]).toMatch(/had an exit button on GPIO 22; this bundle has none.*--exit-button-pin 22/);
  });

  it("keeps the door's tuning of a contact or button that stays on its pin; a moved one takes the bundle's", () => {
    const withButton = { ...bundle, exitButton: { type: 'gpio', pin: 22, pressedWhen: 'low' } };
    const installed = {
      ...withButton,
      contact: { type: 'gpio', pin: 6, openWhen: 'low', debounceMs: 200 }, // a normally-open switch
      exitButton: { type: 'gpio', pin: 23, pressedWhen: 'high', pulseMs: 8000 },
    };
    const { config, kept, warnings } = mergeBundle(withButton, installed);
    expect(config.contact).toEqual({ type: 'gpio', pin: 6, openWhen: 'low', debounceMs: 200 });
    expect(config.exitButton).toEqual({ type: 'gpio', pin: 22, pressedWhen: 'low' });
    expect(kept).toEqual(['contact tuning']);
    expect(warnings).toEqual(['the exit button moves from GPIO 23 to GPIO 22, as the bundle says.']);
  });

  it('keeps nothing for another door, or when nothing is installed', () => {
    const other = { ...bundle, doorId: 'front', door: { heldOpenMs: 60_000 } };
    expect(mergeBundle(bundle, other)).toEqual({ config: bundle, kept: [], warnings: [] });
    expect(mergeBundle(bundle, null)).toEqual({ config: bundle, kept: [], warnings: [] });
  });
});
