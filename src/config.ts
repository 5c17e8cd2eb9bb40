/**
 * The one place that reads the environment. `loadConfig` validates everything at once and
 * returns either a typed configuration or every problem found, each saying what to do.
 * Every other module receives configuration as an argument.
 */
import type { CloudName } from './providers/types';
import { MIN_TOKEN_LENGTH } from './validation/shared-patterns';

/** Credentials and defaults of one Tencent Cloud account. */
export interface TencentAccount {
  readonly name: string;
  readonly cloud: 'tencent';
  readonly secretId: string;
  readonly secretKey: string;
  /** Default region for region-scoped APIs (DTS, Redis). */
  readonly region: string | null;
  /** Base URL such as `http://127.0.0.1:9000`, used for all four Tencent products; null for the real cloud. */
  readonly endpoint: string | null;
}

/** Credentials and defaults of one Alibaba Cloud account. */
export interface AlibabaAccount {
  readonly name: string;
  readonly cloud: 'alibaba';
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly region: string | null;
  /** DCDN endpoint base URL such as `http://127.0.0.1:9001`; null for the real cloud. */
  readonly endpoint: string | null;
}

/** A configured cloud account. */
export type CloudAccount = TencentAccount | AlibabaAccount;

/** Slack settings; HTTP mode unless `appToken` is set (Socket Mode). */
export interface SlackConfig {
  readonly botToken: string;
  readonly signingSecret: string | null;
  readonly appToken: string | null;
  /** Web API base URL override, e.g. `http://127.0.0.1:4000/api/`. */
  readonly apiUrl: string | null;
}

/** Discord settings. */
export interface DiscordConfig {
  readonly token: string;
  readonly applicationId: string;
  /** REST base URL override, e.g. `http://127.0.0.1:4001/api`; discord.js appends `/v10`. */
  readonly apiUrl: string | null;
}

/** How much one channel, user or API token may watch and subscribe (see `src/jobs/watch-quota.ts`). */
export interface QuotaConfig {
  /** Active watches per channel (`WATCH_LIMIT_PER_CHANNEL`). */
  readonly activePerChannel: number;
  /** Active watches a chat user started (`WATCH_LIMIT_PER_USER`). */
  readonly activePerUser: number;
  /** Active watches an API token started (`WATCH_LIMIT_PER_TOKEN`). */
  readonly activePerToken: number;
  /** New watches per minute per chat user (`WATCH_RATE_PER_USER`). */
  readonly newPerMinutePerUser: number;
  /** New watches per minute per API token (`WATCH_RATE_PER_TOKEN`). */
  readonly newPerMinutePerToken: number;
  /** Subscriptions per channel (`SUBSCRIPTION_LIMIT_PER_CHANNEL`). */
  readonly subscriptionsPerChannel: number;
}

/** Watch engine settings. */
export interface WatchConfig {
  /** Shortest polling interval per task. */
  readonly intervalMs: number;
  /** Longest polling interval per task. */
  readonly maxIntervalMs: number;
  /** How long a watch may run before it ends by itself. */
  readonly deadlineMs: number;
  /** Whether a terminal failure's thread reply is also broadcast to the channel. */
  readonly broadcastFailures: boolean;
  /** The first pause before a failed notification is tried again. Default 1 s. */
  readonly deliveryRetryMs?: number;
  /** The longest pause between two tries of a failed notification. Default 5 min. */
  readonly deliveryRetryMaxMs?: number;
}

