// Multilib lock-step: libsolv's infarch rules (rules.c solver_addinfarchrules) for an empty
// root with multilib colors (implicitobsoleteusescolors, x86_64 next to i686).
import { NOARCH_SCORE } from './arch.js';
import type { Pool } from './pool.js';
import { lit } from './sat.js';

/** what lock-step needs of rules.ts's RuleBuilder (declared here so the two files do not import each other) */
export interface Closure {
  readonly pool: Pool;
  readonly opts: { readonly implicitObsoleteUsesColors: boolean; readonly excluded: Uint8Array };
  readonly reachable: readonly number[];
  isReachable(id: number): boolean;
  enqueue(id: number): void;
  drain(): void;
}

export interface InfarchRule { lits: number[]; info: { type: 'lockstep'; pkg: number; others: number[] } }

/**
 * For each name, the best arch among the reachable packages of that name decides; a package of
 * another color (i686 next to x86_64) may only be installed together with a sibling of the best
 * color (or noarch) with the same EVR, so both arches move in lock-step; with no such sibling it
 * cannot be installed. Names requested with an arch (`zlib.i686`, libsolv's SOLVER_SETARCH) are
 * exempt. Siblings join the closure so their own rules exist.
 */
export function infarchRules(rb: Closure, exempt: ReadonlySet<string>): InfarchRule[] {
  if (!rb.opts.implicitObsoleteUsesColors || !rb.pool.scores) return [];
  // until the closure stops growing: a sibling's dependencies may add packages of a name seen before
  for (;;) {
    const before = rb.reachable.length;
    const out = infarchPass(rb, exempt);
    if (rb.reachable.length === before) return out;
  }
}

function infarchPass(rb: Closure, exempt: ReadonlySet<string>): InfarchRule[] {
  const { pool, opts } = rb;
  const out: InfarchRule[] = [];
  // only names reached in two arch colors can have an inferior-arch package: find those first
  const colorOf = new Map<string, number>();
  const mixed: string[] = [];
  for (let i = 0; i < rb.reachable.length; i++) {
    const s = pool.solvable(rb.reachable[i]!);
    const a = s.archScore;
    if (!a || a === NOARCH_SCORE) continue;
    const c = colorOf.get(s.pkg.name);
    if (c === undefined) colorOf.set(s.pkg.name, a & 0xffff0000);
    else if (c !== -1 && c !== (a & 0xffff0000)) { colorOf.set(s.pkg.name, -1); mixed.push(s.pkg.name); }
  }
  for (const name of mixed) {
    if (exempt.has(name)) continue;
    const same = pool.named(name).filter((q) => rb.isReachable(q));
    let best = 0;
    for (const q of same) {
      const a = pool.solvable(q).archScore;
      if (a && a !== NOARCH_SCORE && (!best || a < best)) best = a;
    }
    if (!best) continue;
    for (const p of same) {
      const sp = pool.solvable(p);
      const a = sp.archScore;
      if (a === NOARCH_SCORE || ((a ^ best) & 0xffff0000) === 0) continue;
      const others = pool.named(name).filter((q) => {
        if (q === p || opts.excluded[q]) return false;
        const sq = pool.solvable(q);
        if (sq.pkg.arch === sp.pkg.arch || sq.pkg.epoch !== sp.pkg.epoch || sq.pkg.version !== sp.pkg.version || sq.pkg.release !== sp.pkg.release) return false;
        return sq.archScore === NOARCH_SCORE || ((sq.archScore ^ best) & 0xffff0000) === 0;
      });
      out.push({ lits: [lit(p, false), ...others.map((q) => lit(q, true))], info: { type: 'lockstep', pkg: p, others } });
      for (const q of others) rb.enqueue(q);
    }
    // siblings pulled in need their own rules (and may bring new names)
    rb.drain();
  }
  return out;
}

/**
 * Lock-step candidates of a package joining the closure (libsolv's addpkgrulesforsolvable): the
 * same EVR in a better arch, so the infarch rules can ask for it.
 */
export function lockstepCandidates(rb: Closure, id: number): void {
  const { pool, opts } = rb;
  const a = pool.archScoreOf(id);
  if (!opts.implicitObsoleteUsesColors || !a || a === NOARCH_SCORE || a <= pool.bestArchScore) return;
  const pkg = pool.pkgOf(id);
  const same = pool.named(pkg.name);
  for (let i = 0; i < same.length; i++) {
    const q = same[i]!;
    if (rb.isReachable(q) || opts.excluded[q]) continue;
    const sa = pool.archScoreOf(q);
    if (!sa || sa === NOARCH_SCORE || sa >= a) continue;
    const qp = pool.pkgOf(q);
    if (qp.epoch === pkg.epoch && qp.version === pkg.version && qp.release === pkg.release) rb.enqueue(q);
  }
}
