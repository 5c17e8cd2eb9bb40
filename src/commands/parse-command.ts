/**
 * The `/task-status` grammar, shared by every chat surface. A pure function from text to a
 * {@link Command} or a {@link ParseError} identifier; `messages.ts` turns identifiers into text.
 *
 * ```
 * (empty) | help
 * <kind> <id> [<id> ...] [region=<r>] [account=<name>]     (also --region <r>, --region=<r>)
 * watch <kind> <id> ... [progress=card|thread]  |  unwatch <kind> <id> ...  |  unwatch all  |  list
 * subscribe cdn [domain=<host>] [status=fail,invalid] [region=<area>] [account=<name>]
 * subscribe tcss [account=<name>]  |  subscriptions  |  unsubscribe <n>|all
 * mute <duration>  |  unmute
 * stats [<kind>] [account=<name>]
 * ```
 * IDs are separated by spaces, commas or both; options may stand anywhere after the subcommand.
 */
import { TASK_KINDS, type TaskKind } from '../providers/types';
import { KIND_ALIASES, resolveTaskKind, canonicalTaskId, validateTaskId, kindTakesNoId, kindDescriptor, subscribableKinds, type KindSubscription } from '../providers/kinds';
import { MAX_MUTE_MS } from '../jobs/subscriptions/subscription-service';
import { parseDuration } from '../util/duration';
import { ACCOUNT_NAME_PATTERN as ACCOUNT_PATTERN, REGION_PATTERN } from '../validation/shared-patterns';
import { cutToken } from './cut-token';
import { suggestWord } from './suggest-word';
import type { ProgressDelivery } from '../jobs/watch-service';
import type { Command, ParseError, ParseResult, SubscriptionSelection, TaskSelection } from './types';

/** Longer texts are refused before being scanned. Slack caps slash-command text near this too. */
export const MAX_COMMAND_LENGTH = 4000;

/** Most distinct task IDs one command may name. */
export const MAX_IDS_PER_COMMAND = 50;

/** Kind aliases live with the kinds, so the CLI and every chat surface accept the same words. */
export { KIND_ALIASES } from '../providers/kinds';

/** Subcommand words that may come first instead of a kind. */
export const SUBCOMMANDS: readonly string[] = ['watch', 'unwatch', 'list', 'help', 'subscribe', 'subscriptions', 'unsubscribe', 'mute', 'unmute', 'stats'];


/** Option names `subscribe` knows. */
export const SUBSCRIBE_OPTION_NAMES: readonly string[] = ['domain', 'status', 'region', 'account'];

/** What a domain must look like: a host name (a URL is cut down to its host). */
export const DOMAIN_PATTERN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{1,63}$/;

/** Option names the grammar knows. */
export const OPTION_NAMES: readonly string[] = ['region', 'account'];

/** What a region and an account name must look like: the shared patterns, under the names the grammar has always exported. */
export { REGION_PATTERN, ACCOUNT_PATTERN };
/** Option names `watch` knows: the selection's, and how progress alone is told. */
export const WATCH_OPTION_NAMES: readonly string[] = [...OPTION_NAMES, 'progress'];

/** Values of `progress=`: `card` (the default) only edits the card, `thread` also replies with every step. */
export const PROGRESS_VALUES: readonly ProgressDelivery[] = ['card', 'thread'];

type Word = { readonly type: 'word'; readonly text: string } | { readonly type: 'option'; readonly name: string; readonly value: string | null };

const OPTION_WITH_VALUE = /^-{0,2}([A-Za-z][A-Za-z0-9_-]*)=(.*)$/s;
const OPTION_FLAG = /^-{1,2}([A-Za-z][A-Za-z0-9_-]*)$/;

