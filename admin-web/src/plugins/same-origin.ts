/**
 * Refuses every state-changing request that a browser says came from another origin: `Origin`
 * when the browser sends one, else `Referer`. "Another origin" includes another port of the same
 * host, which SameSite cookies treat as the same site. Requests with neither header (scripts,
 * curl) are left to the CSRF token, which they need anyway.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface SameOriginOptions {
  /** Origins besides the one the request was addressed to (e.g. the public URL in front of a proxy). */
  extraOrigins?: readonly string[];
}

function originOf(url: string): string | null {
  try {
    const { origin } = new URL(url);
    // Opaque origins (data:, file:, sandboxed frames) serialise as "null": never ours.
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/** The origin this request was addressed to, as the browser would write it (default ports dropped). */
export function ownOrigin(request: FastifyRequest): string | null {
  return originOf(`${request.protocol}://${request.host}`);
}

export function installSameOriginCheck(app: FastifyInstance, options: SameOriginOptions = {}): void {
  const extra = new Set((options.extraOrigins ?? []).map((o) => originOf(o)).filter((o): o is string => o !== null));
  app.addHook('onRequest', async (request) => {
    if (SAFE_METHODS.has(request.method)) return;
    const origin = request.headers.origin;
    const referer = request.headers.referer;
    const claimed = origin !== undefined ? origin : referer;
    if (claimed === undefined) return;
    const from = originOf(claimed);
    const own = ownOrigin(request);
    if (from !== null && (from === own || extra.has(from))) return;
    request.log.warn(
      { origin: origin?.slice(0, 200), referer: referer === undefined ? undefined : originOf(referer), own },
      'cross-origin request refused',
    );
    throw new HttpError(403, 'cross_origin', 'refused: this request came from another site');
  });
}
