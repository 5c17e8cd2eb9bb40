/**
 * Runs parsed commands against the providers and the watch engine and answers with a
 * chat-neutral {@link CommandResult}. Never throws: provider failures become `failures` or an
 * error reply, and anything unexpected becomes a generic error reply.
 */
import { auditInvalidCommand, checkCommandAccessAndLimit, checkStatsAccess } from '../accounts/command-access';
import type { QuotaRequester } from '../jobs/watch-quota';
import { isSubscriptionRefusedError } from '../jobs/subscriptions/subscription-refusal';
import { formatChannelAddress } from '../util/channel-address';
import { CLOUD_OF_KIND, kindTakesNoId } from '../providers/kinds';
import { isProviderError, ProviderError } from '../providers/errors';
import { LATEST_TASK_ID, type ProviderRegistry, type TaskKind, type TaskRef, type TaskStatus } from '../providers/types';
import {
  describeParseError,
  describeProviderError,
  durationStatsText,
  helpText,
  INTERNAL_ERROR_TEXT,
  missingRegionText,
  mutedText,
  subscribedText,
  subscriptionLimitText,
  subscriptionRefusalText,
  subscriptionListText,
  STATS_UNAVAILABLE_TEXT,
  SUBSCRIPTIONS_UNAVAILABLE_TEXT,
  unmutedText,
  unsubscribedText,
  unwatchedText,
  watchingText,
  watchLimitText,
  watchListText,
  WATCHING_UNAVAILABLE_TEXT,
} from './messages';
import { parseCommand } from './parse-command';
import type { Command, CommandContext, CommandOutcome, CommandResult, CommandServices, QueryFailure, StatsCommand, TaskSelection } from './types';

/** The ID a TCSS reference carries, since TCSS reports the account's latest task and takes no ID. */
export { LATEST_TASK_ID };

/** What {@link queryTasks} found. */
export interface QueryOutcome {
  /** One status per task, grouped by provider call, in the order the refs first named each group. */
  readonly statuses: TaskStatus[];
  readonly failures: QueryFailure[];
}

interface QueryGroup {
  readonly kind: TaskKind;
  readonly account: string | undefined;
  readonly region: string | undefined;
  readonly refs: TaskRef[];
}

function errorResult(text: string): CommandResult {
  return { type: 'error', visibility: 'ephemeral', text };
}

/** The region a ref will be queried in: its own, else the account's default, else none. */
function resolveRegion(providers: ProviderRegistry, kind: TaskKind, region: string | undefined, account: string | undefined): string | undefined {
  return region ?? providers.defaultRegion(kind, account) ?? undefined;
}

/**
 * Queries tasks of any kinds, one provider call group per kind, account and region (a provider
 * splits IDs beyond its per-call maximum itself). Whole-call {@link ProviderError}s become
 * failures naming the refs they hit; any other error is thrown. Also used to re-query a reply
 * (e.g. Slack's "Refresh" button).
 */
export async function queryTasks(refs: readonly TaskRef[], providers: ProviderRegistry): Promise<QueryOutcome> {
  const groups = new Map<string, QueryGroup>();
  for (const ref of refs) {
    const region = resolveRegion(providers, ref.kind, ref.region, ref.account);
    const key = JSON.stringify([ref.kind, ref.account ?? null, region ?? null]);
    let group = groups.get(key);
    if (!group) {
      group = { kind: ref.kind, account: ref.account, region, refs: [] };
      groups.set(key, group);
    }
    group.refs.push(ref);
  }

  const answers = await Promise.all(
    [...groups.values()].map(async (group): Promise<QueryOutcome> => {
      try {
        const provider = providers.get(group.kind, group.account);
        if (provider.requiresRegion && group.region === undefined) {
          const error = new ProviderError({ code: 'invalid_request', facts: { fact: 'region_needed', kind: group.kind }, retryable: false });
          return { statuses: [], failures: [{ refs: group.refs, error }] };
        }
        const ids = provider.takesId ? [...new Set(group.refs.map((ref) => ref.id))] : [];
        const statuses = await provider.describe(ids, group.region !== undefined ? { region: group.region } : {});
        return { statuses, failures: [] };
      } catch (error) {
        if (isProviderError(error)) return { statuses: [], failures: [{ refs: group.refs, error }] };
        throw error;
      }
    }),
  );
  return {
    statuses: answers.flatMap((answer) => answer.statuses),
    failures: answers.flatMap((answer) => answer.failures),
  };
}