/** The whole validated configuration. */
export interface TaskwatchConfig {
  /** Configured cloud accounts; empty means no real cloud is configured. */
  readonly accounts: readonly CloudAccount[];
  readonly rateLimits: {
    /** Calls per second per Tencent API, region and credential (documented quota: 20). */
    readonly tencentPerSecond: number;
    /** Calls per second per Alibaba account for DCDN (documented quota: 30). */
    readonly dcdnPerSecond: number;
  };
  /** Timeout of one provider call. */
  readonly providerTimeoutMs: number;
  /** Redis connection URL; null means start a local redis-server. */
  readonly redisUrl: string | null;
  /** Where the local redis-server keeps its data. */
  readonly dataDir: string;
  readonly http: { readonly port: number; readonly host: string };
  readonly slack: SlackConfig | null;
  readonly discord: DiscordConfig | null;
  readonly watch: WatchConfig;
  readonly quotas: QuotaConfig;
  /** Bearer token that unlocks `/admin/queues`; null keeps it off. */
  readonly adminToken: string | null;
  /** Bearer token for `POST /api/watches`; null keeps the API off. */
  readonly apiToken: string | null;
  readonly log: { readonly level: string; readonly pretty: boolean };
  /** Path of the accounts file (`taskwatch.yml`), when one is used. */
  readonly accountsFile: string | null;
  /**
   * A file audit lines are appended to (`TASKWATCH_AUDIT_FILE`); null: standard output, or the
   * log stream while the terminal chat owns standard output.
   */
  readonly auditFile: string | null;
}

/** The result of {@link loadConfig}. */
export type ConfigResult =
  | { readonly ok: true; readonly config: TaskwatchConfig }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Thrown by {@link requireConfig} when the environment is invalid. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Configuration is invalid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** Default rate limits leave headroom for console and CLI traffic that shares the same quota. */
export const DEFAULT_TENCENT_PER_SECOND = 15;
export const DEFAULT_DCDN_PER_SECOND = 24;

/**
 * The longest polling interval (1 h). Node clamps timers above 2^31 - 1 ms to 1 ms, so an
 * unbounded value would make the supervisor spin; an hour is already far past any useful poll.
 */
export const MAX_WATCH_INTERVAL_MS = 3_600_000;

/** The longest a watch may run (7 days): a deadline far past that overflows a `Date`. */
export const MAX_WATCH_DEADLINE_MS = 604_800_000;

/** The shortest `API_TOKEN` and `ADMIN_TOKEN` accepted, as for the accounts file's tokens. */
export { MIN_TOKEN_LENGTH };

/** The name of the account built from the single-account environment variables. */
export const DEFAULT_ACCOUNT = 'default';

