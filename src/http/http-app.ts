/**
 * The one HTTP server of a taskwatch process: health, readiness, Prometheus metrics, the
 * BullMQ dashboard behind a token, and mount points for the Slack events route and the
 * watch-registration API.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import express, { type Application, type NextFunction, type Request, type Response } from 'express';
import type { Queue } from 'bullmq';
import type { TaskwatchMetrics } from '../observability/metrics';

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
    mountQueueDashboard(app, options.adminToken, options.queues ?? []);
  }
  return app;
}

function mountQueueDashboard(app: Application, adminToken: string, queues: readonly Queue[]): void {
  // Loaded only when enabled: the dashboard pulls in its UI assets and templates.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { createBullBoard } = require('@bull-board/api') as typeof import('@bull-board/api');
  const { BullMQAdapter } = require('@bull-board/api/bullMQAdapter') as typeof import('@bull-board/api/bullMQAdapter');
  const { ExpressAdapter } = require('@bull-board/express') as typeof import('@bull-board/express');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath('/admin/queues');
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter });
  app.use('/admin/queues', requireBearerToken(adminToken), serverAdapter.getRouter() as Application);
}

/**
 * Middleware accepting `Authorization: Bearer <token>` (or, for a browser, `?token=` once,
 * which sets an HttpOnly cookie so the dashboard's own asset requests pass too).
 */
export function requireBearerToken(token: string): (request: Request, response: Response, next: NextFunction) => void {
  const expected = Buffer.from(token);
  const matches = (candidate: string | undefined): boolean => {
    if (!candidate) return false;
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  return (request, response, next) => {
    const header = request.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    const cookie = /(?:^|;\s*)taskwatch_admin=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
    const query = typeof request.query['token'] === 'string' ? request.query['token'] : undefined;
    if (matches(bearer) || matches(cookie ? decodeURIComponent(cookie) : undefined)) {
      next();
      return;
    }
    if (matches(query)) {
      response.cookie('taskwatch_admin', token, { httpOnly: true, sameSite: 'strict', path: '/admin' });
      next();
      return;
    }
    response.setHeader('WWW-Authenticate', 'Bearer');
    response.status(401).json({ error: 'unauthorized', message: 'Send Authorization: Bearer <ADMIN_TOKEN>.' });
  };
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
