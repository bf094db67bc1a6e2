/**
 * Sees the infrastructure failures the shared handlers swallow. The handlers fail secure (no
 * command, door stays locked) and return an outcome instead of throwing, which is right for the
 * local server but hides a broken Rekognition, KMS key or IAM policy from Lambda's error metric.
 * The Lambda composition roots wrap each port in a watch: every rejected call of an adapter is
 * recorded for the invocation in progress (AsyncLocalStorage, so overlapping invocations in tests
 * stay apart), and the root rethrows once the handler has finished its fail-secure path.
 *
 * What a door sent wrong (an undecodable image, invalid input) is not an infrastructure failure:
 * it is logged and dropped by the handler and never throws.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { FacegateError } from '../../../lib/errors.js';
import { awsErrorName } from '../adapters/aws/aws-errors.js';

export type PortName = 'faceIndex' | 'records' | 'images' | 'messaging' | 'searchBudget' | 'visits';

export interface PortFailure {
  port: PortName;
  operation: string;
  error: unknown;
}

/** Error codes that describe the input, not the service. */
const INPUT_ERROR_CODES = new Set(['bad_image', 'invalid_input', 'photo_rejected', 'not_found', 'conflict']);

export function isInfrastructureError(err: unknown): boolean {
  return !(err instanceof FacegateError && INPUT_ERROR_CODES.has(err.code));
}

const THROTTLED = /Throttl|TooManyRequests|ProvisionedThroughputExceeded|RequestLimitExceeded|LimitExceeded/;

/** The AWS error name anywhere in the cause chain says the call was throttled. */
export function isThrottled(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const name = awsErrorName(e) ?? (e as { name?: string }).name;
    if (name && THROTTLED.test(name)) return true;
  }
  return false;
}

/** Thrown by a Lambda root after the handler's fail-secure path, so the invocation counts as an error. */
export class InfrastructureFailure extends FacegateError {
  constructor(readonly failures: PortFailure[]) {
    const first = failures[0];
    super(
      'infrastructure',
      `${failures.length} infrastructure failure(s): ${failures.map((f) => `${f.port}.${f.operation}`).join(', ')}`,
      { cause: first?.error },
    );
  }
}

export class FailureWatch {
  private readonly current = new AsyncLocalStorage<PortFailure[]>();

  /** Runs one invocation; returns its result and the failures its port calls met. */
  async run<T>(fn: () => Promise<T>): Promise<{ result: T; failures: PortFailure[] }> {
    const failures: PortFailure[] = [];
    const result = await this.current.run(failures, fn);
    return { result, failures };
  }

  /** The port with every method watched: an infrastructure error is recorded, then rethrown unchanged. */
  wrap<T extends object>(port: PortName, target: T): T {
    const record = (operation: string, error: unknown) => {
      if (isInfrastructureError(error)) this.current.getStore()?.push({ port, operation, error });
    };
    return new Proxy(target, {
      get(obj, prop) {
        const value: unknown = Reflect.get(obj, prop, obj);
        if (typeof value !== 'function') return value;
        const operation = String(prop);
        return (...args: unknown[]) => {
          try {
            const out: unknown = (value as (...a: unknown[]) => unknown).apply(obj, args);
            if (out instanceof Promise) {
              return out.catch((err: unknown) => {
                record(operation, err);
                throw err;
              });
            }
            return out;
          } catch (err) {
            record(operation, err);
            throw err;
          }
        };
      },
    });
  }
}
