/** Helpers for telling AWS SDK v3 service errors apart and wrapping them with a cause chain. */
import { FacegateError, UpstreamError } from '../../errors.js';

/** The service's error name (`ConditionalCheckFailedException`, `NoSuchKey`…), or undefined. */
export function awsErrorName(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'name' in err && typeof err.name === 'string') return err.name;
  return undefined;
}

export function isAwsError(err: unknown, ...names: string[]): boolean {
  const name = awsErrorName(err);
  return name !== undefined && names.includes(name);
}

/**
 * Runs one SDK call; our own errors pass through, anything else becomes an UpstreamError naming
 * the service and operation (the SDK error stays as the cause, with its request id).
 */
export async function callAws<T>(service: string, operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asUpstream(service, operation, err);
  }
}

export function asUpstream(service: string, operation: string, err: unknown): Error {
  if (err instanceof FacegateError) return err;
  return new UpstreamError(service, `${operation} failed: ${awsErrorName(err) ?? 'Error'}`, { cause: err });
}

/** Runs `fn` over items with at most `concurrency` calls in flight (the SDK pools sockets; stay polite). */
export async function forEachLimited<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
