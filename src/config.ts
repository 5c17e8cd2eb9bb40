/**
 * The one place that reads the environment. `loadConfig` validates everything at once and
 * returns either a typed configuration or every problem found, each saying what to do.
 * Every other module receives configuration as an argument.
 */
import type { CloudName } from './providers/types';
import { z } from 'zod';
import { parseFieldsWithDefaults, type FieldShape, type FieldValuesWithDefaults } from './validation/parse-fields';
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
  /**
   * Each chat platform's section, by platform name, as its {@link EnvironmentSection} built it;
   * null when that platform is not configured. A platform reads its own (`configSection`).
   */
  readonly chat: Readonly<Record<string, unknown>>;
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

/** The log levels `LOG_LEVEL` accepts (pino's). */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** An environment variable as text: trimmed, and null when unset or blank. */
export const variableText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? null : value.trim()));

/** An environment variable holding a URL with one of `schemes` (e.g. `http:`); null when unset. */
export function urlVariable(name: string, schemes: readonly string[]) {
  return variableText.pipe(
    z
      .string()
      .refine((raw) => URL.canParse(raw) && schemes.includes(new URL(raw).protocol), {
        error: `${name} must be a URL starting with ${schemes.map((scheme) => `${scheme}//`).join(' or ')}; it could not be parsed.`,
      })
      .nullable(),
  );
}

/**
 * A chat platform's part of the environment, declared in the platform's own folder and handed
 * to {@link loadConfig} by whoever loads the configuration (the platforms are above this file,
 * so it names none). Its variables are read like every other one; its problems are listed
 * after `REDIS_URL`'s, platform by platform, each platform's rules after its own variables.
 */
export interface EnvironmentSection<Section> {
  /** Its variables, each schema accepting `undefined` (unset). */
  readonly fields: FieldShape;
  /** Rules between its variables, each a problem or null; a refused variable stands at its default. */
  readonly rules: ReadonlyArray<(values: Readonly<Record<string, unknown>>, refused: ReadonlySet<string>) => string | null>;
  /** Its section from the values; null when the platform is not configured. */
  build(values: Readonly<Record<string, unknown>>): Section | null;
}

/** Declares an {@link EnvironmentSection}, typing its rules and builder by its variables. */
export function environmentSection<S extends FieldShape, Section>(declaration: {
  readonly fields: S;
  readonly rules?: ReadonlyArray<(values: FieldValuesWithDefaults<S>, refused: ReadonlySet<string>) => string | null>;
  readonly build: (values: FieldValuesWithDefaults<S>) => Section | null;
}): EnvironmentSection<Section> {
  return { ...declaration, rules: declaration.rules ?? [] } as unknown as EnvironmentSection<Section>;
}

/** A chat platform as {@link loadConfig} sees it: its name and its part of the environment. */
export interface ChatEnvironment {
  readonly name: string;
  /** None for a platform that needs no configuration (the terminal). */
  readonly environment?: EnvironmentSection<unknown>;
}

/**
 * The schema of the environment, variable by variable. Every numeric setting has an upper bound
 * too: an unbounded one passes here and fails later, far from its cause (a Date past year
 * 275760, a timer Node clamps to 1 ms). Only plain decimal digits count, so `1e4` or `0x10` are
 * not silently read as something else. Values are quoted in problems only where they cannot be
 * secrets, and cut. An unset variable takes its default (`fallback`), which is also what a
 * refused one stands at while the rules between variables are checked.
 */
