/**
 * `POST /api/watches`: lets automation (a deploy pipeline, `taskwatch watch`) start a watch
 * whose card goes to a chat channel. Input is checked with the same rules as the chat command
 * (`resolveTaskKind`, `validateTaskId`, the region and account patterns); errors name the field.
 *
 * Order of checks: token (401) before reading the body, so an unauthenticated caller cannot
 * make us parse anything; then the per-token rate (429 with Retry-After); then the body size
 * (413) and shape (400); then the token's grant (403).
 *
 * Tokens: `API_TOKEN` is the legacy single token and may watch on every account and channel
 * (a contract with existing pipelines), except that an account's own channel list still applies
 * to it. Tokens from the accounts file (`apiTokens`) are bound
 * to the accounts and channels they list, and to each account's own channel list. Every call
 * writes one audit line naming the token's name, never the token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { isProviderError } from '../providers/errors';
import { type ProviderRegistry, type TaskKind, type TaskRef } from '../providers/types';
import { CLOUD_OF_KIND, resolveTaskKind, canonicalTaskId, validateTaskId, kindTakesNoId, kindRequiresRegion, kindNameList } from '../providers/kinds';
import { MAX_IDS_PER_COMMAND } from '../commands/parse-command';
import { z } from 'zod';
import { parseFields } from '../validation/parse-fields';
import type { StructuredLogger } from '../observability/taskwatch-logger';
import { accountNameSchema, regionSchema } from '../validation/shared-patterns';
import { LATEST_TASK_ID } from '../commands/handle-command';
import { channelAddressForms, parseChannelAddress, formatChannelAddress, type ChannelAddress, type ChatPlatform } from '../util/channel-address';
import type { ProgressDelivery, WatchService } from '../jobs/watch-service';
import type { QuotaLimitName, WatchQuota } from '../jobs/watch-quota';
import type { CommandAccess } from '../accounts/command-access';
import type { ApiTokenBinding } from '../accounts/access-policy';
import { DEFAULT_ACCOUNT } from '../config';
import { AuditLineBudget } from '../accounts/audit-line-budget';
import { InMemoryApiRateWindow, type ApiRateWindow } from './api-rate-window';
import { withTimeout } from './http-app';

/** Audit lines for unauthenticated calls per minute and process; the rest are counted in the next line's `suppressed`. */
export const UNAUTHORIZED_AUDIT_LINES_PER_MINUTE = 10;

/** How long a request waits for the rate window before it goes on uncounted. */
const RATE_WINDOW_TIMEOUT_MS = 2_000;

/** Options of {@link createWatchApiRouter}. */
export interface WatchApiOptions {
  /** The legacy bearer token (`API_TOKEN`), allowed on every account and on every channel the account allows; null when only file tokens are used. */
  readonly apiToken: string | null;
  readonly watches: WatchService;
  readonly providers: ProviderRegistry;
  /** The chat platforms a watch may post to (`src/chat/platforms.ts`'s, but the local terminal), from the composition root. */
  readonly platforms: readonly ChatPlatform[];
  /** Requests per minute per token; default 60. */
  readonly rateLimitPerMinute?: number;
  /**
   * Where the per-token counts live; default this process's memory. Pass a `RedisApiRateWindow`
   * (`api-rate-window.ts`) when several web processes serve the API.
   */
  readonly rateWindow?: ApiRateWindow;
  /** Largest JSON body accepted; default 16 KB. */
  readonly maxBodyBytes?: number;
  /** Shown as who asked (`api:<name>`); default `api`. */
  readonly tokenName?: string;
  /** Real time for the rate window and the audit budget of unauthenticated calls; default `Date.now`. */
  readonly now?: () => number;
  /** Told about failures we did not expect (names only, never messages). */
  readonly log?: Pick<StructuredLogger, 'error'>;
  /**
   * The access policy (its `apiTokens`, the channel defaults and account channel lists) and the
   * audit log. Absent: only `apiToken` is accepted and nothing is audited.
   */
  readonly access?: CommandAccess;
  /** Active and per-minute watch limits per token and channel; absent: unlimited. */
  readonly quota?: WatchQuota;
}

