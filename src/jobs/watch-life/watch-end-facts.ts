/**
 * Why a watch ended, as facts rather than words: the watch policy decides them, the watch hash
 * keeps them (as JSON, in its `endMessage` field, so the Lua that stores them is unchanged), and
 * `src/chat/render/watch-end-text.ts` words them for every chat surface. A stored value that is
 * not JSON is the sentence an older release wrote, and is shown as written.
 */
import { z } from 'zod';
import type { ProviderErrorCode, ProviderFailureFacts } from '../../providers/errors';
import { CLOUD_NAMES } from '../../providers/types';
import { TASK_KINDS, type TaskKind, type TaskState, type TaskStatus } from '../../providers/types';
import { STORED_SUMMARY } from './stored-summary';

/** The task reached a terminal state. */
export interface TaskFinishedFacts {
  readonly fact: 'task_finished';
  readonly state: TaskState;
}

/** The watch reached its deadline; `state` is the task's last known state, if any. */
export interface DeadlineReachedFacts {
  readonly fact: 'deadline_reached';
  readonly deadlineMs: number;
  readonly state: TaskState | null;
}

/**
 * The task is beyond what its cloud keeps (`retentionMs`): the cloud stopped reporting it
 * (`unreported`), or it was created longer ago than that (`too_old`).
 */
export interface BeyondRetentionFacts {
  readonly fact: 'beyond_retention';
  readonly kind: TaskKind;
  readonly retentionMs: number;
  readonly seen: 'unreported' | 'too_old';
}

/** What a provider answered about a task it does not have: its summary and what its words need. */
export type MissingTaskAnswer = Pick<TaskStatus, 'kind' | 'id' | 'region' | 'rawStatus' | 'summary'>;

/**
 * The provider reports no such task: `answer` is what it answered (this release), `detail` the
 * sentence a release before summary facts stored instead, shown as written.
 */
export interface TaskMissingFacts {
  readonly fact: 'task_missing';
  /** True when the task was reported before (it can no longer be found). */
  readonly everFound: boolean;
  readonly answer?: MissingTaskAnswer;
  readonly detail?: string;
}

/** The parts of a provider error its words are made of, as kept in a watch hash. */
export interface ProviderFailureRecord {
  readonly facts: ProviderFailureFacts;
  readonly providerCode?: string;
  readonly requestId?: string;
  readonly httpStatus?: number;
  readonly api?: string;
}

/**
 * A provider error that retrying would not fix: its `failure` facts, or (stored by an older
 * release) its `userMessage`, a sentence shown as written.
 */
export interface ProviderRefusedFacts {
  readonly fact: 'provider_refused';
  readonly code: ProviderErrorCode;
  readonly failure?: ProviderFailureRecord;
  readonly userMessage?: string;
}

/** Someone asked to stop watching. */
export interface UnwatchedFacts {
  readonly fact: 'unwatched';
}

/** An ending an older release stored as a sentence; shown as written. */
export interface WrittenEndingFacts {
  readonly fact: 'written';
  readonly text: string;
}

/** Why a watch ended, as facts; worded by `watchEndingText` in `src/chat/render`. */
export type WatchEndFacts =
  | TaskFinishedFacts
  | DeadlineReachedFacts
  | BeyondRetentionFacts
  | TaskMissingFacts
  | ProviderRefusedFacts
  | UnwatchedFacts
  | WrittenEndingFacts;

const PROVIDER_ERROR_CODES = ['throttled', 'auth_failed', 'permission_denied', 'invalid_request', 'not_found', 'unavailable', 'timeout', 'not_configured', 'internal'] as const satisfies readonly ProviderErrorCode[];

const TASK_STATES = ['pending', 'running', 'succeeded', 'failed', 'unknown'] as const satisfies readonly TaskState[];

const STATE = z.enum(TASK_STATES);
// Kinds are listed in one place, as a plain array; a kind a later release added is refused.
const KIND = z.custom<TaskKind>((value) => typeof value === 'string' && (TASK_KINDS as readonly string[]).includes(value));

