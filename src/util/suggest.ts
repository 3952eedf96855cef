// "did you mean" for mistyped options, commands and distro tags.

/** Levenshtein distance (insert, delete, substitute: 1 each), case-sensitive. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, sub));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/**
 * The candidates nearest to `word`: those at the smallest distance found (at most `max`, in the
 * candidates' order), and only if close enough to be a typo: within a third of the word's length
 * (at least 2 edits), or extending the word (a cut-short name counts as one edit).
 */
export function nearest(word: string, candidates: readonly string[], max = 3): string[] {
  const w = word.toLowerCase();
  const limit = Math.max(2, Math.floor(w.length / 3));
  const scored = candidates
    .map((c, i) => ({ c, i, d: c.toLowerCase().startsWith(w) && w.length >= 3 ? 1 : editDistance(w, c.toLowerCase()) }))
    .filter((s) => s.d <= limit);
  const best = Math.min(...scored.map((s) => s.d));
  return [...new Set(scored.filter((s) => s.d === best).map((s) => s.c))].slice(0, max);
}

/** " (did you mean A or B?)" or "" */
export function didYouMean(word: string, candidates: readonly string[], max = 3): string {
  const near = nearest(word, candidates, max);
  if (!near.length) return '';
  const list = near.length === 1 ? near[0] : `${near.slice(0, -1).join(', ')} or ${near[near.length - 1]}`;
  return `did you mean ${list}?`;
}