/** One started watch in a 201 answer. */
export interface WatchApiWatch {
  readonly id: string;
  readonly kind: TaskKind;
  readonly taskId: string;
  readonly region: string | null;
  readonly account: string;
  readonly channel: string;
  readonly state: string | null;
  readonly startedAt: string;
  readonly deadlineAt: string;
}

/** The first sentence of a limit refusal, by limit. */
const LIMIT_WORDS: Readonly<Record<QuotaLimitName, (max: number) => string>> = {
  active_per_channel: (max) => `The channel already has its limit of ${max} active watches.`,
  active_per_user: (max) => `This user already has the limit of ${max} active watches.`,
  active_per_token: (max) => `This token already has its limit of ${max} active watches.`,
  new_per_minute_per_user: (max) => `This user may start at most ${max} watches a minute.`,
  new_per_minute_per_token: (max) => `This token may start at most ${max} watches a minute.`,
};

/** The path the router serves. */
export const WATCH_API_PATH = '/api/watches';


type FieldErrors = Record<string, string>;

interface ValidRequest {
  readonly refs: TaskRef[];
  readonly channel: ChannelAddress;
  /** `"progress": "thread"` asks for every progress step in the thread; absent: the card only. */
  readonly progress?: ProgressDelivery;
}

const KIND_PROBLEM = `must be one of ${kindNameList()}`;
const IDS_PROBLEM = 'must be a non-empty array of task IDs';

/**
 * The body's fields, each checked on its own. The rules between fields (which IDs a kind takes,
 * the account's default region) follow in {@link validateWatchRequest}.
 */
const PROGRESS_PROBLEM = 'must be "card" (the default: progress edits the card) or "thread" (every progress step is also posted in the thread)';

const WATCH_REQUEST_FIELDS = {
  kind: z.string({ error: KIND_PROBLEM }).transform((text, context): TaskKind => {
    const kind = resolveTaskKind(text);
    if (kind === null) context.issues.push({ code: 'custom', message: KIND_PROBLEM, input: text });
    return kind as TaskKind;
  }),
  // What the IDs must be depends on the kind; only the shape is declared here.
  ids: z.array(z.unknown(), { error: IDS_PROBLEM }).optional(),
  region: regionSchema('must look like ap-guangzhou', (text) => text.toLowerCase()).optional(),
  account: accountNameSchema('must be an account name: letters, digits, dot, dash, underscore').optional(),
  progress: z.enum(['card', 'thread'], { error: PROGRESS_PROBLEM }).optional(),
  // Whether its platform is one a watch may post to depends on the platforms listed; see validateWatchRequest.
  channel: z.string().transform((text) => parseChannelAddress(text)),
};

