/**
 * The one HTTP server of a taskwatch process: health, readiness, Prometheus metrics, the
 * BullMQ dashboard behind a token, and mount points for the Slack events route and the
 * watch-registration API; {@link finishHttpApp} closes it with answers that never show a stack.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import express, { type Application, type NextFunction, type Request, type Response } from 'express';
import type { Queue } from 'bullmq';
import type { TaskwatchMetrics } from '../observability/metrics';
import type { StructuredLogger } from '../observability/taskwatch-logger';

/** A named readiness check; resolves true when that dependency is usable. */
export type ReadinessCheck = () => Promise<boolean> | boolean;

/** How long one readiness check may take before it counts as not ready. */
export const READINESS_TIMEOUT_MS = 2000;

/** Resolves to `fallback` if `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Options for {@link createHttpApp}. */
export interface HttpAppOptions {
  readonly metrics: TaskwatchMetrics;
  /** Checks behind `/readyz`, by name (e.g. `redis`, `slack`). */
  readonly readiness: Readonly<Record<string, ReadinessCheck>>;
  /** Unlocks `/admin/queues`; null keeps the dashboard off (404). */
  readonly adminToken: string | null;
  /** Queues shown on the dashboard. */
  readonly queues?: readonly Queue[];
  /** Refreshes gauges (queue depths, active watches) before `/metrics` is read. */
  readonly beforeMetrics?: () => Promise<void>;
  /** Real time in epoch ms, for the dashboard's session expiry; default `Date.now`. */
  readonly now?: () => number;
}

/** Builds the express application; routes of other modules are mounted on it by the caller. */
export function createHttpApp(options: HttpAppOptions): Application {
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });

  app.get('/readyz', async (_request, response) => {
    const results: Record<string, boolean> = {};
    await Promise.all(
      Object.entries(options.readiness).map(async ([name, check]) => {
        try {
          // A dependency that does not answer in time is not ready; never let the probe hang.
          results[name] = await withTimeout(Promise.resolve(check()), READINESS_TIMEOUT_MS, false);
        } catch {
          results[name] = false;
        }
      }),
    );
    const ready = Object.values(results).every(Boolean);
    response.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: results });
  });

  app.get('/metrics', async (_request, response) => {
    try {
      await options.beforeMetrics?.();
    } catch {
      // Stale gauges are better than no metrics; the scrape still succeeds.
    }
    response.setHeader('Content-Type', options.metrics.registry.contentType);
    response.send(await options.metrics.registry.metrics());
  });

  if (options.adminToken) {
    mountQueueDashboard(app, requireBearerToken(options.adminToken, options.now ? { now: options.now } : {}), options.queues ?? []);
  }
  return app;
}

function mountQueueDashboard(app: Application, guard: ReturnType<typeof requireBearerToken>, queues: readonly Queue[]): void {
  // Loaded only when enabled: the dashboard pulls in its UI assets and templates.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { createBullBoard } = require('@bull-board/api') as typeof import('@bull-board/api');
  const { BullMQAdapter } = require('@bull-board/api/bullMQAdapter') as typeof import('@bull-board/api/bullMQAdapter');
  const { ExpressAdapter } = require('@bull-board/express') as typeof import('@bull-board/express');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath('/admin/queues');
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter });
  app.use('/admin/queues', guard, serverAdapter.getRouter() as Application);
}

/** How long a browser session of the queue dashboard lasts (8 hours), after which `?token=` is needed again. */
export const ADMIN_SESSION_TTL_MS = 8 * 60 * 60 * 1000;

/** The cookie that carries a dashboard session. */
const ADMIN_COOKIE = 'taskwatch_admin';

/** A session value: version, expiry in epoch ms, and a base64url HMAC-SHA256 of the first two. */
const SESSION_PATTERN = /^v1\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/;

/** Options of {@link requireBearerToken}. */
export interface BearerTokenOptions {
  /** Real time in epoch ms, for session expiry; default `Date.now`. */
  readonly now?: () => number;
  /** How long a browser session lasts; default {@link ADMIN_SESSION_TTL_MS}. */
  readonly sessionTtlMs?: number;
}

/**
 * Middleware accepting `Authorization: Bearer <token>`, or a browser session. A browser opens
 * `?token=` once: the token is checked, a session cookie is set, and the browser is redirected to
 * the same address without the token, so it does not stay in the address bar or the history.
 *
 * The cookie never holds the token: it holds an expiry signed with a key derived from the token,
 * so a stolen cookie is worth at most {@link ADMIN_SESSION_TTL_MS}, changing the token ends every
 * session, and the server keeps no session state. It is `HttpOnly` (no script reads it),
 * `SameSite=Strict` (no other site's page sends it), limited to `/admin`, and `Secure` when the
 * request came over HTTPS (directly or as a proxy's `X-Forwarded-Proto` says).
 */
