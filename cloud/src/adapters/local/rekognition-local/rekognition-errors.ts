/**
 * Errors rekognition-local answers with, named as Rekognition names them: the AWS SDKs turn the
 * JSON body's `__type` into the exception class of that name (ResourceNotFoundException, …).
 */
export type RekognitionErrorType =
  | 'InvalidParameterException'
  | 'InvalidImageFormatException'
  | 'ImageTooLargeException'
  | 'InvalidPaginationTokenException'
  | 'ResourceNotFoundException'
  | 'ResourceAlreadyExistsException'
  | 'InvalidS3ObjectException'
  | 'UnknownOperationException'
  | 'SerializationException'
  | 'InternalServerError';

export class RekognitionError extends Error {
  constructor(
    readonly type: RekognitionErrorType,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export const notFound = (what: string) => new RekognitionError('ResourceNotFoundException', what);
export const invalidParameter = (what: string) => new RekognitionError('InvalidParameterException', what);
