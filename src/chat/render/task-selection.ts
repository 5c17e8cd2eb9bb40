/**
 * Buttons such as "Refresh" and "Watch" must act on the tasks a reply showed. This recovers
 * that selection from a query's result, for each platform to encode in its buttons.
 */
import type { QueryFailure, TaskSelection } from '../../commands/types';
import type { TaskStatus } from '../../providers/types';
import { kindTakesNoId } from '../../providers/kinds';

/**
 * The selection behind a query result: its kind, IDs (in order, without duplicates), region
 * and account. Null when the result names no task or mixes kinds. TCSS takes no ID.
 */
export function selectionOfResult(statuses: readonly TaskStatus[], failures: readonly QueryFailure[]): TaskSelection | null {
  const refs = [
    ...statuses.map((status) => ({ kind: status.kind, id: status.id, region: status.region ?? undefined, account: status.account })),
    ...failures.flatMap((failure) => failure.refs),
  ];
  const first = refs[0];
  if (!first) return null;
  if (refs.some((ref) => ref.kind !== first.kind)) return null;
  const ids = kindTakesNoId(first.kind) ? [] : [...new Set(refs.map((ref) => ref.id))];
  const region = refs.find((ref) => ref.region)?.region;
  const account = refs.find((ref) => ref.account)?.account;
  return { kind: first.kind, ids, ...(region ? { region } : {}), ...(account ? { account } : {}) };
}
