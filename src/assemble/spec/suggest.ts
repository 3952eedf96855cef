// "did you mean": the nearest known word by edit distance, ignoring case, '_' and '-'.
import { editDistance } from '../../util/suggest.js';

const norm = (s: string): string => s.toLowerCase().replace(/[-_]/g, '');

/** the closest of `known` to `word`, or undefined when none is close enough to be a typo */
export function nearest(word: string, known: readonly string[]): string | undefined {
  const w = norm(word);
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(w, norm(k));
    if (d < bestD) [best, bestD] = [k, d];
  }
  // a third of the word's length, at least 1 and at most 3 edits
  return bestD <= Math.min(3, Math.max(1, Math.floor(w.length / 3))) ? best : undefined;
}
