/**
 * The one place that turns parse-error identifiers, provider errors and command outcomes into
 * user-facing sentences. Plain text only: chat adapters add formatting and escape it for their
 * platform. The only user input ever quoted is a token the parser already cut (see `cut-token.ts`).
 */
import { kindDescriptor, kindTakesNoId, subscribableKinds, type KindDescriptor, type KindSubscription } from '../providers/kinds';
import { TASK_KINDS, type CloudName, type TaskKind, type TaskRef } from '../providers/types';
import type { ProviderError, ProviderErrorCode, ProviderFailureFacts } from '../providers/errors';
import type { WatchSummary } from '../jobs/watch-service';
import type { QuotaDecision } from '../jobs/watch-quota';
import { MAX_MUTE_MS, type MuteState, type SubscriptionSummary, type UnmuteOutcome } from '../jobs/subscriptions/subscription-service';
import type { SubscriptionRefusal } from '../jobs/subscriptions/subscription-refusal';
import { formatDuration } from '../util/duration';
import { MAX_COMMAND_LENGTH, MAX_IDS_PER_COMMAND } from './parse-command';
import type { Command, ParseError, QueryFailure, StatsCommand } from './types';
import type { DurationGroup, DurationSummary } from '../jobs/durations/duration-group';
import { DURATION_SAMPLE_SIZE } from '../jobs/durations/duration-store';

/** The slash command every usage line starts with. */
export const COMMAND_NAME = '/task-status';

/** The general form of a query. */
export const QUERY_USAGE = `${COMMAND_NAME} <kind> <id> [<id> ...] [region=<region>] [account=<name>]`;

/** The kind help texts and general replies take their examples from: the first in help order. */
const EXAMPLE_KIND: TaskKind = TASK_KINDS[0] as TaskKind;

/** `subscribe <kind>` with the options the kind takes, e.g. `subscribe tcss [account=<name>]`. */
function subscribeForm(descriptor: KindDescriptor, area: (areas: readonly string[]) => string): string {
  const filters = descriptor.subscription as KindSubscription;
  return [
    `${COMMAND_NAME} subscribe ${descriptor.kind}`,
    filters.filtersByDomain ? '[domain=<host>]' : null,
    filters.statuses.length > 0 ? `[status=${filters.exampleStatuses ?? filters.statuses[0]}]` : null,
    filters.areas.length > 0 ? `[region=${area(filters.areas)}]` : null,
    '[account=<name>]',
  ]
    .filter((part): part is string => part !== null)
    .join(' ');
}

/** The product name of a kind in sentences, e.g. `DTS`. */
const productName = (kind: TaskKind): string => kindDescriptor(kind).productName;

/** A full example command for a kind, e.g. `/task-status redis 18215 region=ap-guangzhou`. */
export function exampleFor(kind: TaskKind, subcommand: 'query' | 'watch' | 'unwatch' = 'query'): string {
  const prefix = subcommand === 'query' ? COMMAND_NAME : `${COMMAND_NAME} ${subcommand}`;
  return `${prefix} ${kindDescriptor(kind).exampleArguments}`;
}

/** The usage line of a subcommand, or of a query for a given kind. */
export function usageFor(subcommand: Command['type'] | undefined, kind?: TaskKind): string {
  switch (subcommand) {
    case 'watch':
      return kind ? `Usage: ${exampleFor(kind, 'watch')}` : `Usage: ${COMMAND_NAME} watch <kind> <id> [<id> ...] [region=<region>] [progress=thread]`;
    case 'unwatch':
      return kind ? `Usage: ${exampleFor(kind, 'unwatch')}` : `Usage: ${COMMAND_NAME} unwatch <kind> <id> [<id> ...], or ${COMMAND_NAME} unwatch all`;
    case 'unwatch-all':
      return `Usage: ${COMMAND_NAME} unwatch all`;
    case 'list':
      return `Usage: ${COMMAND_NAME} list`;
    case 'help':
      return `Usage: ${COMMAND_NAME} help`;
    case 'subscribe':
      return `Usage: ${subscribableKinds()
        .map((descriptor) => subscribeForm(descriptor, (areas) => `<${areas.join('|')}>`))
        .join(', or ')}`;
    case 'subscriptions':
      return `Usage: ${COMMAND_NAME} subscriptions`;
    case 'unsubscribe':
    case 'unsubscribe-all':
      return `Usage: ${COMMAND_NAME} unsubscribe <n> (the number ${COMMAND_NAME} subscriptions shows), or ${COMMAND_NAME} unsubscribe all`;
    case 'mute':
      return `Usage: ${COMMAND_NAME} mute <duration>, e.g. ${COMMAND_NAME} mute 2h (at most ${formatDuration(MAX_MUTE_MS)})`;
    case 'unmute':
      return `Usage: ${COMMAND_NAME} unmute`;
    case 'stats':
      return `Usage: ${COMMAND_NAME} stats [<kind>] [account=<name>], e.g. ${COMMAND_NAME} stats redis account=production`;
    default:
      return kind ? `Usage: ${QUERY_USAGE}\nExample: ${exampleFor(kind)}` : `Usage: ${QUERY_USAGE}`;
  }
}

