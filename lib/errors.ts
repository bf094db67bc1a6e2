/**
 * Base error with a stable machine-readable code and a cause chain (`new X('…', { cause })`), so
 * logs show the whole story and callers can branch on `code` rather than on message text.
 */
export class FacegateError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Input from outside (MQTT, HTTP, a file, the environment) failed validation. Changes nothing. */
export class InvalidInputError extends FacegateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_input', message, options);
  }
}

/** Configuration or environment is wrong: the process should exit with a clear message. */
export class ConfigError extends FacegateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('config', message, options);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