/** Splits text into words and options. IDs split on commas; an option keeps its value whole. */
function lex(text: string): Word[] {
  const raw = text.split(/\s+/).filter((token) => token.length > 0);
  const words: Word[] = [];
  for (let index = 0; index < raw.length; index += 1) {
    const token = raw[index] as string;
    const withValue = OPTION_WITH_VALUE.exec(token);
    if (withValue) {
      words.push({ type: 'option', name: (withValue[1] as string).toLowerCase(), value: trimCommas(withValue[2] as string) });
      continue;
    }
    const flag = OPTION_FLAG.exec(token);
    if (flag) {
      const next = raw[index + 1];
      // `--region` at the end, or followed by another option, has no value.
      const value = next !== undefined && !next.startsWith('-') ? trimCommas(next) : null;
      if (value !== null) index += 1;
      words.push({ type: 'option', name: (flag[1] as string).toLowerCase(), value });
      continue;
    }
    for (const piece of token.split(',')) {
      if (piece.length > 0) words.push({ type: 'word', text: piece });
    }
  }
  return words;
}

function trimCommas(value: string): string {
  return value.replace(/^,+|,+$/g, '');
}

function fail(error: ParseError): ParseResult {
  return { ok: false, error };
}

/** A word that is more likely a task ID than a mistyped kind: it carries a digit and matches no word. */
function looksLikeId(word: string): boolean {
  return /\d/.test(word);
}


const KIND_WORDS: readonly string[] = [...TASK_KINDS, ...Object.keys(KIND_ALIASES)];

interface Options {
  region?: string;
  account?: string;
  progress?: ProgressDelivery;
}

/** Applies one option to `options`; returns an error when it is unknown, empty, malformed or contradicts an earlier one. */
function applyOption(word: Extract<Word, { type: 'option' }>, options: Options, subcommand: Command['type']): ParseError | null {
  const names = subcommand === 'watch' ? WATCH_OPTION_NAMES : OPTION_NAMES;
  if (!names.includes(word.name)) {
    const suggestion = suggestWord(word.name, names);
    return { code: 'unknown_option', token: cutToken(word.name), subcommand, ...(suggestion ? { suggestion } : {}) };
  }
  if (word.name === 'progress') {
    const value = (word.value ?? '').toLowerCase();
    if (!PROGRESS_VALUES.includes(value as ProgressDelivery)) {
      return { code: 'invalid_option', option: 'progress', subcommand, ...(word.value ? { token: cutToken(word.value) } : {}) };
    }
    if (options.progress !== undefined && options.progress !== value) return { code: 'duplicate_option', option: 'progress', token: 'progress', subcommand };
    options.progress = value as ProgressDelivery;
    return null;
  }
  const option = word.name as 'region' | 'account';
  if (word.value === null || word.value === '') return { code: 'invalid_option', option, subcommand };
  const value = option === 'region' ? word.value.toLowerCase() : word.value;
  const pattern = option === 'region' ? REGION_PATTERN : ACCOUNT_PATTERN;
  if (!pattern.test(value)) return { code: 'invalid_option', option, token: cutToken(word.value), subcommand };
  const earlier = options[option];
  if (earlier !== undefined && earlier !== value) return { code: 'duplicate_option', option, token: option, subcommand };
  options[option] = value;
  return null;
}