/** The help reply: usage, one example per kind, and the watch commands. */
export function helpText(): string {
  const kindLines = TASK_KINDS.map((kind) => `  ${kind.padEnd(6)} ${kindDescriptor(kind).description}\n         e.g. ${exampleFor(kind)}`);
  return [
    `Check on asynchronous cloud tasks.`,
    ``,
    `Query now:  ${QUERY_USAGE}`,
    `IDs may be separated by spaces or commas. --region <region> works too.`,
    ``,
    `Kinds:`,
    ...kindLines,
    ``,
    `Watch and get a thread reply on every state change:`,
    `  ${COMMAND_NAME} watch <kind> <id> [<id> ...]      e.g. ${exampleFor(EXAMPLE_KIND, 'watch')}`,
    `  ${COMMAND_NAME} watch ... progress=thread        also post every progress step in the thread`,
    `  ${COMMAND_NAME} unwatch <kind> <id> [<id> ...]`,
    `  ${COMMAND_NAME} unwatch all                      stop every watch in this channel`,
    `  ${COMMAND_NAME} list                             this channel's watches`,
    ``,
    `Be told about new tasks without asking:`,
    ...subscribableKinds().map((descriptor) => `  ${subscribeForm(descriptor, () => '<area>')}`),
    `  ${COMMAND_NAME} subscriptions                    this channel's subscriptions, numbered`,
    `  ${COMMAND_NAME} unsubscribe <n> | all`,
    `  ${COMMAND_NAME} mute <duration> | unmute          pause notifications; one summary afterwards`,
    ``,
    `How long tasks usually take (only you see the answer):`,
    `  ${COMMAND_NAME} stats [<kind>] [account=<name>]   count, median, 95th percentile, failures, slowest`,
  ].join('\n');
}

const KIND_LIST = TASK_KINDS.join(', ');

function quoted(token: string | undefined): string {
  return token === undefined ? '' : `"${token}"`;
}

function didYouMean(suggestion: string | undefined): string {
  return suggestion ? ` Did you mean "${suggestion}"?` : '';
}