/** Checks a request body; resolves to the watch request or field-level errors. */
export function validateWatchRequest(
  body: unknown,
  providers: ProviderRegistry,
  platforms: readonly ChatPlatform[],
  defaultAccount?: (channel: ChannelAddress, kind: TaskKind) => string,
): { ok: true; request: ValidRequest } | { ok: false; fields: FieldErrors } {
  // No prototype: a body key such as "__proto__" must become an entry like any other, not be
  // swallowed by Object.prototype's setter (which silently dropped the error, and the request passed).
  const fields: FieldErrors = Object.create(null) as FieldErrors;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false, fields: { body: 'must be a JSON object' } };
  const input = body as Record<string, unknown>;
  const parsed = parseFields(WATCH_REQUEST_FIELDS, input);
  for (const key of parsed.unknownFields) fields[key.slice(0, 32)] = 'is not a field of this API';
  const { ids: rawIds, region, account, progress } = parsed.values;
  const kind = parsed.values.kind ?? null;
  const parsedChannel = parsed.values.channel ?? null;
  const channel = parsedChannel !== null && platforms.includes(parsedChannel.platform) ? parsedChannel : null;
  // Missing, not text, malformed, or a platform no watch may post to: one answer, naming the forms that are.
  const channelProblem = channel === null ? `must be ${channelAddressForms(platforms)}` : undefined;

  // What the IDs must be depends on the kind.
  let ids: string[] = [];
  let idsProblem: string | null = null;
  if (kind !== null && kindTakesNoId(kind)) {
    if (input['ids'] !== undefined && !(Array.isArray(input['ids']) && input['ids'].length === 0)) idsProblem = `must be absent or empty for ${kind} (it reports the latest task)`;
    ids = [LATEST_TASK_ID];
  } else if (rawIds === undefined || rawIds.length === 0) {
    idsProblem = IDS_PROBLEM;
  } else if (rawIds.length > MAX_IDS_PER_COMMAND) {
    idsProblem = `must hold at most ${MAX_IDS_PER_COMMAND} IDs`;
  } else if (!rawIds.every((id): id is string => typeof id === 'string')) {
    idsProblem = 'must hold strings only';
  } else if (kind !== null) {
    ids = [...new Set(rawIds.map((id) => id.trim()))];
    const bad = ids.find((id) => validateTaskId(kind, id) !== null);
    if (bad !== undefined) idsProblem = `holds an ID that is not a valid ${kind} task ID (${validateTaskId(kind, bad)})`;
    // One task, one ID: `018215` and `18215` are the same Redis task.
    else ids = [...new Set(ids.map((id) => canonicalTaskId(kind, id)))];
  }
  // In the order the body's fields are declared, one problem each.
  for (const field of Object.keys(WATCH_REQUEST_FIELDS)) {
    const problem = field === 'ids' ? idsProblem : field === 'channel' ? channelProblem : parsed.problems.find((entry) => entry.path === field)?.message;
    if (problem) fields[field] = problem;
  }

  // Without account, the channel's default account is used (when the accounts file names one).
  const accountName = account ?? (kind !== null && channel !== null && !parsed.problems.some((problem) => problem.path === 'account') ? defaultAccount?.(channel, kind) : undefined);
  if (kind !== null && fields['account'] === undefined) {
    try {
      providers.get(kind, accountName);
      const resolvedRegion = region ?? providers.defaultRegion(kind, accountName) ?? undefined;
      if (kindRequiresRegion(kind) && resolvedRegion === undefined && fields['region'] === undefined) fields['region'] = `is required for ${kind} (the account has no default region)`;
    } catch (error) {
      if (!isProviderError(error)) throw error;
      fields['account'] = 'is not a configured account for this kind';
    }
  }
  if (Object.keys(fields).length > 0 || kind === null || channel === null) return { ok: false, fields };

  const resolvedRegion = kindRequiresRegion(kind) ? (region ?? providers.defaultRegion(kind, accountName) ?? undefined) : undefined;
  const refs = ids.map((id) => ({ kind, id, ...(resolvedRegion !== undefined ? { region: resolvedRegion } : {}), ...(accountName !== undefined ? { account: accountName } : {}) }));
  return { ok: true, request: { refs, channel, ...(progress === 'thread' || progress === 'card' ? { progress } : {}) } };
}

/** Who called, as {@link createWatchApiRouter}'s authentication found: the legacy token, or a file token's binding. */
interface ApiCaller {
  /** The name audit lines show: `API_TOKEN`'s configured name, or the file token's name. */
  readonly name: string;
  /** Null for the legacy `API_TOKEN`, which may use every account, on the channels each account allows. */
  readonly binding: ApiTokenBinding | null;
}

const CALLER = Symbol('watch-api-caller');

