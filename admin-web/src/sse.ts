/**
 * Server-sent events on a hijacked reply: the stream stays open until the browser leaves or the
 * server closes; a comment every 20 s keeps proxies from timing it out.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    /** Enders of the open streams; a decorator so child scopes share the root's set. */
    sseStreams: Set<() => void>;
  }
}

/** Ends open streams when the app closes: they would otherwise hold `close()` open forever. */
export function endStreamsOnClose(app: FastifyInstance): void {
  app.decorate('sseStreams', new Set<() => void>());
  app.addHook('preClose', async () => {
    for (const end of [...app.sseStreams]) end();
  });
}

export interface SseStream {
  send(event: string, data: unknown): void;
  /** Runs once when the stream ends, whichever side ends it. */
  onClose(fn: () => void): void;
}

export function openSse(request: FastifyRequest, reply: FastifyReply): SseStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'private, no-store',
    connection: 'keep-alive',
    'x-content-type-options': 'nosniff',
  });
  res.write('retry: 3000\n\n');
  const closers: (() => void)[] = [];
  let closed = false;
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 20_000);
  const registry = request.server.sseStreams as Set<() => void> | undefined;
  const close = () => {
    if (closed) return;
    closed = true;
    registry?.delete(close);
    clearInterval(keepAlive);
    for (const fn of closers) fn();
    res.end();
  };
  registry?.add(close);
  request.raw.on('close', close);
  res.on('error', close);
  return {
    send(event, data) {
      if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    onClose(fn) {
      // The browser may have left while the route was still awaiting something.
      if (closed) fn();
      else closers.push(fn);
    },
  };
}
