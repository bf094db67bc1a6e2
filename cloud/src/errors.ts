/** Errors of the back end. Each has a stable `code`; wrap lower-level failures with `{ cause }`. */
import { FacegateError } from '../../lib/errors.js';

export { FacegateError, InvalidInputError, ConfigError } from '../../lib/errors.js';

/** The bytes are not a decodable JPEG/PNG image (corrupt, truncated, another format). */
export class ImageDecodeError extends FacegateError {
  constructor(message = 'image could not be decoded', options?: { cause?: unknown }) {
    super('bad_image', message, options);
  }
}

/** Enrollment refused a photo; `issues` says why in words a person can act on. */
export class PhotoRejectedError extends FacegateError {
  constructor(
    readonly issues: { code: string; message: string }[],
    options?: { cause?: unknown },
  ) {
    super('photo_rejected', issues.map((i) => i.message).join('; ') || 'photo rejected', options);
  }
}

export class NotFoundError extends FacegateError {
  constructor(what: string, id: string) {
    super('not_found', `${what} ${JSON.stringify(id)} not found`);
  }
}

export class ConflictError extends FacegateError {
  constructor(message: string) {
    super('conflict', message);
  }
}

/** A face engine or cloud service failed; the caller fails secure (no unlock). */
export class UpstreamError extends FacegateError {
  constructor(service: string, message: string, options?: { cause?: unknown }) {
    super('upstream', `${service}: ${message}`, options);
  }
}
