/**
 * Turns the options of a `/task-status` subcommand into the shared command grammar's text and
 * parses that, so a Discord command is validated by the same parser as Slack's typed text and
 * every mistake gets the same words. Values that could not survive being joined into text
 * (spaces in a kind or region, a kind that is really a subcommand word) are refused here with
 * the error the parser would have given for them.
 */
import { cutToken } from '../../commands/cut-token';
import { KIND_ALIASES, parseCommand, SUBCOMMANDS } from '../../commands/parse-command';
import { suggestWord } from '../../commands/suggest-word';
import type { Command, ParseResult } from '../../commands/types';

/** The options of one subcommand as the interaction carried them; null when not given. */
export interface SubcommandOptions {
  readonly kind: string | null;
  readonly ids: string | null;
  readonly region: string | null;
  readonly account: string | null;
  readonly all: boolean | null;
  /** subscribe: host filter. */
  readonly domain?: string | null;
  /** subscribe: raw status filter. */
  readonly status?: string | null;
  /** unsubscribe: the subscription's number. */
  readonly number?: number | null;
  /** mute: duration text. */
  readonly duration?: string | null;
  /** watch: `card` or `thread` (see `progress=` in the grammar). */
  readonly progress?: string | null;
}

/** Options of a subcommand that takes none. */
export const NO_OPTIONS: SubcommandOptions = { kind: null, ids: null, region: null, account: null, all: null };

/** A kind that can go into the text as one word, not read as an option (`--x`, `x=y`). */
const SINGLE_WORD = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

type SelectionSubcommand = 'query' | 'watch' | 'unwatch';

function selectionText(subcommand: SelectionSubcommand, options: SubcommandOptions): string | ParseResult {
  const words: string[] = [];
  if (subcommand !== 'query') words.push(subcommand);
  if (subcommand === 'unwatch' && options.all === true) words.push('all');
  const kind = options.kind?.trim() ?? '';
  if (kind !== '') {
    const lower = kind.toLowerCase();
    // Only a plain word may go into the text, and never one the grammar reads as a subcommand.
    if (!SINGLE_WORD.test(kind) || SUBCOMMANDS.includes(lower) || lower === 'all') {
      const suggestion = suggestWord(kind, Object.keys(KIND_ALIASES));
      return { ok: false, error: { code: 'unknown_kind', token: cutToken(kind), subcommand, ...(suggestion ? { suggestion } : {}) } };
    }
    words.push(kind);
  }
  if (options.ids !== null && options.ids.trim() !== '') words.push(options.ids.trim());
  for (const [name, value] of [
    ['region', options.region],
    ['account', options.account],
    ['progress', subcommand === 'watch' ? (options.progress ?? null) : null],
  ] as const) {
    if (value === null || value.trim() === '') continue;
    if (/\s/.test(value.trim())) {
      return { ok: false, error: { code: 'invalid_option', option: name, token: cutToken(value.trim()), subcommand } };
    }
    words.push(`${name}=${value.trim()}`);
  }
  return words.join(' ');
}

/**
 * The command a Discord subcommand stands for, or the parse error explaining what is wrong
 * with its options. An unknown subcommand reads as help.
 */
export function commandFromOptions(subcommand: string | null, options: SubcommandOptions): ParseResult {
  switch (subcommand) {
    case 'list':
      return parseCommand('list');
    case 'query':
    case 'watch':
    case 'unwatch': {
      const text = selectionText(subcommand, options);
      return typeof text === 'string' ? parseCommand(text) : text;
    }
    case 'subscriptions':
    case 'unmute':
      return parseCommand(subcommand);
    case 'subscribe':
      return optionText('subscribe', [options.kind], [
        ['domain', options.domain ?? null],
        ['status', options.status ?? null],
        ['region', options.region],
        ['account', options.account],
      ]);
    case 'unsubscribe':
      return parseCommand(options.all === true ? 'unsubscribe all' : `unsubscribe ${options.number ?? ''}`.trim());
    case 'mute':
      return optionText('mute', [options.duration ?? null], []);
    case 'stats':
      return optionText('stats', [options.kind], [['account', options.account]]);
    default:
      return { ok: true, command: { type: 'help' } satisfies Command };
  }
}

/**
 * Joins a subcommand, positional words and `name=value` options into grammar text. Each value
 * must be one plain word, so nothing typed into an option can become another option.
 */
function optionText(
  subcommand: 'subscribe' | 'mute' | 'stats',
  positional: ReadonlyArray<string | null>,
  named: ReadonlyArray<readonly [string, string | null]>,
): ParseResult {
  const words: string[] = [subcommand];
  for (const value of positional) {
    if (value === null || value.trim() === '') continue;
    if (/\s/.test(value.trim())) return { ok: false, error: { code: 'invalid_option', token: cutToken(value.trim()), subcommand } };
    words.push(value.trim());
  }
  for (const [name, value] of named) {
    if (value === null || value.trim() === '') continue;
    if (/\s|=/.test(value.trim())) return { ok: false, error: { code: 'invalid_option', option: name, token: cutToken(value.trim()), subcommand } };
    words.push(`${name}=${value.trim()}`);
  }
  return parseCommand(words.join(' '));
}