/** Parses the words after `watch`/`unwatch`, or a whole query: `<kind> <id>... [options]`. */
function parseSelection(words: readonly Word[], subcommand: 'query' | 'watch' | 'unwatch'): ParseResult {
  const options: Options = {};
  const ids: string[] = [];
  let kind: TaskKind | null = null;
  for (const word of words) {
    if (word.type === 'option') {
      const error = applyOption(word, options, subcommand);
      if (error) return fail(kind ? { ...error, kind } : error);
      continue;
    }
    if (kind === null) {
      kind = resolveTaskKind(word.text);
      if (kind === null) {
        const suggestion = suggestWord(word.text, KIND_WORDS);
        if (!suggestion && looksLikeId(word.text)) return fail({ code: 'missing_kind', token: cutToken(word.text), subcommand });
        return fail({ code: 'unknown_kind', token: cutToken(word.text), subcommand, ...(suggestion ? { suggestion } : {}) });
      }
      continue;
    }
    ids.push(word.text);
  }
  if (kind === null) return fail({ code: 'missing_kind', subcommand });

  if (kindTakesNoId(kind)) {
    if (ids.length > 0) return fail({ code: 'unexpected_id', kind, token: cutToken(ids[0] as string), subcommand });
  } else if (ids.length === 0) {
    return fail({ code: 'missing_id', kind, subcommand });
  }

  const distinct = [...new Set(ids)];
  if (distinct.length > MAX_IDS_PER_COMMAND) return fail({ code: 'too_many_ids', kind, subcommand });
  for (const id of distinct) {
    const problem = validateTaskId(kind, id);
    if (problem) return fail({ code: problem, kind, token: cutToken(id), subcommand });
  }
  // After validation: `018215` and `18215` are one Redis task, so they must be one ID.
  const unique = [...new Set(distinct.map((id) => canonicalTaskId(kind, id)))];

  const selection: TaskSelection = {
    kind,
    ids: unique,
    ...(options.region !== undefined ? { region: options.region } : {}),
    ...(options.account !== undefined ? { account: options.account } : {}),
  };
  if (subcommand === 'watch' && options.progress !== undefined) return { ok: true, command: { type: 'watch', ...selection, progress: options.progress } };
  return { ok: true, command: { type: subcommand, ...selection } };
}

/** Refuses anything after a subcommand that takes no arguments (`list`, `unwatch all`). */
function bare(rest: readonly Word[], command: Command): ParseResult {
  const extra = rest[0];
  if (extra === undefined) return { ok: true, command };
  const token = extra.type === 'word' ? extra.text : extra.name;
  return fail({ code: 'unexpected_id', token: cutToken(token), subcommand: command.type });
}

/** The kind a word names when channels may subscribe to it; null otherwise. */
function subscribableKind(text: string): SubscriptionSelection['kind'] | null {
  const resolved = resolveTaskKind(text);
  return resolved !== null && kindDescriptor(resolved).subscription !== undefined ? resolved : null;
}

/** Every subscribable kind's filters at once, to check an option given before its kind. */
function anySubscriptionFilters(): KindSubscription {
  const kinds = subscribableKinds().map((descriptor) => descriptor.subscription as KindSubscription);
  return {
    label: '',
    statuses: [...new Set(kinds.flatMap((filters) => filters.statuses))],
    areas: [...new Set(kinds.flatMap((filters) => filters.areas))],
    filtersByDomain: kinds.some((filters) => filters.filtersByDomain),
  };
}

