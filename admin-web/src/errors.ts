/** HTTP-facing errors of the admin site: a stable code, the status to answer with, a message for people. */
import { FacegateError } from '../../lib/errors.js';

export class HttpError extends FacegateError {
  constructor(
    readonly statusCode: number,
    code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

export const badRequest = (message: string, options?: { cause?: unknown }) =>
  new HttpError(400, 'bad_request', message, options);
export const notFound = (message: string) => new HttpError(404, 'not_found', message);
/** The upload is not a usable image (wrong type, corrupt, truncated). */
export const badImage = (message: string, options?: { cause?: unknown }) =>
  new HttpError(422, 'bad_image', message, options);
