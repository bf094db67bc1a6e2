/**
 * The wiring part of the Add door and Renew forms, and what those forms send back. The fields show
 * the door's stored wiring (the default for a new door), so renewing as it is keeps it; an empty
 * contact or exit-button field means "not fitted". The service checks the whole wiring.
 */
import { z } from 'zod';
import {
  DEFAULT_DOOR_WIRING,
  MAX_WIRING_PIN,
  MIN_WIRING_PIN,
  type DoorWiring,
} from '../../../cloud/src/domain/door-wiring.js';
import { formInt } from '../form-fields.js';
import { html, type SafeHtml } from '../html.js';

/** The form fields; JSON callers may send the same names with real types. */
export const wiringFormFields = {
  relayPin: formInt(MIN_WIRING_PIN, MAX_WIRING_PIN),
  relayActiveLow: z.union([z.literal('on'), z.boolean()]).optional(),
  contactPin: formInt(MIN_WIRING_PIN, MAX_WIRING_PIN),
  exitButtonPin: formInt(MIN_WIRING_PIN, MAX_WIRING_PIN),
};

type WiringForm = { [K in keyof typeof wiringFormFields]?: z.output<(typeof wiringFormFields)[K]> };

/**
 * The wiring a form asks for, or undefined when it sent none (no relay pin): a caller that posts
 * only a certificate request keeps the stored wiring instead of resetting it.
 */
export function wiringFromForm(body: WiringForm): DoorWiring | undefined {
  if (body.relayPin === undefined) return undefined;
  return {
    relayPin: body.relayPin,
    relayActiveLow: body.relayActiveLow === 'on' || body.relayActiveLow === true,
    contactPin: body.contactPin ?? null,
    exitButtonPin: body.exitButtonPin ?? null,
  };
}

/** The fieldset; `prefix` keeps element ids unique on a page. */
export function wiringFieldset(prefix: string, wiring: DoorWiring = DEFAULT_DOOR_WIRING): SafeHtml {
  const pinInput = (name: string, value: number | null, required: boolean, placeholder: string) =>
    html`<input id="${prefix}-${name}" name="${name}" type="number" inputmode="numeric" min="${MIN_WIRING_PIN}" max="${MAX_WIRING_PIN}" value="${value ?? ''}" placeholder="${placeholder}" ${required ? html`required` : ''}>`;
  return html`<fieldset class="wiring" data-field="wiring"><legend>Wiring on the Raspberry Pi (BCM GPIO numbers, as <code>pinout</code> prints them)</legend>
    <div class="row">
      <div><label for="${prefix}-relayPin">Lock relay</label>${pinInput('relayPin', wiring.relayPin, true, '17')}</div>
      <div><label for="${prefix}-contactPin">Door contact (empty: none)</label>${pinInput('contactPin', wiring.contactPin, false, 'none')}</div>
      <div><label for="${prefix}-exitButtonPin">Exit button (empty: none)</label>${pinInput('exitButtonPin', wiring.exitButtonPin, false, 'none')}</div>
    </div>
    <label class="check"><input type="checkbox" id="${prefix}-relayActiveLow" name="relayActiveLow" ${wiring.relayActiveLow ? html`checked` : ''}> The relay board switches on a low level (active low)</label>
    <p class="muted small">Goes into the door's bundle. Fit a contact to get forced-open and held-open alarms; the exit button unlocks from inside, also offline.</p>
  </fieldset>`;
}