/** Parses the words after `subscribe`: `<kind> [options]`, for kinds whose descriptor has a `subscription`. */
function parseSubscribe(words: readonly Word[]): ParseResult {
  const subcommand = 'subscribe' as const;
  let kind: SubscriptionSelection['kind'] | null = null;
  // Options are checked against the kind's own filters, even when they come before it.
  const firstWord = words.find((word) => word.type === 'word');
  const namedKind = firstWord?.type === 'word' ? subscribableKind(firstWord.text) : null;
  const filters = namedKind !== null ? (kindDescriptor(namedKind).subscription as KindSubscription) : anySubscriptionFilters();
  const kindField = namedKind !== null ? { kind: namedKind } : {};
  const values: { domain?: string; statuses?: string[]; region?: string; account?: string } = {};
  for (const word of words) {
    if (word.type === 'word') {
      if (kind !== null) return fail({ code: 'unexpected_id', token: cutToken(word.text), subcommand });
      const subscribable = subscribableKind(word.text);
      if (subscribable !== null) {
        kind = subscribable;
        continue;
      }
      const resolved = resolveTaskKind(word.text);
      if (resolved !== null) return fail({ code: 'unsupported_subscription_kind', kind: resolved, token: cutToken(word.text), subcommand });
      const suggestion = suggestWord(
        word.text,
        subscribableKinds().map((descriptor) => descriptor.kind),
      );
      return fail({ code: 'unknown_kind', token: cutToken(word.text), subcommand, ...(suggestion ? { suggestion } : {}) });
    }
    if (!SUBSCRIBE_OPTION_NAMES.includes(word.name)) {
      const suggestion = suggestWord(word.name, SUBSCRIBE_OPTION_NAMES);
      return fail({ code: 'unknown_option', token: cutToken(word.name), subcommand, ...(suggestion ? { suggestion } : {}) });
    }
    const option = word.name as 'domain' | 'status' | 'region' | 'account';
    if (word.value === null || word.value === '') return fail({ code: 'invalid_option', option, subcommand });
    const earlier = option === 'status' ? values.statuses : values[option];
    if (earlier !== undefined) return fail({ code: 'duplicate_option', option, token: option, subcommand });
    if (option === 'account') {
      if (!ACCOUNT_PATTERN.test(word.value)) return fail({ code: 'invalid_option', option, token: cutToken(word.value), subcommand });
      values.account = word.value;
    } else if (option === 'region') {
      const area = word.value.toLowerCase();
      if (filters.areas.length > 0 && !filters.areas.includes(area)) return fail({ code: 'invalid_option', option: 'area', token: cutToken(word.value), subcommand, ...kindField });
      values.region = area;
    } else if (option === 'domain') {
      const host = hostOf(word.value);
      if (host === null) return fail({ code: 'invalid_option', option, token: cutToken(word.value), subcommand });
      values.domain = host;
    } else {
      const statuses = [...new Set(word.value.toLowerCase().split(',').filter((status) => status !== ''))];
      const wrong = filters.statuses.length === 0 ? undefined : statuses.find((status) => !filters.statuses.includes(status));
      if (wrong !== undefined || statuses.length === 0) return fail({ code: 'invalid_option', option, token: cutToken(wrong ?? word.value), subcommand, ...kindField });
      values.statuses = statuses;
    }
  }
  if (kind === null) return fail({ code: 'missing_kind', subcommand });
  const own = kindDescriptor(kind).subscription as KindSubscription;
  const unsupported = (['domain', 'statuses', 'region'] as const).find(
    (name) => values[name] !== undefined && (name === 'domain' ? !own.filtersByDomain : (name === 'statuses' ? own.statuses : own.areas).length === 0),
  );
  if (unsupported) return fail({ code: 'unknown_option', token: unsupported === 'statuses' ? 'status' : unsupported, subcommand, kind });
  const selection: SubscriptionSelection = {
    kind,
    ...(values.account !== undefined ? { account: values.account } : {}),
    ...(values.region !== undefined ? { region: values.region } : {}),
    ...(values.domain !== undefined ? { domain: values.domain } : {}),
    ...(values.statuses !== undefined ? { statuses: values.statuses } : {}),
  };
  return { ok: true, command: { type: 'subscribe', ...selection } };
}

/** A host name from `example.com` or `https://example.com/path`; null when neither. */
function hostOf(value: string): string | null {
  let host = value.toLowerCase();
  if (/^https?:\/\//.test(host)) {
    try {
      host = new URL(host).hostname;
    } catch {
      return null;
    }
  }
  return DOMAIN_PATTERN.test(host) ? host : null;
}

/** Parses `unsubscribe <n>|all`. */
function parseUnsubscribe(rest: readonly Word[]): ParseResult {
  const target = rest[0];
  if (target?.type === 'word' && target.text.toLowerCase() === 'all') return bare(rest.slice(1), { type: 'unsubscribe-all' });
  if (target?.type !== 'word' || !/^[0-9]{1,4}$/.test(target.text) || Number(target.text) < 1) {
    return fail({ code: 'invalid_subscription_number', subcommand: 'unsubscribe', ...(target ? { token: cutToken(target.type === 'word' ? target.text : target.name) } : {}) });
  }
  return bare(rest.slice(1), { type: 'unsubscribe', number: Number(target.text) });
}

