/**
 * What every provider module needs besides its vendor client: the rate budget, its own quota,
 * the call timeout and a clock, plus helpers that build normalized statuses the same way for
 * every kind.
 */
import { isProviderError, ProviderError } from './errors';
import type { RateBudget } from './rate-budget';
import { isTerminalState, type TaskItem, type TaskKind, type TaskState, type TaskStatus, type TaskSummary } from './types';
import type { KindDescriptor } from './kind-descriptor';
import { MAX_TASK_ID_LENGTH, validateIdByRule } from './validate-id';

/** Shared dependencies of one provider instance. */
export interface ProviderContext {
  /** The account name the provider queries under (`default` for the environment's account). */
  readonly accountName: string;
  readonly rateBudget: RateBudget;
  /** Calls per second allowed under this provider's quota key. */
  readonly perSecond: number;
  /** Timeout of one API call. */
  readonly timeoutMs: number;
  /** Epoch milliseconds; stamps `observedAt`. */
  readonly now: () => number;
}

/** The parts of a status that identify the task and the moment it was observed. */
export interface StatusIdentity {
  readonly kind: TaskKind;
  readonly id: string;
  readonly region: string | null;
}

/** The parts of a status a provider reads from the API answer. */
export interface StatusFields {
  readonly state: TaskState;
  readonly rawStatus: string;
  /** See {@link TaskStatus.summary}: facts, never a sentence. */
  readonly summary: TaskSummary | null;
  readonly requestId: string | null;
  readonly progress?: number | null;
  readonly items?: readonly TaskItem[];
  readonly createdAt?: string | null;
  readonly updatedAt?: string | null;
  /** See {@link TaskStatus.subtype}; empty or absent leaves it out. */
  readonly subtype?: string | null;
}

/** Builds a found task's status; `terminal` always follows from `state`. */
export function foundStatus(context: ProviderContext, identity: StatusIdentity, fields: StatusFields): TaskStatus {
  return {
    kind: identity.kind,
    id: identity.id,
    account: context.accountName,
    region: identity.region,
    found: true,
    state: fields.state,
    terminal: isTerminalState(fields.state),
    rawStatus: fields.rawStatus,
    progress: fields.progress ?? null,
    summary: fields.summary,
    items: fields.items ?? [],
    createdAt: fields.createdAt ?? null,
    updatedAt: fields.updatedAt ?? null,
    requestId: fields.requestId,
    observedAt: new Date(context.now()).toISOString(),
    ...(fields.subtype ? { subtype: fields.subtype } : {}),
  };
}

/** The one value every row shares (e.g. an area), or null when rows differ or give none. */
export function sharedValue(values: readonly (string | null)[]): string | null {
  const distinct = new Set(values);
  const [only] = distinct;
  return distinct.size === 1 && only ? only : null;
}

/**
 * Builds the status of a task the provider does not have, with the facts of why (`summary`). It
 * is `unknown` and not terminal: whether "not found yet" should end a watch is the watch engine's call, not the provider's.
 */
export function missingStatus(
  context: ProviderContext,
  identity: StatusIdentity,
  summary: TaskSummary,
  requestId: string | null,
  rawStatus = '',
): TaskStatus {
  return {
    ...foundStatus(context, identity, { state: 'unknown', rawStatus, summary, requestId }),
    found: false,
  };
}

/**
 * Describes one task with `query`; a `not_found` {@link ProviderError} becomes the task's
 * not-found status rather than a failure, because the per-task APIs answer an unknown ID with
 * an error where a listing API would answer with no rows.
 */
export async function describeOrMissing(
  context: ProviderContext,
  identity: StatusIdentity,
  notFound: TaskSummary,
  query: () => Promise<TaskStatus>,
): Promise<TaskStatus> {
  try {
    return await query();
  } catch (error) {
    if (isProviderError(error) && error.code === 'not_found') return missingStatus(context, identity, notFound, error.requestId ?? null);
    throw error;
  }
}

/** Runs `work` on each element with at most `limit` in flight, keeping results in input order. */
export async function mapInOrder<T, R>(elements: readonly T[], limit: number, work: (element: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(elements.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < elements.length) {
      const index = next;
      next += 1;
      results[index] = await work(elements[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, elements.length) }, worker));
  return results;
}

/**
 * Throws an `invalid_request` {@link ProviderError} (fact `invalid_task_id`) for the first ID that cannot be a task ID
 * of `kind`, so that no malformed ID ever reaches an API (and no Redis call gets a NaN).
 */
export function requireValidTaskIds(descriptor: KindDescriptor, ids: readonly string[]): void {
  for (const id of ids) {
    const problem = validateIdByRule(descriptor.idRule, id);
    if (problem === null) continue;
    const shown = id.length > 40 ? `${id.slice(0, 40)}...` : id;
    const kindProblem = problem !== 'invalid_id' ? problem : descriptor.idRule === 'integer' || descriptor.idRule === 'digits' ? 'not_whole_number' : 'not_token';
    throw new ProviderError({
      code: 'invalid_request',
      facts: { fact: 'invalid_task_id', kind: descriptor.kind, problem: kindProblem, shown, maxLength: MAX_TASK_ID_LENGTH },
      retryable: false,
    });
  }
}

/**
 * Picks the region for a region-scoped API: the caller's, else the account's default. Throws
 * an `invalid_request` {@link ProviderError} (fact `region_needed`) when there is neither.
 */
export function requireRegion(descriptor: KindDescriptor, requested: string | undefined, accountDefault: string | null): string {
  const region = requested?.trim() || accountDefault;
  if (!region) {
    throw new ProviderError({ code: 'invalid_request', facts: { fact: 'region_needed', kind: descriptor.kind }, retryable: false });
  }
  return region;
}
