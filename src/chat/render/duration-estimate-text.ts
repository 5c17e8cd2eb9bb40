/**
 * What a card says to expect of a running task, from its group's past durations: "usually
 * 3-6 min (median 4 min, 47 past tasks)". Shared by every chat surface, so the words match.
 * Rounded to one unit on purpose: an estimate is a range, and seconds would claim precision.
 */
import type { DurationEstimate, DurationExpectation } from '../../jobs/durations/duration-group';
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
 * The card's line: the estimate, then when the task is typically done in the platform's own
 * time markup (Discord "in 2 minutes", Slack the reader's local time, the terminal "in 2m").
 * Pass the result through `escapedWithTimes` so that escaping leaves the markup alone.
 */
export function expectationText(expected: DurationExpectation, time: TimeStyle): string {
  const typicalEnd = expected.typicalEndAt === null ? Number.NaN : Date.parse(expected.typicalEndAt);
  return `${estimateText(expected)}${Number.isFinite(typicalEnd) ? `; typically done ${time.fromNow(typicalEnd)}` : ''}`;
}
