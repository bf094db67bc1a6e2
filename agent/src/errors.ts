/** Errors of the door agent. Each has a stable `code`; wrap lower-level failures with `{ cause }`. */
import { FacegateError } from '../../lib/errors.js';

export { FacegateError, InvalidInputError, ConfigError, errorMessage } from '../../lib/errors.js';

/** The relay or its GPIO could not be driven; the agent treats the door as needing a relock. */
export class RelayError extends FacegateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('relay', message, options);
  }
}

/** A camera source failed (process exited, device missing, unreadable file). The camera keeps retrying. */
export class CameraError extends FacegateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('camera', message, options);
  }
}

/** The MQTT link failed to connect or publish. */
export class LinkError extends FacegateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('link', message, options);
  }
}

/**
 * The broker refused this door's identity several times in a row (a revoked or unknown
 * certificate, a door id the certificate is not for). Retrying cannot change that answer: the
 * door stays locked and the process exits so an admin can re-provision it.
 */
export class IdentityRefusedError extends FacegateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('identity_refused', message, options);
  }
}

/** A frame could not be decoded or re-encoded within the size budget. */
export class FrameError extends FacegateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('frame', message, options);
  }
}