/** Turns a parse error into a short reply that says what was wrong and shows the correct form. */
export function describeParseError(error: ParseError): string {
  const usage = usageFor(error.subcommand, error.kind);
  const kindLabel = error.kind ? productName(error.kind) : 'task';
  switch (error.code) {
    case 'too_long':
      return `That command is too long (over ${MAX_COMMAND_LENGTH} characters).\n${usageFor('query')}`;
    case 'unknown_kind':
      return `Unknown task kind ${quoted(error.token)}.${didYouMean(error.suggestion)} Kinds: ${KIND_LIST}.\n${usage}`;
    case 'missing_kind':
      return error.token
        ? `Put the task kind before ${quoted(error.token)}. Kinds: ${KIND_LIST}.\n${usage}`
        : `Name a task kind. Kinds: ${KIND_LIST}.\n${usage}`;
    case 'missing_id':
      return `${kindLabel} needs at least one task ID.\n${usage}`;
    case 'unexpected_id':
      if (error.kind !== undefined && kindTakesNoId(error.kind)) return `${error.kind} takes no task ID: ${kindDescriptor(error.kind).idShape}.\nUsage: ${COMMAND_NAME} ${error.kind}`;
      return `Nothing may follow "${error.subcommand === 'unwatch-all' ? 'unwatch all' : (error.subcommand ?? 'this command')}", but ${quoted(error.token)} did.\n${usage}`;
    case 'empty_id':
      return `A task ID is empty.\n${usage}`;
    case 'id_too_long':
      return `Task ID ${quoted(error.token)} is too long: task IDs are at most 128 characters.\n${usage}`;
    case 'invalid_id':
      return `${quoted(error.token)} is not a valid ${kindLabel} task ID. ${error.kind ? kindDescriptor(error.kind).idShape : ''}.\n${usage}`;
    case 'too_many_ids':
      return `Too many task IDs: at most ${MAX_IDS_PER_COMMAND} per command.\n${usage}`;
    case 'unknown_option':
      if (error.subcommand === 'stats') return `Unknown option ${quoted(error.token)}.${didYouMean(error.suggestion)} stats takes only account=<name>.\n${usage}`;
      if (error.subcommand === 'watch') return `Unknown option ${quoted(error.token)}.${didYouMean(error.suggestion)} Options: region=<region>, account=<name>, progress=card|thread.\n${usage}`;
      return `Unknown option ${quoted(error.token)}.${didYouMean(error.suggestion)} Options: region=<region>, account=<name>.\n${usage}`;
    case 'invalid_option':
      if (error.option === 'domain' || error.option === 'status' || error.option === 'area') return describeSubscribeOption(error.option, error.token, usage, error.kind);
      if (error.option === 'progress') {
        return `${error.token === undefined ? 'progress needs a value' : `${quoted(error.token)} is not a progress setting`}: progress=card (the default) only edits the card, progress=thread also posts every progress step in the thread.\n${usage}`;
      }
      if (error.token === undefined) return `${error.option ?? 'The option'} needs a value, e.g. ${error.option === 'account' ? 'account=prod' : 'region=ap-guangzhou'}.\n${usage}`;
      return error.option === 'region'
        ? `${quoted(error.token)} does not look like a region. Regions look like ap-guangzhou or cn-hangzhou.\n${usage}`
        : `${quoted(error.token)} is not a valid account name: use letters, digits, dot, dash and underscore.\n${usage}`;
    case 'duplicate_option':
      return `${error.option ?? 'An option'} was given twice with different values; give it once.\n${usage}`;
    case 'missing_region':
      return error.kind ? missingRegionText(error.kind) : `This task kind needs a region.\n${usage}`;
    case 'unknown_subcommand':
      return `Unknown command ${quoted(error.token)}.${didYouMean(error.suggestion)} Try ${COMMAND_NAME} help.`;
    case 'unsupported_subscription_kind':
      return `Subscriptions cover ${subscribableKinds()
        .map((descriptor) => `${descriptor.kind} (${descriptor.subscription?.label ?? ''})`)
        .join(', ')}, not ${error.kind ?? quoted(error.token)}. To follow one task, use ${COMMAND_NAME} watch.\n${usage}`;
    case 'invalid_subscription_number':
      return `${error.token ? `${quoted(error.token)} is not a subscription number.` : 'Say which subscription to remove.'} ${COMMAND_NAME} subscriptions shows the numbers.\n${usage}`;
    case 'invalid_duration':
      return error.token
        ? `${quoted(error.token)} is not a duration from 1s to ${formatDuration(MAX_MUTE_MS)}, e.g. 30m, 2h, 1d.\n${usage}`
        : `Say how long to mute, e.g. 30m, 2h, 1d.\n${usage}`;
  }
}

function describeSubscribeOption(option: 'domain' | 'status' | 'area', token: string | undefined, usage: string, kind: TaskKind | undefined): string {
  if (option === 'domain') return `${token ? `${quoted(token)} is not a host name.` : 'domain needs a value.'} Use a host, e.g. domain=www.example.com.\n${usage}`;
  // The kind's own filters, or, when no kind was named, those of the first kind that has them.
  const descriptor = kind !== undefined ? kindDescriptor(kind) : subscribableKinds().find((candidate) => (candidate.subscription?.statuses.length ?? 0) > 0);
  const filters = descriptor?.subscription;
  const label = descriptor?.taskLabel ?? 'task';
  if (option === 'status') {
    const statuses = filters?.statuses ?? [];
    return `${token ? `${quoted(token)} is not a ${label} status.` : 'status needs a value.'} Statuses: ${statuses.join(', ')}, e.g. status=${filters?.exampleStatuses ?? statuses[0] ?? ''}.\n${usage}`;
  }
  const product = descriptor?.productName ?? 'This kind';
  return `${token ? quoted(token) : 'That'} is not a ${filters?.areaLabel ?? 'area'}: ${product} has no cloud region; use region=${(filters?.areas ?? []).join('|')}.\n${usage}`;
}

