/** What the auth plugin attaches to each request, and the actor the services record in audit events. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../cloud/src/app/services.js';

export interface AdminContext {
  username: string;
  mustChangePassword: boolean;
  /** Raw cookie value, so sign-out and password changes can end this session. */
  sessionId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    admin: AdminContext | null;
  }
}

export function actorOf(request: FastifyRequest): Actor {
  if (!request.admin) throw new Error('route needs a session but none was attached');
  return { name: request.admin.username };
}

/** Browsers get pages; scripts and tests get JSON. */
export function wantsHtml(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/html');
}

export function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'private, no-store');
}
