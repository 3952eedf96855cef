// "did you mean": the nearest known word by edit distance, ignoring case, '_' and '-'.

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

const norm = (s: string): string => s.toLowerCase().replace(/[-_]/g, '');

/** the closest of `known` to `word`, or undefined when none is close enough to be a typo */
export function nearest(word: string, known: readonly string[]): string | undefined {
  const w = norm(word);
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(w, norm(k));
    if (d < bestD) [best, bestD] = [k, d];
  }
  // a third of the word's length, at least 1 and at most 3 edits
  return bestD <= Math.min(3, Math.max(1, Math.floor(w.length / 3))) ? best : undefined;
}
