/** A list of lines cut to fit a platform's text limit, saying how many were left out. */

/** How much room a list has, and how a platform counts its characters. */
export interface ListBudget {
  /** The most characters the list may take, `reserve` included. */
  readonly maxChars: number;
  /** The most lines listed. */
  readonly maxLines: number;
  /** Characters kept free for the "…and N more" line. */
  readonly reserve: number;
  /** A line's length as the platform counts it; default `line.length`. */
  readonly measure?: (line: string) => number;
}

/** Lists lines until the budget's characters or lines run out, then says how many were left out. */
export function listWithin(lines: readonly string[], budget: ListBudget): string {
  const measure = budget.measure ?? ((line: string) => line.length);
  const kept: string[] = [];
  let length = 0;
  for (const line of lines) {
    const size = measure(line) + 1;
    if (kept.length >= budget.maxLines || length + size > budget.maxChars - budget.reserve) break;
    kept.push(line);
    length += size;
  }
  const left = lines.length - kept.length;
  if (left > 0) kept.push(`…and ${left} more`);
  return kept.join('\n');
}