function describeSubscription(subscription: SubscriptionSummary): string {
  const filters = [
    subscription.domain ? `domain ${subscription.domain}` : null,
    subscription.statuses.length > 0 ? `status ${subscription.statuses.join(',')}` : null,
    subscription.region ? `area ${subscription.region}` : null,
    subscription.account !== 'default' ? `account ${subscription.account}` : null,
  ].filter((part): part is string => part !== null);
  const what = kindDescriptor(subscription.kind).subscription?.label ?? `${kindDescriptor(subscription.kind).taskLabel} tasks`;
  return `${subscription.number}. ${what}${filters.length > 0 ? ` (${filters.join(', ')})` : ''}`;
}

/** The reply after `subscribe`. */
export function subscribedText(subscription: SubscriptionSummary): string {
  return `Subscribed: ${describeSubscription(subscription)}. Each new matching task gets a status card here, with its changes in the thread. ${COMMAND_NAME} unsubscribe ${subscription.number} stops it.`;
}

/** A subscription worth suggesting: the first kind with a status filter, filtered by its example statuses. */
const SUBSCRIBE_EXAMPLE = ((): string => {
  const descriptor = subscribableKinds().find((candidate) => (candidate.subscription?.statuses.length ?? 0) > 0) ?? subscribableKinds()[0];
  if (!descriptor) return `${COMMAND_NAME} help`;
  const statuses = descriptor.subscription?.exampleStatuses;
  return `${COMMAND_NAME} subscribe ${descriptor.kind}${statuses ? ` status=${statuses}` : ''}`;
})();

/** The reply to `subscriptions`. */
export function subscriptionListText(subscriptions: readonly SubscriptionSummary[]): string {
  if (subscriptions.length === 0) return `This channel has no subscriptions. Start with ${SUBSCRIBE_EXAMPLE}`;
  return [
    `This channel's subscriptions:`,
    ...subscriptions.map((subscription) => `  ${describeSubscription(subscription)}${subscription.suspended ? ` (suspended: ${SUSPENSION_WORDS[subscription.suspended]}; subscribe again to resume)` : ''}`),
  ].join('\n');
}

const SUSPENSION_WORDS: Readonly<Record<NonNullable<SubscriptionSummary['suspended']>, string>> = {
  channel_not_allowed: 'this channel may no longer use the account',
  user_not_allowed: 'whoever subscribed may no longer use the account',
  unknown_account: 'the account is no longer configured',
};

/** The reply after `unsubscribe`. */
export function unsubscribedText(count: number, all: boolean, removed?: SubscriptionSummary): string {
  if (count === 0) return all ? 'This channel has no subscriptions.' : `There is no subscription with that number; ${COMMAND_NAME} subscriptions shows them.`;
  if (removed) return `Unsubscribed: ${describeSubscription(removed)}.`;
  return `Removed ${count === 1 ? '1 subscription' : `${count} subscriptions`} from this channel.`;
}

/** The reply after `mute`. */
export function mutedText(mute: MuteState): string {
  return `Muted until ${mute.until.slice(0, 16).replace('T', ' ')} UTC. Notifications are held meanwhile, not lost: one summary follows when the mute ends (or on ${COMMAND_NAME} unmute).`;
}

/** The reply after `unmute`. */
export function unmutedText(outcome: UnmuteOutcome): string {
  if (!outcome.wasMuted) return 'This channel is not muted.';
  if (outcome.heldCount === 0) return 'Unmuted. Nothing was held while the channel was muted.';
  return `Unmuted. A summary of ${outcome.heldCount === 1 ? '1 held task' : `${outcome.heldCount} held tasks`} is on its way to the channel.`;
}