/** Turns a selection into refs: one per ID, or the single "latest" ref of an ID-less kind. */
function refsOf(selection: TaskSelection, region: string | undefined): TaskRef[] {
  const ids = selection.ids.length > 0 ? selection.ids : [LATEST_TASK_ID];
  return ids.map((id) => ({
    kind: selection.kind,
    id,
    ...(region !== undefined ? { region } : {}),
    ...(selection.account !== undefined ? { account: selection.account } : {}),
  }));
}

/**
 * The missing-region reply when the kind needs a region and neither the command nor the
 * account supplies one; null otherwise. Throws the registry's ProviderError (e.g. not configured).
 */
function missingRegion(selection: TaskSelection, region: string | undefined, providers: ProviderRegistry): string | null {
  const provider = providers.get(selection.kind, selection.account);
  return provider.requiresRegion && region === undefined ? missingRegionText(selection.kind) : null;
}

async function runQuery(selection: TaskSelection, services: CommandServices): Promise<CommandResult> {
  const region = resolveRegion(services.providers, selection.kind, selection.region, selection.account);
  try {
    const problem = missingRegion(selection, region, services.providers);
    if (problem) return errorResult(problem);
  } catch (error) {
    // An unconfigured cloud is reported by queryTasks as a failure naming the tasks.
    if (!isProviderError(error)) throw error;
  }
  const outcome = await queryTasks(refsOf(selection, region), services.providers);
  return { type: 'statuses', visibility: 'channel', statuses: outcome.statuses, failures: outcome.failures };
}

/** The commands that talk to the subscription service. */
type SubscriptionCommand = Extract<Command, { type: 'subscribe' | 'subscriptions' | 'unsubscribe' | 'unsubscribe-all' | 'mute' | 'unmute' }>;

const SUBSCRIPTION_COMMANDS: ReadonlySet<Command['type']> = new Set(['subscribe', 'subscriptions', 'unsubscribe', 'unsubscribe-all', 'mute', 'unmute']);

function isSubscriptionCommand(command: Command): command is SubscriptionCommand {
  return SUBSCRIPTION_COMMANDS.has(command.type);
}

async function runSubscriptionCommand(command: SubscriptionCommand, context: CommandContext, services: CommandServices): Promise<CommandResult> {
  const subscriptions = services.subscriptions;
  if (!subscriptions) return errorResult(SUBSCRIPTIONS_UNAVAILABLE_TEXT);
  switch (command.type) {
    case 'subscribe': {
      const subscription = await subscriptions.subscribe({
        channel: context.channel,
        kind: command.kind,
        requestedBy: context.userId,
        ...(context.groups && context.groups.length > 0 ? { requestedByGroups: context.groups } : {}),
        ...(command.account !== undefined ? { account: command.account } : {}),
        ...(command.region !== undefined ? { region: command.region } : {}),
        ...(command.domain !== undefined ? { domain: command.domain } : {}),
        ...(command.statuses !== undefined ? { statuses: command.statuses } : {}),
      });
      return { type: 'subscribed', visibility: 'ephemeral', subscription, text: subscribedText(subscription) };
    }
    case 'subscriptions': {
      const list = await subscriptions.list(context.channel);
      return { type: 'subscription-list', visibility: 'ephemeral', subscriptions: list, text: subscriptionListText(list) };
    }
    case 'unsubscribe': {
      const removed = await subscriptions.unsubscribe(context.channel, command.number);
      const count = removed ? 1 : 0;
      return { type: 'unsubscribed', visibility: 'ephemeral', count, text: unsubscribedText(count, false, removed ?? undefined) };
    }
    case 'unsubscribe-all': {
      const count = await subscriptions.unsubscribeAll(context.channel);
      return { type: 'unsubscribed', visibility: 'ephemeral', count, text: unsubscribedText(count, true) };
    }
    case 'mute': {
      const mute = await subscriptions.mute(context.channel, command.durationMs, context.userId);
      return { type: 'muted', visibility: 'ephemeral', mute, text: mutedText(mute) };
    }
    case 'unmute': {
      const outcome = await subscriptions.unmute(context.channel);
      return { type: 'unmuted', visibility: 'ephemeral', ...outcome, text: unmutedText(outcome) };
    }
  }
}

