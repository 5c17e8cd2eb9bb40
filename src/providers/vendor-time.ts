/**
 * Cloud APIs report times in their own ways; everything above the providers speaks ISO-8601 UTC.
 * Tencent reports and accepts times like `2018-07-30 18:10:53` with no zone: they are Beijing
 * time (UTC+8, no daylight saving). Alibaba reports UTC as `2021-05-10T08:54:23Z`.
 */

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;
const BEIJING_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;

/**
 * Converts a Tencent Beijing-time string into ISO-8601 UTC, e.g. `2018-07-30 18:10:53` ->
 * `2018-07-30T10:10:53.000Z`. Returns null for empty, malformed or impossible dates, so an
 * odd value from the API never turns into a made-up time.
 */
export function beijingTimeToIso(text: string | null | undefined): string | null {
  if (typeof text !== 'string') return null;
  const match = BEIJING_TIME.exec(text.trim());
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const asIfUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(asIfUtc);
  // Date.UTC silently rolls 2018-02-30 over into March; reject instead of guessing.
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return null;
  return new Date(asIfUtc - BEIJING_OFFSET_MS).toISOString();
}

/** Formats an instant as the Beijing-time string Tencent APIs accept, e.g. `2018-08-08 00:00:00`. */
export function toBeijingTime(instant: Date): string {
  const shifted = new Date(instant.getTime() + BEIJING_OFFSET_MS);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return (
    `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())} ` +
    `${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}:${pad(shifted.getUTCSeconds())}`
  );
}

/** Normalizes an ISO-8601 UTC string such as Alibaba's `2021-05-10T08:54:23Z`; null when unparsable. */
export function utcTimeToIso(text: string | null | undefined): string | null {
  if (typeof text !== 'string' || text.trim() === '') return null;
  const parsed = Date.parse(text.trim());
  return Number.isNaN(parsed) ? null : new Date(parsed).toISOString();
}
