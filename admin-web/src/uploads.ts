/**
 * Reads photo uploads from a multipart request with hard bounds: at most `maxFiles` files of at
 * most `maxFileBytes` each, only in the expected field, no other fields. Each file is checked by
 * content before anything else sees it.
 */
import type { FastifyRequest } from 'fastify';
import { badRequest, HttpError } from './errors.js';
import { checkImage } from './image-check.js';

export const MAX_PHOTO_BYTES = 8 * 1024 * 1024;
export const MAX_PHOTOS = 5;

export interface UploadedPhoto {
  /**
   * Only for messages; never used as a path. "photo 2 (me.jpg)" in an upload of several; in a
   * one-photo upload just its name: the page checks each photo alone, and "photo 1" named every one.
   */
  label: string;
  bytes: Buffer;
  width: number;
  height: number;
}

export async function readPhotoUploads(
  request: FastifyRequest,
  options: { field: string; maxFiles: number; maxFileBytes: number },
): Promise<UploadedPhoto[]> {
  if (!request.isMultipart()) throw badRequest('expected a multipart/form-data upload');
  const raw: { label: string; bytes: Buffer }[] = [];
  try {
    const parts = request.parts({
      limits: { files: options.maxFiles, fileSize: options.maxFileBytes, fields: 0, parts: options.maxFiles },
    });
    for await (const part of parts) {
      if (part.type !== 'file')
        throw badRequest(`unexpected form field ${JSON.stringify(part.fieldname.slice(0, 40))}`);
      if (part.fieldname !== options.field) {
        part.file.resume();
        throw badRequest(
          `unexpected file field ${JSON.stringify(part.fieldname.slice(0, 40))}; send photos as "${options.field}"`,
        );
      }
      const bytes = await part.toBuffer();
      const name = (part.filename ?? '').replace(/[^\w .()-]/g, '_').slice(0, 60);
      const label = options.maxFiles === 1 ? name || 'the photo' : `photo ${raw.length + 1}${name ? ` (${name})` : ''}`;
      raw.push({ label, bytes });
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new HttpError(413, 'too_large', `each photo must be at most ${options.maxFileBytes / 1024 / 1024} MB`, {
        cause: err,
      });
    }
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') {
      throw new HttpError(413, 'too_many_files', `at most ${options.maxFiles} photos per upload`, { cause: err });
    }
    if (code === 'FST_FIELDS_LIMIT') throw badRequest('unexpected form fields in the upload', { cause: err });
    throw badRequest('the upload could not be read (malformed multipart body)', { cause: err });
  }
  if (raw.length === 0) throw badRequest(`no photo uploaded; send 1-${options.maxFiles} photos as "${options.field}"`);
  const checked: UploadedPhoto[] = [];
  for (const file of raw) {
    const info = await checkImage(file.bytes, file.label);
    checked.push({ label: file.label, bytes: file.bytes, width: info.width, height: info.height });
  }
  return checked;
}