/** Environment variables by name. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Reads and validates the environment. Never throws; never reads anything but `env`. */
export function loadConfig(env: Environment): ConfigResult {
  const problems: string[] = [];
  const read = (name: string): string | null => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? null : value.trim();
  };

  // Every numeric setting has an upper bound too: an unbounded one passes here and fails later,
  // far from its cause (a Date past year 275760, a timer Node clamps to 1 ms). Only plain decimal
  // digits count, so `1e4` or `0x10` are not silently read as something else.
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === null) return fallback;
    const value = /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}; it is "${raw.slice(0, 40)}".`);
      return fallback;
    }
    return value;
  };

  const url = (name: string, schemes: readonly string[]): string | null => {
    const raw = read(name);
    if (raw === null) return null;
    try {
      const parsed = new URL(raw);
      if (!schemes.includes(parsed.protocol)) throw new Error('scheme');
      return raw;
    } catch {
      problems.push(`${name} must be a URL starting with ${schemes.map((scheme) => `${scheme}//`).join(' or ')}; it could not be parsed.`);
      return null;
    }
  };

  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = read(name);
    if (raw === null) return fallback;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    problems.push(`${name} must be true or false; it is "${raw.slice(0, 40)}".`);
    return fallback;
  };

  // A bearer token short enough to guess protects nothing; the value itself is never echoed.
  const token = (name: string): string | null => {
    const value = read(name);
    if (value !== null && value.length < MIN_TOKEN_LENGTH) {
      problems.push(`${name} must be at least ${MIN_TOKEN_LENGTH} characters; it has ${value.length}. Generate one with "openssl rand -hex 32".`);
      return null;
    }
    return value;
  };

  const accounts: CloudAccount[] = [];
  const tencentEndpoint = url('TENCENTCLOUD_ENDPOINT', ['http:', 'https:']);
  const tencentId = read('TENCENTCLOUD_SECRET_ID');
  const tencentKey = read('TENCENTCLOUD_SECRET_KEY');
  if (tencentId && tencentKey) {
    accounts.push({
      name: DEFAULT_ACCOUNT,
      cloud: 'tencent',
      secretId: tencentId,
      secretKey: tencentKey,
      region: read('TENCENTCLOUD_REGION'),
      endpoint: tencentEndpoint,
    });
  } else if (tencentId || tencentKey) {
    problems.push(
      `Tencent Cloud credentials are half set: ${tencentId ? 'TENCENTCLOUD_SECRET_KEY' : 'TENCENTCLOUD_SECRET_ID'} is missing. Set both, or neither.`,
    );
  }

  const alibabaEndpoint = url('ALIBABA_CLOUD_DCDN_ENDPOINT', ['http:', 'https:']);
  const alibabaId = read('ALIBABA_CLOUD_ACCESS_KEY_ID');
  const alibabaSecret = read('ALIBABA_CLOUD_ACCESS_KEY_SECRET');
  if (alibabaId && alibabaSecret) {
    accounts.push({
      name: DEFAULT_ACCOUNT,
      cloud: 'alibaba',
      accessKeyId: alibabaId,
      accessKeySecret: alibabaSecret,
      region: read('ALIBABA_CLOUD_REGION'),
      endpoint: alibabaEndpoint,
    });
  } else if (alibabaId || alibabaSecret) {
    problems.push(
      `Alibaba Cloud credentials are half set: ${alibabaId ? 'ALIBABA_CLOUD_ACCESS_KEY_SECRET' : 'ALIBABA_CLOUD_ACCESS_KEY_ID'} is missing. Set both, or neither.`,
    );
  }

  const redisUrl = url('REDIS_URL', ['redis:', 'rediss:', 'unix:']);

  let slack: SlackConfig | null = null;
  const slackBotToken = read('SLACK_BOT_TOKEN');
  const slackSigningSecret = read('SLACK_SIGNING_SECRET');
  const slackAppToken = read('SLACK_APP_TOKEN');
  const slackApiUrl = url('SLACK_API_URL', ['http:', 'https:']);
  if (slackBotToken) {
    if (!slackSigningSecret && !slackAppToken) {
      problems.push(
        'SLACK_BOT_TOKEN is set without SLACK_SIGNING_SECRET: set the signing secret from the Slack app\'s "Basic Information" page (HTTP mode), or SLACK_APP_TOKEN for Socket Mode.',
      );
    }
    if (slackAppToken && !slackAppToken.startsWith('xapp-')) {
      problems.push('SLACK_APP_TOKEN must be an app-level token starting with "xapp-" (Basic Information > App-Level Tokens, scope connections:write).');
    }
    slack = { botToken: slackBotToken, signingSecret: slackSigningSecret, appToken: slackAppToken, apiUrl: slackApiUrl };
  } else if (slackSigningSecret || slackAppToken) {
    problems.push('SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set without SLACK_BOT_TOKEN: set the bot token (xoxb-...) from "OAuth & Permissions".');
  }

  let discord: DiscordConfig | null = null;
  const discordToken = read('DISCORD_TOKEN');
  const discordApplicationId = read('DISCORD_APPLICATION_ID');
  const discordApiUrl = url('DISCORD_API_URL', ['http:', 'https:']);
  if (discordToken && discordApplicationId) {
    discord = { token: discordToken, applicationId: discordApplicationId, apiUrl: discordApiUrl };
  } else if (discordToken || discordApplicationId) {
    problems.push(
      `Discord is half configured: ${discordToken ? 'DISCORD_APPLICATION_ID' : 'DISCORD_TOKEN'} is missing. Both come from the Discord developer portal.`,
    );
  }

  const problemsBeforeIntervals = problems.length;
  const intervalMs = integer('WATCH_INTERVAL_MS', 5000, 100, MAX_WATCH_INTERVAL_MS);
  const maxIntervalMs = integer('WATCH_MAX_INTERVAL_MS', 60_000, 100, MAX_WATCH_INTERVAL_MS);
  // Compared only when both are valid: a refused one stands at its default, and comparing with
  // that would report a second problem the user never made.
  if (problems.length === problemsBeforeIntervals && maxIntervalMs < intervalMs) {
    problems.push(`WATCH_MAX_INTERVAL_MS (${maxIntervalMs}) must not be less than WATCH_INTERVAL_MS (${intervalMs}).`);
  }

  const deliveryRetryMs = integer('WATCH_DELIVERY_RETRY_MS', 1000, 10, 3_600_000);
  const deliveryRetryMaxMs = integer('WATCH_DELIVERY_RETRY_MAX_MS', 300_000, 10, 86_400_000);
  if (deliveryRetryMaxMs < deliveryRetryMs) {
    problems.push(`WATCH_DELIVERY_RETRY_MAX_MS (${deliveryRetryMaxMs}) must not be less than WATCH_DELIVERY_RETRY_MS (${deliveryRetryMs}).`);
  }

  const logLevel = read('LOG_LEVEL') ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; it is "${logLevel.slice(0, 20)}".`);
  }
  const logFormat = read('LOG_FORMAT');
  if (logFormat !== null && logFormat !== 'json' && logFormat !== 'pretty') {
    problems.push('LOG_FORMAT must be "json" or "pretty".');
  }

  const config: TaskwatchConfig = {
    accounts,
    rateLimits: {
      tencentPerSecond: integer('TENCENTCLOUD_RATE_LIMIT', DEFAULT_TENCENT_PER_SECOND, 1, 20),
      dcdnPerSecond: integer('ALIBABA_CLOUD_DCDN_RATE_LIMIT', DEFAULT_DCDN_PER_SECOND, 1, 30),
    },
    providerTimeoutMs: integer('PROVIDER_TIMEOUT_MS', 10_000, 100, 120_000),
    redisUrl,
    dataDir: read('TASKWATCH_DATA_DIR') ?? '.data',
    http: { port: integer('PORT', 3000, 0, 65_535), host: read('HOST') ?? '0.0.0.0' },
    slack,
    discord,
    watch: {
      intervalMs,
      maxIntervalMs,
      deadlineMs: integer('WATCH_DEADLINE_MS', 86_400_000, 1000, MAX_WATCH_DEADLINE_MS),
      broadcastFailures: boolean('WATCH_BROADCAST_FAILURES', true),
      deliveryRetryMs,
      deliveryRetryMaxMs,
    },
    quotas: {
      activePerChannel: integer('WATCH_LIMIT_PER_CHANNEL', 200, 1, 100_000),
      activePerUser: integer('WATCH_LIMIT_PER_USER', 100, 1, 100_000),
      activePerToken: integer('WATCH_LIMIT_PER_TOKEN', 500, 1, 100_000),
      newPerMinutePerUser: integer('WATCH_RATE_PER_USER', 100, 1, 100_000),
      newPerMinutePerToken: integer('WATCH_RATE_PER_TOKEN', 200, 1, 100_000),
      subscriptionsPerChannel: integer('SUBSCRIPTION_LIMIT_PER_CHANNEL', 20, 1, 1000),
    },
    adminToken: token('ADMIN_TOKEN'),
    apiToken: token('API_TOKEN'),
    log: { level: logLevel, pretty: logFormat === null ? env['NODE_ENV'] !== 'production' : logFormat === 'pretty' },
    accountsFile: read('TASKWATCH_CONFIG'),
    auditFile: read('TASKWATCH_AUDIT_FILE'),
  };

  return problems.length > 0 ? { ok: false, problems } : { ok: true, config };
}

/** Like {@link loadConfig}, but throws a {@link ConfigError} listing every problem. */
export function requireConfig(env: Environment): TaskwatchConfig {
  const result = loadConfig(env);
  if (!result.ok) throw new ConfigError(result.problems);
  return result.config;
}

/** Finds the account for a cloud by name. */
export function findAccount(config: Pick<TaskwatchConfig, 'accounts'>, cloud: CloudName, name: string = DEFAULT_ACCOUNT): CloudAccount | undefined {
  return config.accounts.find((account) => account.cloud === cloud && account.name === name);
}

/**
 * Reads the process environment, after loading a `.env` file from `cwd` when present
 * (variables already set win). The only function that touches `process.env`.
 */
export function readEnvironment(cwd: string = process.cwd()): Environment {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dotenv = require('dotenv') as typeof import('dotenv');
  const path = `${cwd}/.env`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if ((require('node:fs') as typeof import('node:fs')).existsSync(path)) dotenv.config({ path, quiet: true });
  return { ...process.env };
}