/** Builds the router; mount it with `app.use(router)`. */
export function createWatchApiRouter(options: WatchApiOptions): Router {
  const access = options.access;
  if ((options.apiToken === null || options.apiToken.length === 0) && !access?.policy.hasApiTokens) {
    throw new Error('createWatchApiRouter needs a non-empty API token (API_TOKEN) or apiTokens in the accounts file.');
  }
  const router = express.Router();
  const expected = options.apiToken ? createHash('sha256').update(options.apiToken).digest() : null;
  const windows = options.rateWindow ?? new InMemoryApiRateWindow(options.rateLimitPerMinute ?? 60, options.now ?? Date.now);
  const legacyName = options.tokenName ?? 'api';
  const unauthorizedLines = new AuditLineBudget(UNAUTHORIZED_AUDIT_LINES_PER_MINUTE, 60_000, options.now ?? Date.now);
  const where = `POST ${WATCH_API_PATH}`;

  const authenticate = async (request: Request, response: Response, next: NextFunction): Promise<void> => {
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
    // Digests have one length, so the comparison takes the same time whatever was sent.
    const given = createHash('sha256').update(token).digest();
    const legacy = token !== '' && expected !== null && timingSafeEqual(given, expected);
    // File tokens are compared too even after a legacy match, so timing says nothing about which matched.
    const binding = token !== '' && access ? access.policy.authorizeApiToken(token) : null;
    if (!legacy && binding === null) {
      // Bounded: a caller without a token must not be able to flood the audit log.
      const ticket = unauthorizedLines.take();
      if (ticket.write) {
        access?.audit.record({ who: 'api:unknown', platform: 'api', where, action: 'api.watches', outcome: 'refused', reason: 'unauthorized', ...(ticket.suppressed > 0 ? { suppressed: ticket.suppressed } : {}) });
      }
      // The body is not read: drain it so the connection stays usable, then answer.
      response.setHeader('WWW-Authenticate', 'Bearer');
      response.status(401).json({ error: 'unauthorized', message: 'Send Authorization: Bearer <API token>.' });
      return;
    }
    const caller: ApiCaller = legacy ? { name: legacyName, binding: null } : { name: (binding as ApiTokenBinding).name, binding };
    let waitSeconds = 0;
    try {
      // Bounded: while Redis reconnects its commands wait in a queue, and a request must not.
      waitSeconds = await withTimeout(windows.take(given.toString('hex')), RATE_WINDOW_TIMEOUT_MS, 0);
    } catch (error) {
      // The limit protects the service; it must not be why a request fails. Failing open here
      // leaves the answer to the watch service, which needs the same Redis.
      options.log?.error({ errorName: error instanceof Error ? error.name : typeof error }, 'API rate window unavailable');
    }
    if (waitSeconds > 0) {
      access?.audit.record({ who: `api:${caller.name}`, platform: 'api', where, action: 'api.watches', outcome: 'refused', reason: 'rate_limited' });
      response.setHeader('Retry-After', String(waitSeconds));
      response.status(429).json({ error: 'rate_limited', message: `Too many requests for this token; retry after ${waitSeconds} s.`, retryAfterSeconds: waitSeconds });
      return;
    }
    (response.locals as Record<symbol, ApiCaller>)[CALLER] = caller;
    next();
  };

  const defaultAccount = access ? (channel: ChannelAddress, kind: TaskKind): string => access.policy.accountFor(channel, CLOUD_OF_KIND[kind]) : undefined;

  router.post(WATCH_API_PATH, authenticate, express.json({ limit: options.maxBodyBytes ?? 16 * 1024, type: () => true }), async (request: Request, response: Response) => {
    const caller = (response.locals as Record<symbol, ApiCaller>)[CALLER] as ApiCaller;
    const who = `api:${caller.name}`;
    const checked = validateWatchRequest(request.body, options.providers, options.platforms, defaultAccount);
    if (!checked.ok) {
      access?.audit.record({ who, platform: 'api', where, action: 'api.watches', outcome: 'refused', reason: 'invalid_request' });
      response.status(400).json({ error: 'invalid_request', fields: checked.fields });
      return;
    }
    const { refs, channel, progress } = checked.request;
    const first = refs[0] as TaskRef;
    const accountName = first.account ?? DEFAULT_ACCOUNT;
    const target = formatChannelAddress(channel);
    const audited = { who, platform: 'api', where: target, action: 'api.watches', kind: first.kind, ids: refs.map((ref) => ref.id), account: accountName };
    if (access) {
      // A file token is the principal: the policy checks its grant and the account's channel
      // list. The legacy token has no grant, but the account's channel list binds it all the same.
      const cloud = CLOUD_OF_KIND[first.kind];
      const decision =
        caller.binding !== null
          ? access.policy.authorize({ platform: 'api', channelId: target, userId: caller.name, groups: [] }, 'watch', cloud, accountName)
          : access.policy.authorizeUnboundApiToken(target, cloud, accountName);
      if (!decision.allowed) {
        access.audit.record({ ...audited, outcome: 'refused', reason: decision.reason });
        const fields: FieldErrors =
          decision.reason === 'channel_not_allowed'
            ? { channel: caller.binding !== null ? 'is not a channel this token may post to with this account' : 'is not a channel this account may post to' }
            : { account: 'is not an account this token may use' };
        response.status(403).json({ error: 'forbidden', fields });
        return;
      }
    }
    // After access, before anything reaches a cloud: a token over its limits starts nothing.
    const requester = { scope: 'token' as const, id: caller.name };
    const quota = options.quota ? await options.quota.admit(requester, target, refs.length) : ({ allowed: true } as const);
    if (!quota.allowed) {
      access?.audit.record({ ...audited, outcome: 'refused', reason: 'limit_exceeded' });
      const message = `${LIMIT_WORDS[quota.limit](quota.max)} ${quota.retryAfterSeconds !== undefined ? `Retry after ${quota.retryAfterSeconds} s.` : 'Watches end by themselves when their tasks end; to make room now, end some in the channel (/task-status list, then /task-status unwatch).'}`;
      if (quota.retryAfterSeconds !== undefined) {
        response.setHeader('Retry-After', String(quota.retryAfterSeconds));
        response.status(429).json({ error: 'limit_exceeded', limit: quota.limit, max: quota.max, retryAfterSeconds: quota.retryAfterSeconds, message });
      } else {
        response.status(403).json({ error: 'limit_exceeded', limit: quota.limit, max: quota.max, message });
      }
      return;
    }
    access?.audit.record({ ...audited, outcome: 'allowed' });
    try {
      const summaries = await options.watches.watch({ refs, channel, requestedBy: who, ...(progress ? { progress } : {}) });
      await options.quota?.started(requester, summaries.map((summary) => summary.watchId));
      const watches: WatchApiWatch[] = summaries.map((summary) => ({
        id: summary.watchId,
        kind: summary.ref.kind,
        taskId: summary.ref.id,
        region: summary.ref.region || null,
        account: summary.ref.account,
        channel: formatChannelAddress(summary.channel),
        state: summary.state,
        startedAt: summary.startedAt,
        deadlineAt: summary.deadlineAt,
      }));
      response.status(201).json({ watches });
    } catch (error) {
      options.log?.error({ event: 'watch_api_failed', errorName: error instanceof Error ? error.name : typeof error }, 'POST /api/watches failed');
      response.status(502).json({ error: 'watch_failed', message: 'The watch could not be started (is the channel\'s chat platform configured?). Try again later.' });
    }
  });

  // Body errors from express.json: too large (413) or not JSON (400). They come after
  // authentication, so the caller is known and the refusal is audited like any other.
  router.use(WATCH_API_PATH, (error: unknown, _request: Request, response: Response, next: NextFunction) => {
    const type = (error as { type?: unknown } | null)?.type;
    const caller = (response.locals as Record<symbol, ApiCaller | undefined>)[CALLER];
    const auditRefusal = (reason: string): void => {
      if (caller) access?.audit.record({ who: `api:${caller.name}`, platform: 'api', where, action: 'api.watches', outcome: 'refused', reason });
    };
    if (type === 'entity.too.large') {
      auditRefusal('payload_too_large');
      response.status(413).json({ error: 'payload_too_large', message: `The body must be at most ${options.maxBodyBytes ?? 16 * 1024} bytes.` });
      return;
    }
    if (type === 'entity.parse.failed' || type === 'encoding.unsupported' || type === 'charset.unsupported') {
      auditRefusal('invalid_request');
      response.status(400).json({ error: 'invalid_request', fields: { body: 'must be JSON' } });
      return;
    }
    next(error);
  });
  return router;
}
