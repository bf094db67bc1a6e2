/** Errors of the local certificate authority. */
import { FacegateError } from '../../../../../lib/errors.js';

/** The CA directory is unusable (key without certificate, unreadable files, mismatched key). */
export class CaStateError extends FacegateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ca_state', message, options);
  }
}

/** A certificate request was refused (bad name, reserved identity, bad validity). */
export class CertificateRequestError extends FacegateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('certificate_request', message, options);
  }
}
