/**
 * The composition root: configuration -> Redis -> providers -> watch engine -> chat adapters
 * -> HTTP. With nothing configured it runs everything locally: a child redis-server, the
 * cloud sandbox with demo tasks, and the terminal chat.
 */
import { join } from 'node:path';
import type { CloudAccount, TaskwatchConfig } from './config';
import type { CommandServices } from './commands/types';
import type { Notifier } from './jobs/notifier';
import type { Logger } from './observability/logger';
import { withTimeout, type RunningHttpServer } from './http/http-app';
import { safeError } from './observability/safe-error';
import type { DemoTaskIds } from './sandbox/demo-tasks';
import type { AccessPolicy } from './accounts/access-policy';
import type { AuditLog } from './accounts/audit-log';
import { kindTakesNoId } from './providers/kinds';
import type { TaskKind } from './providers/types';
import type { ChatPlatformDefinition, ChatPlatformInstance } from './chat/chat-platform';
import { CHAT_PLATFORM_DEFINITIONS, channelPlatformNames, chatSecrets, remoteChatConfigured } from './chat/platforms';

/** The longest one component may take to stop (in-flight jobs get this long to finish). */
const STOP_STEP_TIMEOUT_MS = 15_000;

/** Requests per minute one API token may make, across every web process (the API's documented default). */
const API_REQUESTS_PER_MINUTE = 60;

/** Which parts of the system this process runs. */
export type ProcessRole = 'web' | 'worker' | 'all';

/** Options for {@link startTaskwatch}. */
export interface StartOptions {
  readonly config: TaskwatchConfig;
  readonly role: ProcessRole;
  /** Open the terminal chat even if a chat platform is configured or stdin is not a terminal. */
  readonly shell: boolean;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream;
  readonly logger: Logger;
  /** Whether this process may install redis-server with apt-get (root on Debian). */
  readonly mayInstallRedis: boolean;
  /** Where the logger writes while the terminal chat owns the screen (see {@link terminalLogFile}), for the banner. */
  readonly logFile?: string | null;
  /**
   * Who may use which account (from the accounts file, see `loadAccountSetup`); default allow-all.
   * `config.accounts` must then already hold the merged accounts it was built with.
   */
  readonly policy?: AccessPolicy;
  /** The chat platforms to build when configured; default every listed one (`src/chat/platforms.ts`). */
  readonly chatPlatforms?: ReadonlyArray<ChatPlatformDefinition>;
}

/**
 * Whether this start opens the terminal chat: asked for with `--shell`, or a terminal on standard
 * input and no chat platform configured. Never for a worker, which takes no commands.
 */
export function terminalChatOpens(options: Pick<StartOptions, 'config' | 'role' | 'shell' | 'stdin' | 'chatPlatforms'>): boolean {
  return options.role !== 'worker' && (options.shell || (!remoteChatConfigured(options.config, options.chatPlatforms) && options.stdin.isTTY === true));
}

/** The chat platforms this start knows: the ones it was given, or every listed one. */
function chatPlatformsOf(options: Pick<StartOptions, 'chatPlatforms'>): ReadonlyArray<ChatPlatformDefinition> {
  return options.chatPlatforms ?? (CHAT_PLATFORM_DEFINITIONS as ReadonlyArray<ChatPlatformDefinition>);
}

/** The log file in the data directory, used while the terminal chat owns the screen. */
export function terminalLogFile(config: Pick<TaskwatchConfig, 'dataDir'>): string {
  return join(config.dataDir, 'taskwatch.log');
}

/** A running taskwatch process. */
export interface RunningTaskwatch {
  readonly httpPort: number | null;
  /** Resolves when the terminal chat is closed by the user (never, without one). */
  readonly closed: Promise<void>;
  /** Stops taking commands, lets in-flight jobs finish or return to the queue, closes everything. */
  stop(): Promise<void>;
  /**
   * For a second stop request during a slow `stop()`: stops at once only what must not outlive
   * this process (the child redis-server, which flushes its append-only file as it goes). The
   * caller exits right after; jobs still in flight return to the queue when their locks expire.
   */
  stopNow(): Promise<void>;
}

