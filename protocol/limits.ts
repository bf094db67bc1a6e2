/** AWS IoT Core refuses MQTT messages over 128 KB; the local broker enforces the same. */
export const MAX_MQTT_MESSAGE_BYTES = 128 * 1024;

/**
 * A frame travels as JSON with the JPEG in base64 (4/3 larger) next to a few small fields,
 * so the JPEG itself must stay under this to keep the whole message within the MQTT limit.
 */
export const MAX_FRAME_JPEG_BYTES = 92 * 1024;

/** Unlock pulses are bounded so a bad or forged command cannot hold a door open. */
export const MIN_PULSE_MS = 100;
export const MAX_PULSE_MS = 30_000;

/** How long an unlock command stays valid after it is issued unless the back end says less. */
export const DEFAULT_COMMAND_TTL_MS = 5_000;

/** Clock skew tolerated between a door and the back end when judging issuedAt. */
export const MAX_CLOCK_SKEW_MS = 30_000;

/**
 * A door sends at most this many frames of one visit (the back end refuses more): it bounds the
 * searches, and so the cost, of one person at the door. The agent's default is lower.
 */
export const MAX_FRAMES_PER_VISIT = 4;