export function requireBearerToken(token: string, options: BearerTokenOptions = {}): (request: Request, response: Response, next: NextFunction) => void {
  const now = options.now ?? Date.now;
  const ttlMs = options.sessionTtlMs ?? ADMIN_SESSION_TTL_MS;
  const expected = createHash('sha256').update(token).digest();
  // Digests have one length, so comparing them takes the same time whatever was sent.
  const matches = (candidate: string | undefined): boolean => candidate !== undefined && candidate !== '' && timingSafeEqual(createHash('sha256').update(candidate).digest(), expected);
  const sessionKey = createHmac('sha256', token).update('taskwatch admin session key').digest();
  const sign = (payload: string): Buffer => createHmac('sha256', sessionKey).update(payload).digest();

  const validSession = (value: string): boolean => {
    // No decoding: a valid value is plain ASCII, and decodeURIComponent throws on `%E0`.
    const parts = SESSION_PATTERN.exec(value);
    if (!parts) return false;
    const expiresAt = Number(parts[1]);
    const current = now();
    // An expiry beyond one session length from now was not issued by this version.
    if (expiresAt <= current || expiresAt > current + ttlMs) return false;
    const given = Buffer.from(parts[2] as string, 'base64url');
    const wanted = sign(`v1.${parts[1] as string}`);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  };

  return (request, response, next) => {
    const header = request.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    if (matches(bearer)) {
      next();
      return;
    }
    const cookies = (request.headers.cookie ?? '').split(';').map((part) => part.trim());
    const sessions = cookies.filter((part) => part.startsWith(`${ADMIN_COOKIE}=`)).map((part) => part.slice(ADMIN_COOKIE.length + 1));
    if (sessions.some(validSession)) {
      next();
      return;
    }
    const query = typeof request.query['token'] === 'string' ? request.query['token'] : undefined;
    if (matches(query)) {
      const payload = `v1.${now() + ttlMs}`;
      const forwardedProto = request.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
      response.cookie(ADMIN_COOKIE, `${payload}.${sign(payload).toString('base64url')}`, {
        httpOnly: true,
        sameSite: 'strict',
        path: '/admin',
        secure: request.secure || forwardedProto === 'https',
        maxAge: ttlMs,
        encode: (value) => value,
      });
      // Same page, same other parameters, without the token. originalUrl is a path on this
      // host (the router is mounted at /admin/queues), so this cannot redirect elsewhere.
      const target = new URL(request.originalUrl, 'http://localhost');
      target.searchParams.delete('token');
      response.setHeader('Cache-Control', 'no-store');
      response.redirect(303, `${target.pathname}${target.search}`);
      return;
    }
    response.setHeader('WWW-Authenticate', 'Bearer');
    response.status(401).json({ error: 'unauthorized', message: 'Send Authorization: Bearer <ADMIN_TOKEN>, or open /admin/queues?token=<ADMIN_TOKEN> once in a browser.' });
  };
}

/**
 * Ends the application's middleware: an unknown route answers 404 and an error answers a short
 * JSON body, never express's default page, which shows the stack trace outside production and
 * prints it to standard error around the logger. Call it after every route is mounted.
 */
export function finishHttpApp(app: Application, log?: Pick<StructuredLogger, 'error'>): void {
  app.use((_request: Request, response: Response) => {
    response.status(404).json({ error: 'not_found' });
  });
  app.use((error: unknown, _request: Request, response: Response, next: NextFunction) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    const status = (error as { status?: unknown } | null)?.status;
    // Client errors raised by body parsers and the router (400, 413, ...) keep their status.
    if (typeof status === 'number' && status >= 400 && status < 500) {
      response.status(status).json({ error: 'bad_request' });
      return;
    }
    // The name only: a message may quote a request, and a request may carry a secret.
    log?.error({ event: 'http_request_failed', errorName: error instanceof Error ? error.name : typeof error }, 'HTTP request failed');
    response.status(500).json({ error: 'internal_error' });
  });
}

/** A listening HTTP server. */
export interface RunningHttpServer {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts listening; resolves once bound. */
export function listen(app: Application, port: number, host: string): Promise<RunningHttpServer> {
  const server = createServer(app);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