const ENVIRONMENT_FIELDS = (() => {
  const integer = (name: string, fallback: number, min: number, max: number) =>
    variableText
      .pipe(
        z
          .string()
          .refine((raw) => /^\d{1,16}$/.test(raw) && Number(raw) >= min && Number(raw) <= max, {
            error: (issue) => `${name} must be a whole number from ${min} to ${max}; it is "${String(issue.input).slice(0, 40)}".`,
          })
          .transform(Number)
          .nullable(),
      )
      .transform((value) => value ?? fallback);

  const url = urlVariable;

  const boolean = (name: string, fallback: boolean) =>
    variableText
      .pipe(
        z
          .string()
          .refine((raw) => /^(1|true|yes|on|0|false|no|off)$/i.test(raw), { error: (issue) => `${name} must be true or false; it is "${String(issue.input).slice(0, 40)}".` })
          .transform((raw) => /^(1|true|yes|on)$/i.test(raw))
          .nullable(),
      )
      .transform((value) => value ?? fallback);

  // A bearer token short enough to guess protects nothing; the value itself is never echoed.
  const token = (name: string) =>
    variableText
      .pipe(
        z
          .string()
          .min(MIN_TOKEN_LENGTH, {
            error: (issue) =>
              `${name} must be at least ${MIN_TOKEN_LENGTH} characters; it has ${String(issue.input).length}. Generate one with "openssl rand -hex 32".`,
          })
          .nullable(),
      );

  const logLevel = variableText
    .pipe(z.enum(LOG_LEVELS, { error: (issue) => `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; it is "${String(issue.input).slice(0, 20)}".` }).nullable())
    .transform((value) => value ?? 'info');
  const logFormat = variableText.pipe(z.enum(['json', 'pretty'], { error: 'LOG_FORMAT must be "json" or "pretty".' }).nullable());

  // Declared in the order problems are listed.
  return {
    TENCENTCLOUD_ENDPOINT: url('TENCENTCLOUD_ENDPOINT', ['http:', 'https:']),
    TENCENTCLOUD_SECRET_ID: variableText,
    TENCENTCLOUD_SECRET_KEY: variableText,
    TENCENTCLOUD_REGION: variableText,
    ALIBABA_CLOUD_DCDN_ENDPOINT: url('ALIBABA_CLOUD_DCDN_ENDPOINT', ['http:', 'https:']),
    ALIBABA_CLOUD_ACCESS_KEY_ID: variableText,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: variableText,
    ALIBABA_CLOUD_REGION: variableText,
    REDIS_URL: url('REDIS_URL', ['redis:', 'rediss:', 'unix:']),
    WATCH_INTERVAL_MS: integer('WATCH_INTERVAL_MS', 5000, 100, MAX_WATCH_INTERVAL_MS),
    WATCH_MAX_INTERVAL_MS: integer('WATCH_MAX_INTERVAL_MS', 60_000, 100, MAX_WATCH_INTERVAL_MS),
    WATCH_DELIVERY_RETRY_MS: integer('WATCH_DELIVERY_RETRY_MS', 1000, 10, 3_600_000),
    WATCH_DELIVERY_RETRY_MAX_MS: integer('WATCH_DELIVERY_RETRY_MAX_MS', 300_000, 10, 86_400_000),
    LOG_LEVEL: logLevel,
    LOG_FORMAT: logFormat,
    TENCENTCLOUD_RATE_LIMIT: integer('TENCENTCLOUD_RATE_LIMIT', DEFAULT_TENCENT_PER_SECOND, 1, 20),
    ALIBABA_CLOUD_DCDN_RATE_LIMIT: integer('ALIBABA_CLOUD_DCDN_RATE_LIMIT', DEFAULT_DCDN_PER_SECOND, 1, 30),
    PROVIDER_TIMEOUT_MS: integer('PROVIDER_TIMEOUT_MS', 10_000, 100, 120_000),
    TASKWATCH_DATA_DIR: variableText,
    PORT: integer('PORT', 3000, 0, 65_535),
    HOST: variableText,
    WATCH_DEADLINE_MS: integer('WATCH_DEADLINE_MS', 86_400_000, 1000, MAX_WATCH_DEADLINE_MS),
    WATCH_BROADCAST_FAILURES: boolean('WATCH_BROADCAST_FAILURES', true),
    WATCH_LIMIT_PER_CHANNEL: integer('WATCH_LIMIT_PER_CHANNEL', 200, 1, 100_000),
    WATCH_LIMIT_PER_USER: integer('WATCH_LIMIT_PER_USER', 100, 1, 100_000),
    WATCH_LIMIT_PER_TOKEN: integer('WATCH_LIMIT_PER_TOKEN', 500, 1, 100_000),
    WATCH_RATE_PER_USER: integer('WATCH_RATE_PER_USER', 100, 1, 100_000),
    WATCH_RATE_PER_TOKEN: integer('WATCH_RATE_PER_TOKEN', 200, 1, 100_000),
    SUBSCRIPTION_LIMIT_PER_CHANNEL: integer('SUBSCRIPTION_LIMIT_PER_CHANNEL', 20, 1, 1000),
    ADMIN_TOKEN: token('ADMIN_TOKEN'),
    API_TOKEN: token('API_TOKEN'),
    TASKWATCH_CONFIG: variableText,
    TASKWATCH_AUDIT_FILE: variableText,
    NODE_ENV: z.string().optional(),
  };
})();