/** The reply to subscription commands where subscriptions are not available. */
export const SUBSCRIPTIONS_UNAVAILABLE_TEXT = 'Subscriptions and mutes are not available here (they need the watch engine).';

/** The reply when a region-scoped kind got no region and the account has no default one. */
export function missingRegionText(kind: TaskKind): string {
  return `${productName(kind)} needs a region: add region=<region>, e.g. ${exampleFor(kind)}. An operator can also set a default region for the account.`;
}

/** The reply to watch commands where no watch engine runs. */
export const WATCHING_UNAVAILABLE_TEXT = 'Watching is not available yet. You can still query a task now, e.g. ' + exampleFor(EXAMPLE_KIND) + '.';

/**
 * The reply to a button that cannot be read (made by an older taskwatch, or forged): run the
 * command again, or its `watch` form for a Watch button.
 */
export function buttonExpiredText(subcommand?: 'watch'): string {
  return `This button no longer works. Run ${COMMAND_NAME}${subcommand ? ` ${subcommand}` : ''} again.`;
}

/** The reply when something failed on taskwatch's side; says nothing about the cause. */
export const INTERNAL_ERROR_TEXT = 'Something went wrong on our side, and the command did not finish. Please try again; if it keeps happening, tell the operators.';

/**
 * Whether and when retrying helps, per error code: the one advice table for command replies
 * and query cards alike (`chat/render/provider-failure-text.ts` reads it).
 */
export const RETRY_ADVICE: Readonly<Record<ProviderErrorCode, string>> = {
  throttled: 'This is temporary: try again in a few seconds.',
  auth_failed: 'Retrying will not help: the cloud credentials taskwatch uses were refused; ask an admin to check them.',
  permission_denied: 'Retrying will not help: the credentials lack permission for this API; ask an admin to grant it.',
  invalid_request: 'Retrying will not help: check the task ID, region and account.',
  not_found: 'Retrying will not help: check the task ID, region and account.',
  unavailable: 'This is probably temporary: try again in a minute.',
  timeout: 'This is probably temporary: try again in a minute.',
  not_configured: 'Retrying will not help: no credentials are configured for this cloud; ask an admin to add them.',
  internal: 'Try again; if it keeps failing, tell the taskwatch admins.',
};

const CLOUD_NAMES: Readonly<Record<CloudName, string>> = { tencent: 'Tencent Cloud', alibaba: 'Alibaba Cloud' };

/** Where to put each cloud's environment credentials. */
const CREDENTIAL_VARIABLES: Readonly<Record<CloudName, string>> = {
  tencent: 'TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY',
  alibaba: 'ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET',
};

/** What the credentials of each cloud are called in a sentence. */
const CREDENTIAL_NAMES: Readonly<Record<CloudName, string>> = { tencent: 'SecretId and SecretKey', alibaba: 'AccessKey ID and secret' };

