// Comparing our query output with dnf's where dnf's own order is not stable.

/** dnf prints a package's "Matched from:" lines in Python's (per-process random) set order: sort them */
export function matchOrderFree(out: string): string {
  return out.split('\n\n').map((block) => {
    const lines = block.split('\n');
    const at = lines.indexOf('Matched from:');
    return at < 0 ? block : [...lines.slice(0, at + 1), ...lines.slice(at + 1).sort()].join('\n');
  }).join('\n\n');
}
