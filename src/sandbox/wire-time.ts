/**
 * The time formats the task APIs use on the wire: Tencent answers in Beijing time
 * (UTC+8, `YYYY-MM-DD HH:mm:ss`), Alibaba in UTC (`yyyy-MM-ddTHH:mm:ssZ`).
 */

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

function formatFields(date: Date, separator: string, suffix: string): string {
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `${separator}${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${suffix}`
  );
}

/** Formats epoch ms as Beijing time `YYYY-MM-DD HH:mm:ss`, as Tencent's APIs answer. */
export function formatBeijingTime(epochMs: number): string {
  return formatFields(new Date(epochMs + BEIJING_OFFSET_MS), ' ', '');
}

/** Parses Beijing time `YYYY-MM-DD HH:mm:ss` into epoch ms; null when malformed or not a real date. */
export function parseBeijingTime(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const shifted = Date.UTC(year, month - 1, day, hour, minute, second);
  // Round-tripping rejects dates such as 2026-02-30 that Date.UTC would silently roll over.
  const epochMs = shifted - BEIJING_OFFSET_MS;
  return formatBeijingTime(epochMs) === text ? epochMs : null;
}

/** Formats epoch ms as UTC `yyyy-MM-ddTHH:mm:ssZ`, as Alibaba's APIs answer and sign. */
export function formatUtcSeconds(epochMs: number): string {
  return formatFields(new Date(epochMs), 'T', 'Z');
}

/** Parses UTC `yyyy-MM-ddTHH:mm:ssZ` into epoch ms; null when malformed or not a real date. */
export function parseUtcSeconds(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second);
  return formatUtcSeconds(epochMs) === text ? epochMs : null;
}