/** Formats a timeout for messages, e.g. 10000 -> "10 s", 250 -> "0.25 s". */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))} s`;
}

/** The parts of a {@link ProviderError} its words are made of (a ProviderError is one). */
export interface ProviderFailure {
  readonly code: ProviderErrorCode;
  readonly facts: ProviderFailureFacts;
  readonly providerCode?: string | undefined;
  readonly requestId?: string | undefined;
  readonly httpStatus?: number | undefined;
  readonly api?: string | undefined;
}

/**
 * What went wrong in a provider call, in one sentence: the one place a {@link ProviderError}'s
 * facts become words (providers hand up only codes and facts). Quotes only codes, RequestIds,
 * API names and the cut token of an ID, never an SDK message. A missing region is told the way
 * `surface` takes it: a chat command's `region=` with an example, or the CLI's older form.
 */
export function providerFailureText(error: ProviderFailure, surface: 'chat' | 'cli' = 'chat'): string {
  const { facts } = error;
  switch (facts.fact) {
    case 'vendor_code': {
      const cloud = CLOUD_NAMES[facts.cloud];
      const code = error.providerCode ?? 'unknown';
      const reference = error.requestId ? `${code}, RequestId ${error.requestId}` : code;
      const api = error.api ?? 'this API';
      switch (error.code) {
        case 'throttled':
          return `${cloud} is throttling ${api} (${reference}); try again shortly.`;
        case 'auth_failed':
          return facts.meaning === 'clock_refused'
            ? `${cloud} refused the request's timestamp (${reference}): check this machine's clock.`
            : `${cloud} refused the credentials (${reference}): check the ${CREDENTIAL_NAMES[facts.cloud]}.`;
        case 'permission_denied':
          return `These ${cloud} credentials are not allowed to call ${api} (${reference}).`;
        case 'not_found':
          return facts.meaning === 'aged_out' ? `DCDN no longer has this task: it keeps only the last 3 days (${reference}).` : `${cloud} found no such resource (${reference}).`;
        case 'invalid_request':
          return `${cloud} rejected the request (${reference}).`;
        case 'unavailable':
          return `${cloud} had an internal error (${reference}); try again later.`;
        default:
          return `${cloud} answered with error ${reference}.`;
      }
    }
    case 'http_status': {
      const requestId = facts.withRequestId && error.requestId ? ` (RequestId ${error.requestId})` : '';
      return `${CLOUD_NAMES[facts.cloud]} answered HTTP ${error.httpStatus ?? 'with an error status'}${requestId}; try again later.`;
    }
    case 'unreadable_answer': {
      const cloud = CLOUD_NAMES[facts.cloud];
      const service = facts.service ? `${cloud} ${facts.service}` : cloud;
      switch (facts.flaw) {
        case 'not_api_response':
          return `${cloud} answered with something that is not a readable API response; try again later.`;
        case 'not_json':
          return `${cloud} answered with something that is not JSON (an error page?); try again later.`;
        case 'no_response_object':
          return `${cloud} answered without a Response object; try again later.`;
        case 'no_request_id':
          return `${cloud} answered without a RequestId; try again later.`;
        case 'no_task_list':
          return `${service} answered without a task list; try again later.`;
        case 'unreadable_field':
          return `${service} answered with unreadable ${facts.field ?? 'data'}; try again later.`;
        case 'no_answer':
          return `Could not get an answer from ${cloud}; try again later.`;
      }
      break;
    }
    case 'unreachable':
      return error.providerCode ? `Could not reach ${CLOUD_NAMES[facts.cloud]} (${error.providerCode}).` : `Could not reach ${CLOUD_NAMES[facts.cloud]}.`;
    case 'timed_out':
      return `${CLOUD_NAMES[facts.cloud]} did not answer within ${formatSeconds(facts.timeoutMs)}.`;
    case 'cancelled':
      return `The ${CLOUD_NAMES[facts.cloud]} call was cancelled before it answered.`;
    case 'budget_given_up':
      return 'Gave up waiting for the API rate budget.';
    case 'window_reversed':
      return 'The listing window must start before it ends.';
    case 'invalid_task_id': {
      const label = productName(facts.kind);
      switch (facts.problem) {
        case 'empty_id':
          return `A ${label} task ID cannot be empty.`;
        case 'id_too_long':
          return `A ${label} task ID cannot be longer than ${facts.maxLength} characters.`;
        case 'not_whole_number':
          return `${label} task IDs are whole numbers; "${facts.shown}" is not one.`;
        case 'not_token':
          // Token IDs are letters, digits, '.', '_' and '-' (see providers/validate-id.ts).
          return `${label} task IDs use only letters, digits, ".", "_" and "-"; "${facts.shown}" is not one.`;
      }
      break;
    }
    case 'region_needed':
      return surface === 'chat' ? missingRegionText(facts.kind) : `${productName(facts.kind)} needs a region: add region=<region> (e.g. ap-guangzhou)`;
    case 'no_credentials':
      return facts.account !== undefined
        ? `No ${CLOUD_NAMES[facts.cloud]} account named "${facts.account}" is configured: add it to the accounts file (TASKWATCH_CONFIG).`
        : `No ${CLOUD_NAMES[facts.cloud]} credentials: set ${CREDENTIAL_VARIABLES[facts.cloud]}`;
  }
  // Facts read back from storage that this release does not know: say only the code.
  return `The cloud call failed (${error.code}).`;
}

/** Lists task IDs for a sentence, cutting long lists with "and N more". */
function describeRefs(refs: readonly TaskRef[]): string {
  const first = refs[0];
  if (first === undefined) return 'the tasks';
  const label = productName(first.kind);
  if (kindTakesNoId(first.kind)) return `${label} latest task`;
  const shown = refs.slice(0, 5).map((ref) => ref.id);
  const more = refs.length > shown.length ? ` and ${refs.length - shown.length} more` : '';
  return `${label} ${shown.join(', ')}${more}`;
}

/** Turns a provider error into a reply: what failed, why, and whether retrying helps. */
export function describeProviderError(error: ProviderError, refs: readonly TaskRef[] = [], action: 'query' | 'watch' | 'unwatch' = 'query'): string {
  const subject = refs.length > 0 ? `Could not ${action} ${describeRefs(refs)}` : `The cloud ${action} failed`;
  const reference = [error.providerCode ? `code ${error.providerCode}` : null, error.requestId ? `RequestId ${error.requestId}` : null]
    .filter((part): part is string => part !== null)
    .join(', ');
  return `${subject}: ${providerFailureText(error)} ${RETRY_ADVICE[error.code]}${reference ? ` (${reference})` : ''}`;
}

/**
 * Text for a subscription the subscription engine refused. Worded as the provider failure it
 * used to be thrown as (a refusal of the request, or of the account), so replies read as before.
 */
export function subscriptionRefusalText(refusal: SubscriptionRefusal): string {
  switch (refusal.reason) {
    case 'not_subscribable':
      return `The cloud query failed: Channels cannot subscribe to ${kindDescriptor(refusal.kind).taskLabel} tasks; watch them one by one instead. ${RETRY_ADVICE.invalid_request}`;
    case 'cannot_list': {
      const what = refusal.scope === 'provider' ? `This ${productName(refusal.kind)} provider cannot list tasks.` : `This ${productName(refusal.kind)} account cannot list ${kindDescriptor(refusal.kind).taskLabel} tasks.`;
      return `The cloud query failed: ${what} ${RETRY_ADVICE.not_configured}`;
    }
  }
}

/** Text for one failure of a query result. */
export function describeQueryFailure(failure: QueryFailure): string {
  return describeProviderError(failure.error, failure.refs);
}

/** How a surface writes a moment for people; `chat/render/time-text.ts` has one per platform. */
export interface TimeStyle {
  /** A date and time, e.g. "today at 15:33" (in the reader's zone where the platform can). */
  at(epochMs: number): string;
  /** A moment relative to now, e.g. "in 5s". */
  fromNow(epochMs: number): string;
}

/** "2026-12-04 15:33 UTC": readable anywhere, and the fallback where a platform has no time markup. */
export function utcText(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The style of a reply that has not reached a surface yet: UTC, written out. */
export const UTC_TIME_STYLE: TimeStyle = { at: utcText, fromNow: utcText };

function describeWatch(summary: WatchSummary, time: TimeStyle): string {
  const { ref } = summary;
  const task = kindTakesNoId(ref.kind) ? ref.kind : `${ref.kind} ${ref.id}`;
  const where = [ref.region ? `region ${ref.region}` : null, ref.account && ref.account !== 'default' ? `account ${ref.account}` : null]
    .filter((part): part is string => part !== null)
    .join(', ');
  const state = summary.state ? `${summary.state}${summary.rawStatus ? ` (${summary.rawStatus})` : ''}` : 'not checked yet';
  const nextCheck = summary.nextCheckAt ? Date.parse(summary.nextCheckAt) : Number.NaN;
  const next = Number.isFinite(nextCheck) ? `, next check ${time.fromNow(nextCheck)}` : '';
  return `${task}${where ? ` [${where}]` : ''}: ${state}${next}`;
}

/** The reply after starting watches, with times in the surface's `time` style. */
export function watchingText(watches: readonly WatchSummary[], time: TimeStyle = UTC_TIME_STYLE): string {
  if (watches.length === 0) return 'Nothing to watch.';
  const noun = watches.length === 1 ? '1 task' : `${watches.length} tasks`;
  return [`Watching ${noun}; each state change will be posted in a thread under its status card.`, ...watches.map((watch) => `  ${describeWatch(watch, time)}`)].join('\n');
}

/** The reply after `unwatch` or `unwatch all`. */
export function unwatchedText(count: number, all: boolean): string {
  if (count === 0) return all ? 'No task is being watched in this channel.' : 'None of those tasks is being watched in this channel.';
  return `Stopped watching ${count === 1 ? '1 task' : `${count} tasks`}${all ? ' in this channel' : ''}.`;
}

/** The reply to `list`, with times in the surface's `time` style. */
export function watchListText(watches: readonly WatchSummary[], time: TimeStyle = UTC_TIME_STYLE): string {
  if (watches.length === 0) return `No task is being watched in this channel. Start with ${exampleFor(EXAMPLE_KIND, 'watch')}`;
  return [`Watching ${watches.length === 1 ? '1 task' : `${watches.length} tasks`} in this channel:`, ...watches.map((watch) => `  ${describeWatch(watch, time)}`)].join('\n');
}

/** The refusal of a watch a limit does not allow: which limit, and how to make room. */
export function watchLimitText(decision: Extract<QuotaDecision, { allowed: false }>): string {
  const room = `See this channel's watches with ${COMMAND_NAME} list and end some with ${COMMAND_NAME} unwatch, or wait for them to end.`;
  switch (decision.limit) {
    case 'active_per_channel':
      return `This channel already has its limit of ${decision.max} active watches. ${room}`;
    case 'active_per_user':
    case 'active_per_token':
      return `You already have your limit of ${decision.max} active watches. ${room}`;
    case 'new_per_minute_per_user':
    case 'new_per_minute_per_token':
      return `You may start at most ${decision.max} watches a minute. Try again in ${decision.retryAfterSeconds ?? 60} s.`;
  }
}