/** Parses `mute <duration>`, at most {@link MAX_MUTE_MS}. */
function parseMute(rest: readonly Word[]): ParseResult {
  const target = rest[0];
  if (target?.type !== 'word') return fail({ code: 'invalid_duration', subcommand: 'mute' });
  const durationMs = parseDuration(target.text);
  if (durationMs === null || durationMs > MAX_MUTE_MS) return fail({ code: 'invalid_duration', token: cutToken(target.text), subcommand: 'mute' });
  return bare(rest.slice(1), { type: 'mute', durationMs });
}

/** Parses `stats [<kind>] [account=<name>]`. */
function parseStats(rest: readonly Word[]): ParseResult {
  const subcommand = 'stats' as const;
  const options: Options = {};
  let kind: TaskKind | undefined;
  for (const word of rest) {
    if (word.type === 'option') {
      // Durations are kept per account, not per region: only account= narrows them.
      if (word.name !== 'account') {
        const suggestion = suggestWord(word.name, ['account']);
        return fail({ code: 'unknown_option', token: cutToken(word.name), subcommand, ...(suggestion ? { suggestion } : {}) });
      }
      const error = applyOption(word, options, subcommand);
      if (error) return fail(error);
      continue;
    }
    if (kind !== undefined) return fail({ code: 'unexpected_id', token: cutToken(word.text), subcommand });
    const resolved = resolveTaskKind(word.text);
    if (resolved === null) {
      const suggestion = suggestWord(word.text, KIND_WORDS);
      return fail({ code: 'unknown_kind', token: cutToken(word.text), subcommand, ...(suggestion ? { suggestion } : {}) });
    }
    kind = resolved;
  }
  return {
    ok: true,
    command: { type: 'stats', ...(kind !== undefined ? { kind } : {}), ...(options.account !== undefined ? { account: options.account } : {}) },
  };
}

/**
 * Parses the text of a `/task-status` command (without the slash command itself).
 * Pure: no I/O, no clock. Never throws for any input string.
 */
export function parseCommand(text: string): ParseResult {
  // Checked before any scanning, so a huge paste costs nothing.
  if (text.length > MAX_COMMAND_LENGTH) return fail({ code: 'too_long' });

  const words = lex(text);
  const first = words[0];
  if (first === undefined) return { ok: true, command: { type: 'help' } };
  if (first.type === 'option') return parseSelection(words, 'query');

  const rest = words.slice(1);
  switch (first.text.toLowerCase()) {
    case 'help':
      return { ok: true, command: { type: 'help' } };
    case 'list':
      return bare(rest, { type: 'list' });
    case 'watch':
      return parseSelection(rest, 'watch');
    case 'subscribe':
      return parseSubscribe(rest);
    case 'subscriptions':
      return bare(rest, { type: 'subscriptions' });
    case 'unsubscribe':
      return parseUnsubscribe(rest);
    case 'mute':
      return parseMute(rest);
    case 'unmute':
      return bare(rest, { type: 'unmute' });
    case 'stats':
      return parseStats(rest);
    case 'unwatch': {
      const target = rest[0];
      if (target?.type === 'word' && target.text.toLowerCase() === 'all') return bare(rest.slice(1), { type: 'unwatch-all' });
      return parseSelection(rest, 'unwatch');
    }
    default:
      break;
  }

  if (resolveTaskKind(first.text) !== null) return parseSelection(words, 'query');

  // Neither a kind nor a subcommand: suggest whichever is nearest.
  const suggestion = suggestWord(first.text, [...KIND_WORDS, ...SUBCOMMANDS]);
  if (suggestion && SUBCOMMANDS.includes(suggestion)) {
    return fail({ code: 'unknown_subcommand', token: cutToken(first.text), suggestion });
  }
  if (!suggestion && looksLikeId(first.text)) return fail({ code: 'missing_kind', token: cutToken(first.text), subcommand: 'query' });
  return fail({ code: 'unknown_kind', token: cutToken(first.text), subcommand: 'query', ...(suggestion ? { suggestion } : {}) });
}