/** The environment as {@link ENVIRONMENT_FIELDS} reads it, every refused variable at its default. */
type EnvironmentValues = FieldValuesWithDefaults<typeof ENVIRONMENT_FIELDS>;

/**
 * The rules between variables, each a problem or null. A rule reads values as the schema left
 * them: a refused variable stands at its default. Each is listed after the variable named by
 * `after`, beside the variables it is about.
 */
interface EnvironmentRule {
  readonly after: keyof typeof ENVIRONMENT_FIELDS;
  readonly check: (values: EnvironmentValues, refused: ReadonlySet<string>) => string | null;
}

const ENVIRONMENT_RULES: readonly EnvironmentRule[] = [
  {
    after: 'TENCENTCLOUD_REGION',
    check: ({ TENCENTCLOUD_SECRET_ID: id, TENCENTCLOUD_SECRET_KEY: key }) =>
      (id === null) !== (key === null) ? `Tencent Cloud credentials are half set: ${id ? 'TENCENTCLOUD_SECRET_KEY' : 'TENCENTCLOUD_SECRET_ID'} is missing. Set both, or neither.` : null,
  },
  {
    after: 'ALIBABA_CLOUD_REGION',
    check: ({ ALIBABA_CLOUD_ACCESS_KEY_ID: id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret }) =>
      (id === null) !== (secret === null)
        ? `Alibaba Cloud credentials are half set: ${id ? 'ALIBABA_CLOUD_ACCESS_KEY_SECRET' : 'ALIBABA_CLOUD_ACCESS_KEY_ID'} is missing. Set both, or neither.`
        : null,
  },
  // Compared only when both are valid: a refused one stands at its default, and comparing with
  // that would report a second problem the user never made.
  {
    after: 'WATCH_MAX_INTERVAL_MS',
    check: ({ WATCH_INTERVAL_MS: intervalMs, WATCH_MAX_INTERVAL_MS: maxIntervalMs }, refused) =>
      !refused.has('WATCH_INTERVAL_MS') && !refused.has('WATCH_MAX_INTERVAL_MS') && maxIntervalMs < intervalMs
        ? `WATCH_MAX_INTERVAL_MS (${maxIntervalMs}) must not be less than WATCH_INTERVAL_MS (${intervalMs}).`
        : null,
  },
  {
    after: 'WATCH_DELIVERY_RETRY_MAX_MS',
    check: ({ WATCH_DELIVERY_RETRY_MS: retryMs, WATCH_DELIVERY_RETRY_MAX_MS: retryMaxMs }) =>
      retryMaxMs < retryMs ? `WATCH_DELIVERY_RETRY_MAX_MS (${retryMaxMs}) must not be less than WATCH_DELIVERY_RETRY_MS (${retryMs}).` : null,
  },
];

/** Where the chat platforms' problems are listed among the others. */
const CHAT_PROBLEMS_AFTER: keyof typeof ENVIRONMENT_FIELDS = 'REDIS_URL';

/** One platform's section and its problems, in its variables' order, then its rules'. */
function loadSection(env: Environment, section: EnvironmentSection<unknown>): { value: unknown; problems: string[] } {
  const { values, problems, refused } = parseFieldsWithDefaults(section.fields, env);
  const ruled = section.rules.map((rule) => rule(values, refused)).filter((problem): problem is string => problem !== null);
  return { value: section.build(values), problems: [...problems.map((problem) => problem.message), ...ruled] };
}

/**
 * Reads and validates the environment: taskwatch's own variables and those of each chat
 * platform in `platforms` (the composition root passes `src/chat/platforms.ts`'s list). Never
 * throws; never reads anything but `env`.
 */