/** The refusal of a subscription past the channel's limit. */
export function subscriptionLimitText(max: number): string {
  return `This channel already has its limit of ${max} subscriptions. See them with ${COMMAND_NAME} subscriptions and remove one with ${COMMAND_NAME} unsubscribe <n>.`;
}

/** The reply to `stats` where the watch engine is not running (so nothing is remembered). */
export const STATS_UNAVAILABLE_TEXT = 'Task durations are not available here: they are remembered by the watch engine, which is not running.';

/** Words for a group: "redis FLUSH_INSTANCE on production", "cdn mainland, 2-10 URLs on default". */
export function durationGroupText(group: DurationGroup): string {
  const things = kindDescriptor(group.kind).itemNoun?.many ?? 'items';
  const size = group.size === null ? '' : `, ${group.size} ${group.size === '1' ? things.slice(0, -1) : things}`;
  return `${group.kind}${group.subtype ? ` ${group.subtype}` : ''}${size} on ${group.account}`;
}

/** One line of `stats` per group. */
function durationSummaryLine(summary: DurationSummary): string {
  const failed = Math.round(summary.failureRate * 100);
  const slowest = `slowest recent: ${summary.group.kind} ${summary.slowest.taskId}, ${formatDuration(summary.slowest.durationMs)}${summary.slowest.failed ? ' (failed)' : ''}`;
  return `• ${durationGroupText(summary.group)}: ${summary.count} ended ${summary.count === 1 ? 'task' : 'tasks'}, median ${formatDuration(summary.medianMs)}, 95% within ${formatDuration(summary.p95Ms)}, ${failed}% failed; ${slowest}`;
}

/**
 * Most groups one `stats` reply lists: a Discord message holds about 4,000 characters, and a
 * longer list is better narrowed than scrolled.
 */
export const MAX_STATS_GROUPS = 25;

/** The reply to `stats`: one line per group the asker may see, or why there is none. */
export function durationStatsText(summaries: readonly DurationSummary[], command: StatsCommand): string {
  const what = `${command.kind ? `${command.kind} tasks` : 'tasks'}${command.account ? ` on ${command.account}` : ''}`;
  if (summaries.length === 0) {
    return `No ${what} watched from start to end have ended yet, so there is nothing to tell. Durations are remembered for tasks taskwatch watches or finds through a subscription.`;
  }
  const lines = [`How long ${what} took (the last ${DURATION_SAMPLE_SIZE} at most per group, from start to end):`, ...summaries.slice(0, MAX_STATS_GROUPS).map(durationSummaryLine)];
  const more = summaries.length - MAX_STATS_GROUPS;
  if (more > 0) lines.push(`… and ${more} more ${more === 1 ? 'group' : 'groups'}: name a kind or account=<name> to see them.`);
  return lines.join('\n');
}