/** `stats`: the remembered durations of the groups the asker may query, only to the asker. */
async function runStats(command: StatsCommand, context: CommandContext, services: CommandServices): Promise<CommandResult> {
  // Decided before reading anything, as for every other command.
  const check = checkStatsAccess(command, context, services.access);
  if (!check.allowed) return errorResult(check.text);
  if (!services.durations) return errorResult(STATS_UNAVAILABLE_TEXT);
  const summaries = await services.durations.summaries(
    (group) =>
      (command.kind === undefined || group.kind === command.kind) &&
      check.scope.some((entry) => entry.cloud === CLOUD_OF_KIND[group.kind] && entry.account === group.account),
  );
  return { type: 'stats', visibility: 'ephemeral', summaries, text: durationStatsText(summaries, command) };
}

async function runWatchCommand(command: Exclude<Command, { type: 'help' | 'query' | 'stats' } | SubscriptionCommand>, context: CommandContext, services: CommandServices): Promise<CommandResult> {
  const watches = services.watches;
  if (!watches) return errorResult(WATCHING_UNAVAILABLE_TEXT);
  switch (command.type) {
    case 'list': {
      const list = await watches.list(context.channel);
      return { type: 'watch-list', visibility: 'ephemeral', watches: list, text: watchListText(list) };
    }
    case 'unwatch-all': {
      const count = await watches.unwatchAll(context.channel);
      return { type: 'unwatched', visibility: 'ephemeral', count, text: unwatchedText(count, true) };
    }
    case 'unwatch': {
      // Resolve the default region as `watch` did, so `unwatch dts X` finds `watch dts X`.
      const region = resolveRegion(services.providers, command.kind, command.region, command.account);
      const count = await watches.unwatch(context.channel, refsOf(command, region));
      return { type: 'unwatched', visibility: 'ephemeral', count, text: unwatchedText(count, false) };
    }
    case 'watch': {
      const region = resolveRegion(services.providers, command.kind, command.region, command.account);
      const problem = missingRegion(command, region, services.providers);
      if (problem) return errorResult(problem);
      const started = await watches.watch({
        refs: refsOf(command, region),
        channel: context.channel,
        requestedBy: context.userId,
        ...(command.progress ? { progress: command.progress } : {}),
      });
      await noteStartedWatches(context, services, started.map((summary) => summary.watchId));
      return { type: 'watching', visibility: 'ephemeral', watches: started, text: watchingText(started) };
    }
  }
}

/** Keeps only stack frames ("at ..." lines): they locate a bug without repeating its message. */
function stackFrames(error: unknown): string[] {
  if (!(error instanceof Error) || typeof error.stack !== 'string') return [];
  return error.stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 8)
    .map((line) => line.trim());
}

/**
 * Runs one parsed command. Never rejects: a {@link ProviderError} from a query becomes a
 * failure in the `statuses` result (or an error reply where there is no result to attach it to);
 * any other error becomes a generic error reply and is logged without its message.
 */
export async function handleCommand(command: Command, context: CommandContext, services: CommandServices): Promise<CommandResult> {
  const result = await runHandler(command, context, services);
  services.observer?.commandCompleted({
    platform: context.platform,
    command: command.type,
    kind: 'kind' in command ? (command.kind ?? null) : null,
    outcome: outcomeOf(result),
  });
  return result;
}

function outcomeOf(result: CommandResult): CommandOutcome['outcome'] {
  if (result.type === 'error') return 'error';
  if (result.type === 'statuses' && result.failures.length > 0) return result.statuses.length > 0 ? 'partial' : 'error';
  return 'ok';
}

/** Whom a chat user's watches count against. */
function requesterOf(context: CommandContext): QuotaRequester {
  return { scope: 'user', id: `${context.platform}:${context.userId}` };
}

/** How many watches a watch of `selection` starts (TCSS: the latest task, one). */
function watchCount(selection: Pick<TaskSelection, 'kind' | 'ids'>): number {
  return kindTakesNoId(selection.kind) ? 1 : selection.ids.length;
}

/**
 * The usage limit a command is subject to, as a check resolving to its refusal text or null;
 * null when none applies. `consume: false` only looks (the watch that follows counts itself).
 */