export function loadConfig(env: Environment, platforms: readonly ChatEnvironment[]): ConfigResult {
  // A refused variable stands at its default, so every other one, and the rules between them, are still checked.
  const { values, problems: refusals, refused } = parseFieldsWithDefaults(ENVIRONMENT_FIELDS, env);
  const sections = platforms.flatMap((platform) => (platform.environment ? [{ name: platform.name, ...loadSection(env, platform.environment) }] : []));
  const problems: string[] = [];
  for (const variable of Object.keys(ENVIRONMENT_FIELDS)) {
    problems.push(...refusals.filter((problem) => problem.path === variable).map((problem) => problem.message));
    for (const rule of ENVIRONMENT_RULES) {
      const problem = rule.after === variable ? rule.check(values, refused) : null;
      if (problem !== null) problems.push(problem);
    }
    if (variable === CHAT_PROBLEMS_AFTER) problems.push(...sections.flatMap((section) => section.problems));
  }

  const accounts: CloudAccount[] = [];
  if (values.TENCENTCLOUD_SECRET_ID !== null && values.TENCENTCLOUD_SECRET_KEY !== null) {
    accounts.push({
      name: DEFAULT_ACCOUNT,
      cloud: 'tencent',
      secretId: values.TENCENTCLOUD_SECRET_ID,
      secretKey: values.TENCENTCLOUD_SECRET_KEY,
      region: values.TENCENTCLOUD_REGION,
      endpoint: values.TENCENTCLOUD_ENDPOINT,
    });
  }
  if (values.ALIBABA_CLOUD_ACCESS_KEY_ID !== null && values.ALIBABA_CLOUD_ACCESS_KEY_SECRET !== null) {
    accounts.push({
      name: DEFAULT_ACCOUNT,
      cloud: 'alibaba',
      accessKeyId: values.ALIBABA_CLOUD_ACCESS_KEY_ID,
      accessKeySecret: values.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
      region: values.ALIBABA_CLOUD_REGION,
      endpoint: values.ALIBABA_CLOUD_DCDN_ENDPOINT,
    });
  }
  const config: TaskwatchConfig = {
    accounts,
    rateLimits: { tencentPerSecond: values.TENCENTCLOUD_RATE_LIMIT, dcdnPerSecond: values.ALIBABA_CLOUD_DCDN_RATE_LIMIT },
    providerTimeoutMs: values.PROVIDER_TIMEOUT_MS,
    redisUrl: values.REDIS_URL,
    dataDir: values.TASKWATCH_DATA_DIR ?? '.data',
    http: { port: values.PORT, host: values.HOST ?? '0.0.0.0' },
    chat: Object.fromEntries(sections.map((section) => [section.name, section.value])),
    watch: {
      intervalMs: values.WATCH_INTERVAL_MS,
      maxIntervalMs: values.WATCH_MAX_INTERVAL_MS,
      deadlineMs: values.WATCH_DEADLINE_MS,
      broadcastFailures: values.WATCH_BROADCAST_FAILURES,
      deliveryRetryMs: values.WATCH_DELIVERY_RETRY_MS,
      deliveryRetryMaxMs: values.WATCH_DELIVERY_RETRY_MAX_MS,
    },
    quotas: {
      activePerChannel: values.WATCH_LIMIT_PER_CHANNEL,
      activePerUser: values.WATCH_LIMIT_PER_USER,
      activePerToken: values.WATCH_LIMIT_PER_TOKEN,
      newPerMinutePerUser: values.WATCH_RATE_PER_USER,
      newPerMinutePerToken: values.WATCH_RATE_PER_TOKEN,
      subscriptionsPerChannel: values.SUBSCRIPTION_LIMIT_PER_CHANNEL,
    },
    adminToken: values.ADMIN_TOKEN,
    apiToken: values.API_TOKEN,
    log: { level: values.LOG_LEVEL, pretty: values.LOG_FORMAT === null ? values.NODE_ENV !== 'production' : values.LOG_FORMAT === 'pretty' },
    accountsFile: values.TASKWATCH_CONFIG,
    auditFile: values.TASKWATCH_AUDIT_FILE,
  };

  return problems.length > 0 ? { ok: false, problems } : { ok: true, config };
}

/** Like {@link loadConfig}, but throws a {@link ConfigError} listing every problem. */
export function requireConfig(env: Environment, platforms: readonly ChatEnvironment[]): TaskwatchConfig {
  const result = loadConfig(env, platforms);
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