const CLOUD = z.enum(CLOUD_NAMES);

const FAILURE_FACTS = z.discriminatedUnion('fact', [
  z.object({ fact: z.literal('vendor_code'), cloud: CLOUD, meaning: z.enum(['clock_refused', 'aged_out']).optional() }),
  z.object({ fact: z.literal('http_status'), cloud: CLOUD, withRequestId: z.boolean() }),
  z.object({
    fact: z.literal('unreadable_answer'),
    cloud: CLOUD,
    flaw: z.enum(['not_api_response', 'not_json', 'no_response_object', 'no_request_id', 'no_task_list', 'unreadable_field', 'no_answer']),
    service: z.string().optional(),
    field: z.string().optional(),
  }),
  z.object({ fact: z.literal('unreachable'), cloud: CLOUD }),
  z.object({ fact: z.literal('timed_out'), cloud: CLOUD, timeoutMs: z.number().nonnegative() }),
  z.object({ fact: z.literal('cancelled'), cloud: CLOUD }),
  z.object({ fact: z.literal('budget_given_up') }),
  z.object({ fact: z.literal('window_reversed') }),
  z.object({ fact: z.literal('invalid_task_id'), kind: KIND, problem: z.enum(['empty_id', 'id_too_long', 'not_whole_number', 'not_token']), shown: z.string(), maxLength: z.number() }),
  z.object({ fact: z.literal('region_needed'), kind: KIND }),
  z.object({ fact: z.literal('no_credentials'), cloud: CLOUD, account: z.string().optional() }),
]) satisfies z.ZodType<ProviderFailureFacts>;

const FAILURE_RECORD = z.object({
  facts: FAILURE_FACTS,
  providerCode: z.string().optional(),
  requestId: z.string().optional(),
  httpStatus: z.number().optional(),
  api: z.string().optional(),
}) satisfies z.ZodType<ProviderFailureRecord>;

const STORED_FACTS = z.discriminatedUnion('fact', [
  z.object({ fact: z.literal('task_finished'), state: STATE }),
  z.object({ fact: z.literal('deadline_reached'), deadlineMs: z.number().nonnegative(), state: STATE.nullable() }),
  z.object({ fact: z.literal('beyond_retention'), kind: KIND, retentionMs: z.number().nonnegative(), seen: z.enum(['unreported', 'too_old']) }),
  z.object({
    fact: z.literal('task_missing'),
    everFound: z.boolean(),
    answer: z.object({ kind: KIND, id: z.string(), region: z.string().nullable(), rawStatus: z.string(), summary: STORED_SUMMARY.nullable() }).optional(),
    detail: z.string().optional(),
  }),
  z.object({ fact: z.literal('provider_refused'), code: z.enum(PROVIDER_ERROR_CODES), failure: FAILURE_RECORD.optional(), userMessage: z.string().optional() }),
  z.object({ fact: z.literal('unwatched') }),
  z.object({ fact: z.literal('written'), text: z.string() }),
]) satisfies z.ZodType<WatchEndFacts>;

/** The facts as stored in a watch hash's `endMessage` field. */
export function encodeWatchEndFacts(facts: WatchEndFacts | null): string {
  return facts === null ? '' : JSON.stringify(facts);
}

/**
 * Reads a watch hash's `endMessage` field: facts stored as JSON; an older release's sentence
 * (anything that is not JSON) as `written`; nothing (an ending given up on, which stores none)
 * as null. JSON this release cannot read (a later release's facts) is null too, so the
 * ending is worded by its reason alone rather than shown as raw JSON.
 */
export function decodeWatchEndFacts(stored: string | null | undefined): WatchEndFacts | null {
  const text = stored?.trim() ?? '';
  if (text === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { fact: 'written', text };
  }
  // A bare JSON scalar (a sentence such as "42") is still an old sentence.
  if (parsed === null || typeof parsed !== 'object') return { fact: 'written', text };
  const read = STORED_FACTS.safeParse(parsed);
  return read.success ? read.data : null;
}

