/**
 * Installing a new bundle over a door's config (install.sh, through `facegate install-bundle`).
 *
 * The bundle is the back end's word on who the door is and how it is wired: its identity, broker
 * and certificates (`siteId`, `doorId`, `mqtt`) and its wiring (`relay`, `contact`, `exitButton`,
 * set in Doors → Add door / Renew or `facegate provision`). Everything else in the installed config
 * was set on the door by its technician (another camera, door timings, the offline queue, the face
 * gate) and is kept when the same door gets a renewed bundle; before this, a renewal replaced the
 * whole file and silently dropped them.
 *
 * The back end knows which line each input is on, not how the switch behaves: when the contact or
 * exit button stays on the same pin, the door's own tuning of it (openWhen, pressedWhen, debounceMs,
 * pulseMs) is kept too.
 *
 * A bundle for another door id is a Pi being re-purposed: nothing of the old door is kept.
 */

/** What the bundle decides; the rest of an installed config is the door's own. */
export const BUNDLE_OWNED_KEYS = ['bundle', 'siteId', 'doorId', 'mqtt', 'relay', 'contact', 'exitButton'] as const;

/** The lines the bundle controls that a technician may have set by hand before wiring was stored. */
const WIRING_KEYS = ['contact', 'exitButton'] as const;

export interface BundleMerge {
  config: Record<string, unknown>;
  /** Settings kept from the installed config, by top-level key. */
  kept: string[];
  /** Plain sentences for the installer to print (no secrets: only keys and pin numbers). */
  warnings: string[];
}

export function mergeBundle(bundle: Record<string, unknown>, installed: Record<string, unknown> | null): BundleMerge {
  if (installed === null || installed.doorId !== bundle.doorId)
    return { config: { ...bundle }, kept: [], warnings: [] };
  const owned = new Set<string>(BUNDLE_OWNED_KEYS);
  // Reported only where the door's value differs from what the bundle would have installed.
  const kept = Object.keys(installed).filter(
    (k) => !owned.has(k) && JSON.stringify(installed[k]) !== JSON.stringify(bundle[k]),
  );
  const config: Record<string, unknown> = { ...bundle };
  for (const key of kept) config[key] = installed[key];
  const warnings: string[] = [];
  for (const key of WIRING_KEYS) {
    const before = pinOf(installed[key]);
    const after = pinOf(bundle[key]);
    if (before !== null && after === before) {
      config[key] = { ...(bundle[key] as object), ...(installed[key] as object) };
      if (JSON.stringify(config[key]) !== JSON.stringify(bundle[key])) kept.push(`${key} tuning`);
    }
    if (before !== null && after !== before) {
      const what = key === 'contact' ? 'door contact' : 'exit button';
      const a = key === 'contact' ? 'a' : 'an';
      warnings.push(
        after === null
          ? `the installed config had ${a} ${what} on GPIO ${before}; this bundle has none, so the door stops using it. If it is still wired, set it in the door's wiring (Doors → the door → Renew, or facegate doors renew --${key === 'contact' ? 'contact' : 'exit-button'}-pin ${before}) and install that bundle.`
          : `the ${what} moves from GPIO ${before} to GPIO ${after}, as the bundle says.`,
      );
    }
  }
  return { config, kept, warnings };
}

function pinOf(section: unknown): number | null {
  if (typeof section !== 'object' || section === null) return null;
  const pin = (section as { pin?: unknown }).pin;
  return typeof pin === 'number' ? pin : null;
}
