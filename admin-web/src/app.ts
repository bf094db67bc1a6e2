/**
 * The admin website, built apart from `listen` (fastify style): the composition root (local stack
 * or the EC2 host) passes the back end's services, the admin account store and a logger, and
 * decides where to listen. Tests drive it with `inject()`.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import https from 'node:https';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerFactory,
} from 'fastify';
import helmet from '@fastify/helmet';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import type { Logger } from '../../lib/logger.js';
import type { FacegateServices } from '../../cloud/src/app/services.js';
import type { AdminUserStore } from './users/admin-user-store.js';
import type { OneTimePasswordDrop } from './users/one-time-password-drop.js';
import { DEFAULT_SESSION_POLICY, SessionManager, type SessionPolicy } from './users/sessions.js';
import type { VirtualDoor } from './virtual-door.js';
import { installErrorHandling } from './plugins/error-handler.js';
import { installAccessLog } from './plugins/access-log.js';
import { setSiteTimeZone } from './site-time.js';
import { authPlugin } from './plugins/auth.js';
import { installCsrf } from './plugins/csrf.js';
import { installSameOriginCheck } from './plugins/same-origin.js';
import { assetRoutes } from './assets.js';
import { signInRoutes, signOutRoutes } from './routes/sign-in.js';
import { accountRoutes } from './routes/account.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { peopleRoutes } from './routes/people.js';
import { enrollmentRoutes } from './routes/enrollment.js';
import { doorRoutes } from './routes/doors.js';
import { eventRoutes } from './routes/events.js';
import { virtualDoorRoutes } from './routes/virtual-door.js';
import type { RouteDeps } from './routes/route-deps.js';
import { MAX_PHOTO_BYTES, MAX_PHOTOS } from './uploads.js';
import { endStreamsOnClose } from './sse.js';
import { zodValidatorCompiler } from './zod-type-provider.js';

export interface AdminAppOptions {
  services: FacegateServices;
  users: AdminUserStore;
  logger: Logger;
  /** Set the Secure flag on cookies: true behind HTTPS (EC2 host), false for plain-HTTP localhost. */
  cookieSecure: boolean;
  virtualDoor?: VirtualDoor;
  sessionPolicy?: SessionPolicy;
  /** Sign-in attempts per IP per minute (default 10). */
  loginRateLimit?: number;
  /** Trust X-Forwarded-* (only behind a known reverse proxy / load balancer). */
  trustProxy?: boolean;
  /** Serve HTTPS with this key and certificate (PEM) — the EC2 host; local mode serves HTTP on localhost. */
  https?: { key: string | Buffer; cert: string | Buffer };
  /**
   * Origins the site is reached at besides the one each request names in its Host header (a public
   * URL in front of a reverse proxy). State-changing requests from any other origin are refused.
   */
  publicOrigins?: readonly string[];
  /** Where one-time passwords were left for want of a terminal; an account's goes at its first sign-in. */
  oneTimePasswords?: OneTimePasswordDrop;
  /** The site's IANA time zone for every time shown and exported (default the server's). */
  timeZone?: string;
}

export async function buildAdminApp(options: AdminAppOptions): Promise<FastifyInstance> {
  if (options.timeZone) setSiteTimeZone(options.timeZone);
  // HTTPS through a server factory keeps one instance type: https.Server is an http.Server to the
  // code below, which never depends on which of the two carries the requests.
  const tls = options.https;
  const serverFactory: FastifyServerFactory<http.Server> | undefined = tls
    ? (handler, fastifyOptions) => {
        const server = https.createServer(tls, handler);
        // What Fastify sets on the servers it makes itself (it leaves a factory's server alone).
        const { keepAliveTimeout, requestTimeout } = fastifyOptions;
        if (typeof keepAliveTimeout === 'number') server.keepAliveTimeout = keepAliveTimeout;
        if (typeof requestTimeout === 'number') server.requestTimeout = requestTimeout;
        return server;
      }
    : undefined;
  // Fastify's own logger interface (pino's is wider), so plugins take the plain FastifyInstance.
  const logger: FastifyBaseLogger = options.logger.child({ component: 'admin-web' });
  const app = Fastify({
    ...(serverFactory && { serverFactory }),
    loggerInstance: logger,
    genReqId: () => randomUUID(),
    // Fastify's own two lines per request (multi-line on a terminal) would bury the start banner.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: options.trustProxy ?? false,
    // Forms and JSON are small; photo uploads go through multipart with their own limits.
    bodyLimit: 64 * 1024,
  });
  // Every route declares zod schemas: they validate the request and type the handler's input.
  app.setValidatorCompiler(zodValidatorCompiler);
  app.decorateRequest('admin', null);
  endStreamsOnClose(app);
  installAccessLog(app);
  installErrorHandling(app);

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // Webcam previews and captured photos are shown from blob: URLs made in the page.
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:', 'mediastream:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(options.cookieSecure ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // HSTS only makes sense when served over HTTPS.
    hsts: options.cookieSecure ? { maxAge: 31_536_000 } : false,
    referrerPolicy: { policy: 'same-origin' },
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('permissions-policy', 'camera=(self), microphone=(), geolocation=()');
  });
  await app.register(cookie);
  installSameOriginCheck(app, { extraOrigins: options.publicOrigins ?? [] });
  installCsrf(app, { cookieSecure: options.cookieSecure });
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(multipart, {
    limits: {
      fileSize: MAX_PHOTO_BYTES,
      files: MAX_PHOTOS,
      fields: 0,
      parts: MAX_PHOTOS,
      fieldNameSize: 64,
      headerPairs: 50,
    },
  });
  await app.register(rateLimit, { global: false });

  const sessions = new SessionManager(options.users.sessions, options.sessionPolicy ?? DEFAULT_SESSION_POLICY);
  const purge = setInterval(() => {
    sessions.purgeExpired().catch((err) => app.log.warn({ err }, 'session purge failed'));
  }, 10 * 60_000);
  purge.unref();
  app.addHook('onClose', async () => clearInterval(purge));

  // Public: health, assets, sign-in.
  app.get('/healthz', async () => ({ ok: true }));
  await app.register(assetRoutes);
  await app.register(signInRoutes, {
    users: options.users,
    sessions,
    cookieSecure: options.cookieSecure,
    loginRateLimit: options.loginRateLimit ?? 10,
    ...(options.oneTimePasswords && { oneTimePasswords: options.oneTimePasswords }),
  });

  // Everything else needs a session (encapsulated: the gate applies to this scope only).
  await app.register(async (scope) => {
    await authPlugin(scope, { sessions, users: options.users });
    const deps: RouteDeps = { services: options.services, virtualDoor: options.virtualDoor };
    await scope.register(signOutRoutes, { sessions, cookieSecure: options.cookieSecure });
    await scope.register(accountRoutes, {
      users: options.users,
      sessions,
      cookieSecure: options.cookieSecure,
      rateLimit: options.loginRateLimit ?? 10,
    });
    await scope.register(dashboardRoutes, deps);
    await scope.register(peopleRoutes, deps);
    await scope.register(enrollmentRoutes, deps);
    await scope.register(doorRoutes, deps);
    await scope.register(eventRoutes, deps);
    await scope.register(virtualDoorRoutes, deps);
  });

  return app;
}