function limitOf(command: Command, context: CommandContext, services: CommandServices, consume = true): ((account: string | null) => Promise<string | null>) | null {
  const limits = services.limits;
  if (command.type === 'watch' && limits?.watches) {
    const watches = limits.watches;
    return async () => {
      const decision = await watches.admit(requesterOf(context), formatChannelAddress(context.channel), watchCount(command), { consume });
      return decision.allowed ? null : watchLimitText(decision);
    };
  }
  if (command.type === 'subscribe' && limits?.subscriptionsPerChannel !== undefined && services.subscriptions) {
    const max = limits.subscriptionsPerChannel;
    const subscriptions = services.subscriptions;
    return async () => ((await subscriptions.list(context.channel)).length >= max ? subscriptionLimitText(max) : null);
  }
  return null;
}

/**
 * Applies the access gate and the usage limits, when there are any: a refused command becomes
 * its refusal text (one audit line either way), and an allowed one carries the resolved
 * account, so the registry is asked for exactly the account that was authorized (a channel's
 * default account included). Limits are checked after access and before any provider call.
 */
async function gate(command: Command, context: CommandContext, services: CommandServices): Promise<{ readonly command: Command } | { readonly refusal: string }> {
  // stats may cover both clouds at once; runStats decides it (and audits it) per cloud.
  if (command.type === 'stats') return { command };
  const limit = limitOf(command, context, services);
  if (!services.access && !limit) return { command };
  const check = await checkCommandAccessAndLimit(command, context, services.access, limit ?? (async () => null));
  if (!check.allowed) return { refusal: check.text };
  if (check.account === null || !('kind' in command)) return { command };
  return { command: { ...command, account: check.account } };
}

/**
 * Looks, without counting, whether a watch of `selection` is within the watch limits; its
 * refusal text or null. For adapters that query before they watch, so that a refused watch
 * reaches no cloud (the watch itself is then checked and audited by {@link handleCommand}).
 */
export async function watchLimitRefusal(selection: TaskSelection, context: CommandContext, services: CommandServices): Promise<string | null> {
  const limit = limitOf({ type: 'watch', ...selection }, context, services, false);
  return limit ? limit(null) : null;
}

/** Notes watches a chat user started, so they count against the user's active limit until they end. */
export async function noteStartedWatches(context: CommandContext, services: CommandServices, watchIds: readonly string[]): Promise<void> {
  await services.limits?.watches?.started(requesterOf(context), watchIds);
}

async function runHandler(requested: Command, context: CommandContext, services: CommandServices): Promise<CommandResult> {
  let command = requested;
  try {
    // Decided before anything else, and before any provider call, watch or subscription.
    const gated = await gate(requested, context, services);
    if ('refusal' in gated) return errorResult(gated.refusal);
    command = gated.command;
    switch (command.type) {
      case 'help':
        return { type: 'help', visibility: 'ephemeral', text: helpText() };
      case 'query':
        return await runQuery(command, services);
      case 'stats':
        return await runStats(command, context, services);
      default:
        if (isSubscriptionCommand(command)) return await runSubscriptionCommand(command, context, services);
        return await runWatchCommand(command, context, services);
    }
  } catch (error) {
    if (isSubscriptionRefusedError(error)) return errorResult(subscriptionRefusalText(error.facts));
    if (isProviderError(error)) {
      if (command.type === 'watch' || command.type === 'unwatch') return errorResult(describeProviderError(error, refsOf(command, command.region), command.type));
      return errorResult(describeProviderError(error));
    }
    services.log?.error(
      { event: 'command_failed', command: command.type, platform: context.platform, errorName: error instanceof Error ? error.name : typeof error, stack: stackFrames(error) },
      'command handler failed',
    );
    return errorResult(INTERNAL_ERROR_TEXT);
  }
}

/** Parses and runs a command's text; a parse error becomes an ephemeral error reply. */
export async function runCommandText(text: string, context: CommandContext, services: CommandServices): Promise<CommandResult> {
  const parsed = parseCommand(text);
  if (!parsed.ok) {
    services.observer?.commandCompleted({ platform: context.platform, command: 'invalid', kind: parsed.error.kind ?? null, outcome: 'error' });
    if (services.access) auditInvalidCommand(parsed.error, context, services.access);
    return errorResult(describeParseError(parsed.error));
  }
  return handleCommand(parsed.command, context, services);
}
