/**
 * The state line of a thread reply, decided once for every chat surface. A reply about a change
 * of state reads "Running → Succeeded". A reply whose state did not change shows the state once:
 * an item that failed inside a running task ("Still running", with "1 of 3 URLs failed: …"), a
 * progress step a watch asked to hear (`progress=thread`), and an ending that changed nothing but
 * the watch (unwatch, deadline: "Running", with why the watch ended). It used to read
 * "Running → Running".
 */
import type { TransitionNotice } from '../../jobs/notifier';
import { newlyFailedItems } from '../../jobs/watch-life/watch-policy';
import { kindDescriptor } from '../../providers/kinds';
import type { TaskState } from '../../providers/types';
import { presentStatus, type StatePresentation } from './state-presentation';

/** What a thread reply's state line says; each surface formats it (bold, arrows, case). */
export type NoticeHeadline =
  /** The state changed: `before` → `now`. */
  | { readonly type: 'changed'; readonly before: StatePresentation; readonly now: StatePresentation }
  /** Nothing was told before: the state alone. */
  | { readonly type: 'first'; readonly now: StatePresentation }
  /** The state did not change: shown once, as `words` ("Still running", or "Running" on an ending). */
  | { readonly type: 'unchanged'; readonly now: StatePresentation; readonly words: string };

/** States a task can be "still" in; a finished task is not "still succeeded". */
const ONGOING: ReadonlySet<TaskState> = new Set<TaskState>(['pending', 'running', 'unknown']);

/** The state line of a notice (see the module comment). */
export function noticeHeadline(notice: Pick<TransitionNotice, 'previous' | 'current' | 'skippedStates' | 'endReason'>): NoticeHeadline {
  const now = presentStatus(notice.current);
  if (notice.previous === null) return { type: 'first', now };
  const before = presentStatus(notice.previous);
  // A state passed through on the way is a change even when the task came back to where it was.
  if (before.label !== now.label || notice.skippedStates.length > 0) return { type: 'changed', before, now };
  const ongoing = !notice.current.found || ONGOING.has(notice.current.state);
  // An ending says why the watch ended next to the state; "still" is for a task that goes on being watched.
  const words = ongoing && notice.endReason === null ? `Still ${now.label.toLowerCase()}` : now.label;
  return { type: 'unchanged', now, words };
}

/** Names shown in an item-failure line before "and N more". */
const NAMED_ITEMS = 3;

/**
 * The line of a reply sent because items failed inside a task whose state did not change, e.g.
 * "1 of 3 URLs failed: https://www.example.com/broken.js"; when others had failed before, "1 more
 * of 3 URLs failed (2 in all): …". Null when the reply is about a change of state or no item failed
 * since the last reply. Plain text: each surface escapes it.
 */
export function itemFailureText(notice: Pick<TransitionNotice, 'previous' | 'current' | 'skippedStates' | 'endReason'>): string | null {
  if (noticeHeadline(notice).type !== 'unchanged') return null;
  const newly = newlyFailedItems(notice.previous, notice.current);
  if (newly.length === 0) return null;
  const total = notice.current.items.length;
  const failed = notice.current.items.filter((item) => item.state === 'failed').length;
  const noun = kindDescriptor(notice.current.kind).itemNoun ?? { one: 'item', many: 'items' };
  const of = `of ${total} ${total === 1 ? noun.one : noun.many} failed`;
  const count = failed > newly.length ? `${newly.length} more ${of} (${failed} in all)` : `${newly.length} ${of}`;
  const names = newly.slice(0, NAMED_ITEMS).map((item) => item.name);
  const more = newly.length > NAMED_ITEMS ? ` and ${newly.length - NAMED_ITEMS} more` : '';
  return `${count}: ${names.join(', ')}${more}`;
}
