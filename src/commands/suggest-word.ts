/**
 * "Did you mean ...?" for mistyped kinds, options and subcommands. Typos in a chat box are
 * mostly one swapped, missing or extra letter, so an optimal-string-alignment distance
 * (Damerau-Levenshtein restricted to adjacent transpositions) catches "cnd" and "regoin".
 */

/** Words longer than this are not typos of our short vocabulary; skipping them bounds the work. */
const MAX_COMPARED_LENGTH = 24;

/**
 * The optimal-string-alignment distance between two strings: insertions, deletions,
 * substitutions and swaps of two adjacent characters each cost 1.
 */
export function editDistance(left: string, right: string): number {
  const rows = left.length + 1;
  const columns = right.length + 1;
  // A full table keeps the transposition step simple; our words are short.
  const table: number[][] = Array.from({ length: rows }, (_, row) =>
    Array.from({ length: columns }, (_, column) => (row === 0 ? column : column === 0 ? row : 0)),
  );
  for (let row = 1; row < rows; row += 1) {
    for (let column = 1; column < columns; column += 1) {
      const cost = left[row - 1] === right[column - 1] ? 0 : 1;
      let best = Math.min(
        (table[row - 1]?.[column] ?? 0) + 1,
        (table[row]?.[column - 1] ?? 0) + 1,
        (table[row - 1]?.[column - 1] ?? 0) + cost,
      );
      if (row > 1 && column > 1 && left[row - 1] === right[column - 2] && left[row - 2] === right[column - 1]) {
        best = Math.min(best, (table[row - 2]?.[column - 2] ?? 0) + 1);
      }
      (table[row] as number[])[column] = best;
    }
  }
  return table[rows - 1]?.[columns - 1] ?? 0;
}

/** How far a word may be from a candidate and still be called a typo of it. */
function tolerance(candidate: string): number {
  return candidate.length <= 4 ? 1 : 2;
}

/**
 * The candidate nearest to `word` (case-insensitive), or null when none is close enough to be
 * a plausible typo. Ties go to the earlier candidate, so callers list the likeliest first.
 */
export function suggestWord(word: string, candidates: readonly string[]): string | null {
  const lowered = word.toLowerCase();
  if (lowered.length === 0 || lowered.length > MAX_COMPARED_LENGTH) return null;
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(lowered, candidate.toLowerCase());
    if (distance <= tolerance(candidate) && distance < bestDistance && distance < lowered.length) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
