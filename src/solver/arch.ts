// Architecture scores as libsolv's pool_setarch: a lower score is better; archs separated by
// ':' in the policy get different "colors" (high 16 bits) and are never mixed by
// prune_to_best_arch; noarch (score 1) goes with everything.

const POLICIES: Record<string, string> = {
  x86_64: 'x86_64:i686:i586:i486:i386',
  x86_64_v2: 'x86_64_v2>x86_64:i686:i586:i486:i386',
  amd64: 'x86_64:i686:i586:i486:i386',
  ia64: 'ia64:i686:i586:i486:i386',
  i686: 'i686:i586:i486:i386',
  athlon: 'athlon:i686:i586:i486:i386',
  i586: 'i586:i486:i386',
  i486: 'i486:i386',
  // the i386 basearch: trees of i686/i586/i386 packages that yum/dnf on an i686 machine install
  // (mock's i386 configs build with target_arch i686)
  i386: 'i686:i586:i486:i386',
  aarch64: 'aarch64',
  ppc64le: 'ppc64le',
  ppc64: 'ppc64:ppc',
  ppc: 'ppc',
  s390x: 's390x:s390',
  s390: 's390',
  armv7hl: 'armv7hl',
  armhfp: 'armv7hl', // dnf's basearch for armv7hl
};

export const NOARCH_SCORE = 1;

/** Map arch -> score, or null when arch filtering is off. */
export function archScores(host: string): Map<string, number> | null {
  if (!host || host === 'unset' || host === '*') return null;
  const policy = POLICIES[host] ?? host;
  const scores = new Map<string, number>([['noarch', NOARCH_SCORE], ['all', NOARCH_SCORE], ['any', NOARCH_SCORE]]);
  let m = 0x10000 + 2;
  let cur = '';
  for (let i = 0; i <= policy.length; i++) {
    const c = policy[i];
    if (c === undefined || c === ':' || c === '>' || c === '=') {
      if (cur && !scores.has(cur)) scores.set(cur, m);
      cur = '';
      if (c === ':') m = (m | 0xffff) + 1 + 2;
      else if (c === '>') m += 1;
    } else cur += c;
  }
  return scores;
}

/** Different color (cannot replace one another, multilib siblings). */
export function archColorDiffers(a: number, b: number): boolean {
  return a !== NOARCH_SCORE && b !== NOARCH_SCORE && ((a ^ b) & 0xffff0000) !== 0;
}