/** Starts every part the configuration asks for. */
export async function startTaskwatch(options: StartOptions): Promise<RunningTaskwatch> {
  const { config, logger } = options;
  const stoppers: Stoppers = [];
  // What must be stopped even when there is no time for the rest: child processes.
  const urgentStoppers: Stoppers = [];
  const stopNow = async (): Promise<void> => {
    await Promise.all(urgentStoppers.map((stop) => stop().catch((error: unknown) => logger.warn({ err: safeError(error) }, 'error while stopping'))));
  };
  const stopAll = async (): Promise<void> => {
    // Reverse order of start: adapters first (no new commands), then jobs, then Redis.
    for (const stop of stoppers.reverse()) {
      try {
        // Bounded: an unreachable Redis must not keep the process from exiting.
        const finished = await withTimeout(stop().then(() => true), STOP_STEP_TIMEOUT_MS, false);
        if (!finished) logger.warn('a component did not stop in time; moving on');
      } catch (error) {
        logger.warn({ err: safeError(error) }, 'error while stopping');
      }
    }
    stoppers.length = 0;
  };

  try {
    const redisUrl = await connectRedis(options, stoppers, urgentStoppers);
    const { accounts, sandboxNote } = await cloudAccounts(config, logger, stoppers);
    const effectiveConfig: TaskwatchConfig = { ...config, accounts, redisUrl };

    const { createMetrics } = await import('./observability/metrics');
    const metrics = createMetrics();

    const { RedisRateBudget } = await import('./jobs/redis-rate-budget');
    const { createRedisConnection } = await import('./jobs/redis-connection');
    const budgetConnection = createRedisConnection(redisUrl);
    const { reportErrorEvents } = await import('./jobs/error-events');
    reportErrorEvents([budgetConnection], logger, 'rate budget Redis error');
    stoppers.push(async () => {
      // QUIT waits for Redis to answer; when it is gone, drop the socket instead.
      await withTimeout(budgetConnection.quit().catch(() => 'failed'), 2000, 'timeout');
      budgetConnection.disconnect();
    });
    const { createProviderRegistry } = await import('./providers/registry');
    const { commandMetricsObserver, instrumentProviderRegistry, instrumentRateBudget } = await import('./observability/instrument');
    // Counted per quota bucket under the account's name, never its key ID.
    const accountOfCredential = new Map(accounts.map((account) => [account.cloud === 'tencent' ? account.secretId : account.accessKeyId, account.name]));
    const rateBudget = instrumentRateBudget(new RedisRateBudget(budgetConnection), metrics, (credentialId) => accountOfCredential.get(credentialId));
    const providers = instrumentProviderRegistry(createProviderRegistry(effectiveConfig, { rateBudget }), metrics);

    const { AccessPolicy } = await import('./accounts/access-policy');
    const policy = options.policy ?? AccessPolicy.allowAll();
    // Decided before anything can write an audit line: the terminal chat's standard output is
    // the conversation, and audit lines must not land in it.
    const terminalOpens = terminalChatOpens(options);
    const audit = await createProcessAuditLog(config, chatPlatformsOf(options), accounts, logger, { stdout: options.stdout, terminalOwnsStdout: terminalOpens, stoppers });

    // Limits per channel, user and token, counted in Redis next to the watch engine's records.
    const { WatchQuota } = await import('./jobs/watch-quota');
    const { WatchStore } = await import('./jobs/watch-life/watch-store');
    const quota = new WatchQuota(budgetConnection, new WatchStore(budgetConnection, 'taskwatch:tw'), 'taskwatch:tw:quota', config.quotas);

    const services: { -readonly [K in keyof CommandServices]: CommandServices[K] } = {
      providers,
      log: logger,
      observer: commandMetricsObserver(metrics),
      access: { policy, audit },
      limits: { watches: quota, subscriptionsPerChannel: config.quotas.subscriptionsPerChannel },
    };
    const notifiers: Notifier[] = [];

    // Chat adapters are created before the engine (it needs their notifiers) but started after it.
    const { createHttpApp, finishHttpApp, listen } = await import('./http/http-app');
    const readiness: Record<string, () => Promise<boolean> | boolean> = {
      redis: async () => (await budgetConnection.ping()) === 'PONG',
    };

    let closeTerminal: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => {
      closeTerminal = resolve;
    });
    // Every configured platform, in the order listed: its notifier serves the engine from its
    // first job; a web process also mounts its routes, checks its readiness and starts it.
    const platforms: ChatPlatformInstance[] = [];
    const chatConsole = {
      input: options.stdin as unknown as import('node:stream').Readable,
      output: options.stdout as unknown as import('node:stream').Writable,
      banner: banner(config, chatPlatformsOf(options), sandboxNote, options.logFile ?? null),
      onClose: () => closeTerminal(),
    };
    for (const definition of chatPlatformsOf(options)) {
      const section = definition.local === true ? (terminalOpens ? definition.configSection(config) : null) : definition.configSection(config);
      if (section === null) continue;
      // A worker takes no commands, and neither does a platform that cannot receive them (a
      // notify-only robot): it is built to post, with no routes and no readiness check.
      const takesCommands = options.role !== 'worker' && definition.capabilities.receivesCommands;
      const instance = await definition.create(section, {
        services,
        logger,
        takesCommands,
        console: chatConsole,
      });
      notifiers.push(instance.notifier);
      const { routes: _routes, ready, ...postingSide } = instance;
      if (takesCommands && ready) readiness[definition.name] = () => ready();
      platforms.push(takesCommands ? instance : postingSide);
    }

    const { createWatchEngine } = await import('./jobs/engines/watch-engine');
    const { ChannelMutes } = await import('./jobs/subscriptions/channel-mute');
    const engine = createWatchEngine({
      connection: redisUrl,
      providers,
      notifiers,
      watch: config.watch,
      rateBudget,
      role: options.role,
      logger,
      metrics,
      // A muted channel's notifications are held, not lost, and summed up on unmute.
      deliveryHold: new ChannelMutes(budgetConnection, 'taskwatch').hold,
    });
    await engine.start();
    stoppers.push(() => engine.stop());
    services.watches = engine;
    services.durations = engine.durations;

    const { createSubscriptionEngine } = await import('./jobs/engines/subscription-engine');
    const { subscriptionAuthorizer } = await import('./accounts/subscription-access');
    // Each listing runs at the watch cadence while anything subscribes to it: a new task is
    // announced as promptly as a watched one changes. Throttling still backs a listing off.
    const subscriptions = createSubscriptionEngine({
      connection: redisUrl,
      providers,
      watches: engine,
      notifiers,
      role: options.role,
      logger,
      // Stored subscriptions are re-checked against the rules this process started with.
      authorize: subscriptionAuthorizer(policy),
      audit,
      tuning: { intervalMs: config.watch.intervalMs },
      ...(config.watch.deliveryRetryMs !== undefined && config.watch.deliveryRetryMaxMs !== undefined
        ? { deliveryRetry: { minMs: config.watch.deliveryRetryMs, maxMs: config.watch.deliveryRetryMaxMs } }
        : {}),
    });
    await subscriptions.start();
    stoppers.push(() => subscriptions.stop());
    services.subscriptions = subscriptions;

    let http: RunningHttpServer | null = null;
    if (options.role !== 'worker' || config.http.port !== 0) {
      const app = createHttpApp({
        metrics,
        readiness,
        adminToken: config.adminToken,
        queues: [...engine.queues, ...subscriptions.queues],
        beforeMetrics: () => engine.refreshMetrics(),
      });
      for (const platform of platforms) platform.routes?.(app);
      if ((config.apiToken || policy.hasApiTokens) && options.role !== 'worker') {
        const { createWatchApiRouter } = await import('./http/watch-api');
        const { RedisApiRateWindow } = await import('./http/api-rate-window');
        // Counted in Redis: a token's limit holds across every web process.
        const rateWindow = new RedisApiRateWindow(budgetConnection, API_REQUESTS_PER_MINUTE);
        app.use(createWatchApiRouter({ apiToken: config.apiToken, watches: engine, providers, platforms: channelPlatformNames(chatPlatformsOf(options)), log: logger, access: { policy, audit }, rateWindow, quota }));
      }
      // Last: unknown routes and failures get short JSON answers, never a stack trace.
      finishHttpApp(app, logger);
      http = await listen(app, config.http.port, config.http.host);
      const server = http;
      stoppers.push(() => server.close());
      logger.info({ port: http.port }, 'HTTP server listening');
    }

    for (const platform of platforms) {
      // Pushed last, so stopped first: no new commands while the jobs wind down. Pushed before
      // starting, so a platform that fails half-way through its start is stopped too.
      const stop = platform.stop;
      if (stop) stoppers.push(() => stop());
      await platform.start?.();
    }

    return { httpPort: http?.port ?? null, closed, stop: stopAll, stopNow };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

type Stoppers = Array<() => Promise<void>>;

/**
 * The configured Redis, or a child redis-server with append-only data in the data directory
 * (replacing one that a killed taskwatch left running there).
 */
async function connectRedis(options: StartOptions, stoppers: Stoppers, urgentStoppers: Stoppers): Promise<string> {
  const { config, logger } = options;
  if (config.redisUrl !== null) return config.redisUrl;
  const { startDataDirRedis } = await import('./runtime/data-dir-redis');
  const { redis, replacedOrphanPid } = await startDataDirRedis({
    dataDir: config.dataDir,
    appendOnly: true,
    installIfMissing: options.mayInstallRedis,
    log: (line) => logger.debug(line),
    ownerPid: process.pid,
  });
  if (replacedOrphanPid !== null) {
    logger.warn({ orphanPid: replacedOrphanPid }, 'shut down the redis-server that a killed taskwatch left running on the data directory');
  }
  stoppers.push(() => redis.stop());
  urgentStoppers.push(() => redis.stop());
  logger.info({ redisPid: redis.pid, redisPort: redis.port }, 'started local redis-server');
  return redis.url;
}

/** The configured cloud accounts, or the local sandbox with demo tasks when there are none. */
async function cloudAccounts(
  config: TaskwatchConfig,
  logger: Logger,
  stoppers: Stoppers,
): Promise<{ readonly accounts: readonly CloudAccount[]; readonly sandboxNote: string | null }> {
  if (config.accounts.length > 0) return { accounts: config.accounts, sandboxNote: null };
  const { CloudSandbox } = await import('./sandbox/cloud-sandbox');
  const { plantDemoTasks } = await import('./sandbox/demo-tasks');
  const { sandboxAccounts } = await import('./sandbox/sandbox-accounts');
  const sandbox = await CloudSandbox.start();
  stoppers.push(() => sandbox.stop());
  const demo = plantDemoTasks(sandbox);
  // Not `url`: that field name is redacted everywhere, since a cloud SDK's error URL is signed.
  logger.info({ sandboxUrl: sandbox.url }, 'no cloud credentials configured: using the local cloud sandbox');
  return { accounts: sandboxAccounts(sandbox.url), sandboxNote: describeDemoTasks(demo) };
}

/** Where {@link createProcessAuditLog} may write. */
interface AuditSinks {
  readonly stdout: NodeJS.WritableStream;
  /** Whether the terminal chat writes its conversation to `stdout`. */
  readonly terminalOwnsStdout: boolean;
  readonly stoppers: Stoppers;
}

/**
 * Audit lines are a stream of their own, apart from the diagnostic log on standard error, so
 * that `taskwatch start | jq -c 'select(.audit)'` routes them: one pino JSON line each (level
 * info, `"audit": true`, message `audit`), whatever `LOG_LEVEL` and `LOG_FORMAT` say. They go to
 * `TASKWATCH_AUDIT_FILE` when set; else to standard output, unless the terminal chat owns it (it
 * is the conversation there), in which case they join the log stream, marked the same way.
 * Values are scrubbed of every credential we know.
 */
async function createProcessAuditLog(config: TaskwatchConfig, platforms: ReadonlyArray<ChatPlatformDefinition>, accounts: readonly CloudAccount[], logger: Logger, sinks: AuditSinks): Promise<AuditLog> {
  const { accountSecrets, createAuditLog } = await import('./accounts/audit-log');
  const { createLogger } = await import('./observability/logger');
  const secrets = [...accountSecrets(accounts), config.apiToken, config.adminToken, ...chatSecrets(config, platforms)].filter((secret): secret is string => typeof secret === 'string');
  let auditLogger: Logger;
  if (config.auditFile !== null) {
    const file = await openAuditFile(config.auditFile);
    sinks.stoppers.push(() => new Promise<void>((resolve) => file.end(() => resolve())));
    auditLogger = createLogger({ level: 'info', pretty: false, secrets, destination: file });
  } else if (sinks.terminalOwnsStdout) {
    auditLogger = logger;
  } else {
    auditLogger = createLogger({ level: 'info', pretty: false, secrets, destination: sinks.stdout });
  }
  return createAuditLog((line) => auditLogger.info({ audit: true, ...(JSON.parse(line) as Record<string, unknown>) }, 'audit'), { secrets });
}

/** Opens the audit file for appending, at start, so a path that cannot be written stops start-up rather than losing lines later. */
async function openAuditFile(path: string): Promise<import('node:fs').WriteStream> {
  const { createWriteStream, openSync } = await import('node:fs');
  let fd: number;
  try {
    fd = openSync(path, 'a', 0o640);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new Error(`TASKWATCH_AUDIT_FILE names a file that cannot be opened for appending (${typeof code === 'string' ? code : 'error'}); check the path and that taskwatch may write there.`, { cause: error });
  }
  return createWriteStream('', { fd, flags: 'a' });
}

function banner(config: TaskwatchConfig, platforms: ReadonlyArray<ChatPlatformDefinition>, sandboxNote: string | null, logFile: string | null): string {
  const lines = ['taskwatch terminal chat. Type /task-status help, or /quit to leave.'];
  if (logFile) lines.push(`Logs and audit lines: ${logFile} (warnings are shown here too).`);
  if (sandboxNote) {
    lines.push(
      'No cloud credentials are set, so queries go to a local cloud sandbox with demo tasks:',
      sandboxNote,
      'Real clouds: set TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY and ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET.',
    );
  }
  for (const platform of platforms) {
    if (platform.setupHint !== null && platform.local !== true && platform.configSection(config) === null) lines.push(platform.setupHint);
  }
  if (!config.redisUrl) lines.push(`Redis: a local redis-server keeps watches in ${config.dataDir}/ (set REDIS_URL to use your own).`);
  return lines.join('\n');
}

function describeDemoTasks(demo: DemoTaskIds): string {
  return Object.entries(demo.byKind)
    .map(([kind, ids]) => `  ${kind}: ${kindTakesNoId(kind as TaskKind) ? `(no ID: /task-status ${kind})` : ids.join(', ')}`)
    .join('\n');
}
