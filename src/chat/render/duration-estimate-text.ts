/**
 * What a card says to expect of a running task, from its group's past durations: "usually
 * 3-6 min (median 4 min, 47 past tasks)", and while it runs how long it has run and when it is
 * typically done. Shared by every chat surface, so the words match.
 * Rounded to one unit on purpose: an estimate is a range, and seconds would claim precision.
 */
import type { DurationEstimate, DurationExpectation } from '../../jobs/durations/duration-group';
import type { TaskState } from '../../providers/types';
import type { TimeStyle } from './time-text';

interface Unit {
  readonly ms: number;
  readonly name: string;
}

const SECONDS: Unit = { ms: 1000, name: 's' };
const MINUTES: Unit = { ms: 60_000, name: 'min' };
const HOURS: Unit = { ms: 3_600_000, name: 'h' };

/** The unit a duration reads best in: seconds under 90 s, minutes under 90 min, else hours. */
function unitFor(ms: number): Unit {
  if (ms < 90_000) return SECONDS;
  if (ms < 90 * 60_000) return MINUTES;
  return HOURS;
}

function count(ms: number, unit: Unit): number {
  return Math.round(ms / unit.ms);
}

/** A rough duration, e.g. `4 min`, `45 s`, `2 h`; never "0". */
export function roughDurationText(ms: number): string {
  const unit = unitFor(ms);
  return `${Math.max(1, count(ms, unit))} ${unit.name}`;
}

/** A range in the unit of its slow end, e.g. `3-6 min`, `up to 2 min`, `4 min`. */
export function durationRangeText(lowMs: number, highMs: number): string {
  const unit = unitFor(highMs);
  const low = count(lowMs, unit);
  const high = Math.max(1, count(highMs, unit));
  if (low >= high) return `${high} ${unit.name}`;
  if (low === 0) return `up to ${high} ${unit.name}`;
  return `${low}-${high} ${unit.name}`;
}

/** "usually 3-6 min (median 4 min, 47 past tasks)". */
export function estimateText(estimate: DurationEstimate): string {
  return `usually ${durationRangeText(estimate.lowMs, estimate.highMs)} (median ${roughDurationText(estimate.medianMs)}, ${estimate.count} past tasks)`;
}

/**
 * The card's line in a surface with live time markup: the estimate, since when the task has
 * run, and when it is typically done ("usually 3-6 min (median 4 min, 47 past tasks); started
 * <2 minutes ago>, typically done <in 2 minutes>"). The markup keeps counting in each reader's
 * client, so a card edited only when its task changes stays true. With a plain {@link TimeStyle}
 * (no `ago`), the start is left out. Pass the result through `escapedWithTimes` so that
 * escaping leaves the markup alone.
 */
export function expectationText(expected: DurationExpectation, time: TimeStyle & { readonly ago?: (epochMs: number) => string }): string {
  const started = expected.startedAt ? Date.parse(expected.startedAt) : Number.NaN;
  const typicalEnd = expected.typicalEndAt === null ? Number.NaN : Date.parse(expected.typicalEndAt);
  const parts: string[] = [];
  if (time.ago && Number.isFinite(started)) parts.push(`started ${time.ago(started)}`);
  if (Number.isFinite(typicalEnd)) parts.push(`typically done ${time.fromNow(typicalEnd)}`);
  return `${estimateText(expected)}${parts.length > 0 ? `; ${parts.join(', ')}` : ''}`;
}

/**
 * The card's line in words, for a surface without time markup (the terminal), as of `now`:
 * "usually 3-6 min (median 4 min, 47 past tasks); running 2 min, typically done in about 2 min
 * more". A pending task is "pending 2 min". Rounded like the estimate: it claims no more.
 */
export function expectationWords(expected: DurationExpectation, state: TaskState, now: number): string {
  const started = expected.startedAt ? Date.parse(expected.startedAt) : Number.NaN;
  const typicalEnd = expected.typicalEndAt === null ? Number.NaN : Date.parse(expected.typicalEndAt);
  const parts: string[] = [];
  if (Number.isFinite(started)) parts.push(`${state === 'pending' ? 'pending' : 'running'} ${roughDurationText(Math.max(0, now - started))}`);
  if (Number.isFinite(typicalEnd) && typicalEnd > now) parts.push(`typically done in about ${roughDurationText(typicalEnd - now)} more`);
  return `${estimateText(expected)}${parts.length > 0 ? `; ${parts.join(', ')}` : ''}`;
}
