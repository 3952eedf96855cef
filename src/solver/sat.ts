// A CDCL SAT core (two watched literals, first-UIP learning, non-chronological backjumps).
// Decisions come from the caller (the policy), as in libsolv; this file only propagates,
// learns and backtracks. Literals: variable v true = 2v, false = 2v+1.

export const lit = (v: number, positive: boolean): number => (v << 1) | (positive ? 0 : 1);
export const litVar = (l: number): number => l >> 1;
export const litPositive = (l: number): boolean => (l & 1) === 0;

export class Sat {
  readonly nvars: number;
  /** per variable: 0 undecided, 1 true, -1 false */
  readonly val: Int8Array;
  readonly level: Int32Array;
  /** clause that implied the variable, -1 for decisions */
  readonly reason: Int32Array;
  readonly trail: number[] = [];
  readonly trailLim: number[] = [];
  readonly clauses: number[][] = [];
  /** number of original (non-learned) clauses; learned ones follow */
  originals = 0;
  /** for learned clauses: the clauses resolved to derive them, and level-0 vars dropped */
  private readonly ante = new Map<number, { used: number[]; zero: number[] }>();
  private readonly watches: (number[] | undefined)[];
  private qhead = 0;
  /** an original clause that is empty or false at level 0 */
  rootConflict = -1;
  private readonly seen: Uint8Array;

  constructor(nvars: number) {
    this.nvars = nvars;
    this.val = new Int8Array(nvars + 1);
    this.level = new Int32Array(nvars + 1);
    this.reason = new Int32Array(nvars + 1).fill(-1);
    this.seen = new Uint8Array(nvars + 1);
    this.watches = new Array<number[] | undefined>(2 * nvars + 2);
  }

  value(l: number): number {
    const v = this.val[l >> 1]!;
    return l & 1 ? -v : v;
  }

  get decisionLevel(): number {
    return this.trailLim.length;
  }

  /** Add an original clause (only at level 0, before search). Returns its index. */
  addClause(lits: number[]): number {
    const ci = this.clauses.length;
    this.clauses.push(lits);
    this.originals = this.clauses.length;
    if (lits.length === 0) {
      if (this.rootConflict < 0) this.rootConflict = ci;
      return ci;
    }
    if (lits.length === 1) {
      const v = this.value(lits[0]!);
      if (v === 0) this.enqueue(lits[0]!, ci);
      else if (v < 0 && this.rootConflict < 0) this.rootConflict = ci;
      return ci;
    }
    this.watch(lits[0]!, ci);
    this.watch(lits[1]!, ci);
    return ci;
  }

  private watch(l: number, ci: number): void {
    const w = this.watches[l];
    if (w) w.push(ci);
    else this.watches[l] = [ci];
  }

  enqueue(l: number, reason: number): void {
    const v = l >> 1;
    this.val[v] = l & 1 ? -1 : 1;
    this.level[v] = this.trailLim.length;
    this.reason[v] = reason;
    this.trail.push(l);
  }

  decide(l: number): void {
    this.trailLim.push(this.trail.length);
    this.enqueue(l, -1);
  }

  /** Unit propagation; returns a conflicting clause index or -1. */
  propagate(): number {
    while (this.qhead < this.trail.length) {
      const p = this.trail[this.qhead++]!;
      const falseLit = p ^ 1;
      const ws = this.watches[falseLit];
      if (!ws) continue;
      let i = 0;
      let j = 0;
      while (i < ws.length) {
        const ci = ws[i++]!;
        const c = this.clauses[ci]!;
        if (c[0] === falseLit) { c[0] = c[1]!; c[1] = falseLit; }
        if (this.value(c[0]!) > 0) { ws[j++] = ci; continue; }
        let found = false;
        for (let k = 2; k < c.length; k++) {
          const l = c[k]!;
          if (this.value(l) >= 0) {
            c[1] = l;
            c[k] = falseLit;
            this.watch(l, ci);
            found = true;
            break;
          }
        }
        if (found) continue;
        ws[j++] = ci;
        if (this.value(c[0]!) < 0) {
          while (i < ws.length) ws[j++] = ws[i++]!;
          ws.length = j;
          this.qhead = this.trail.length;
          return ci;
        }
        this.enqueue(c[0]!, ci);
      }
      ws.length = j;
    }
    return -1;
  }

  /** First-UIP analysis; returns the learned clause (asserting literal first) and the backjump level. */
  analyze(confl: number): { learnt: number[]; btLevel: number; used: number[]; zero: number[] } {
    const learnt: number[] = [0];
    const used: number[] = [];
    const zero: number[] = [];
    const touched: number[] = [];
    let pathC = 0;
    let p = -1;
    let idx = this.trail.length - 1;
    let ci = confl;
    const cur = this.decisionLevel;
    for (;;) {
      used.push(ci);
      const c = this.clauses[ci]!;
      for (let k = 0; k < c.length; k++) {
        const q = c[k]!;
        if (q === p) continue;
        const v = q >> 1;
        if (this.seen[v]) continue;
        this.seen[v] = 1;
        touched.push(v);
        if (this.level[v] === cur) pathC++;
        else if (this.level[v]! > 0) learnt.push(q);
        else zero.push(v);
      }
      while (!this.seen[this.trail[idx]! >> 1]) idx--;
      p = this.trail[idx]!;
      idx--;
      pathC--;
      if (pathC <= 0) break;
      ci = this.reason[p >> 1]!;
    }
    learnt[0] = p ^ 1;
    for (const v of touched) this.seen[v] = 0;
    let btLevel = 0;
    let maxK = 1;
    for (let k = 1; k < learnt.length; k++) {
      const lv = this.level[learnt[k]! >> 1]!;
      if (lv > btLevel) { btLevel = lv; maxK = k; }
    }
    if (learnt.length > 1) [learnt[1], learnt[maxK]] = [learnt[maxK]!, learnt[1]!];
    return { learnt, btLevel, used, zero };
  }

  /** Add a learned clause after backjumping and assert its first literal. */
  learn(learnt: number[], used: number[], zero: number[]): void {
    const ci = this.clauses.length;
    this.clauses.push(learnt);
    this.ante.set(ci, { used, zero });
    if (learnt.length > 1) {
      this.watch(learnt[0]!, ci);
      this.watch(learnt[1]!, ci);
    }
    this.enqueue(learnt[0]!, ci);
  }

  backtrack(level: number): void {
    if (this.decisionLevel <= level) return;
    const lim = this.trailLim[level]!;
    for (let k = this.trail.length - 1; k >= lim; k--) {
      const v = this.trail[k]! >> 1;
      this.val[v] = 0;
      this.reason[v] = -1;
    }
    this.trail.length = lim;
    this.trailLim.length = level;
    this.qhead = lim;
  }

  /**
   * The original clauses a level-0 conflict rests on (an unsatisfiable core, not minimal):
   * the conflict clause, the reasons of its level-0 literals, and what learned clauses came from.
   */
  core(confl: number): number[] {
    const out = new Set<number>();
    const doneC = new Set<number>();
    const doneV = new Set<number>();
    const stackC = [confl];
    const stackV: number[] = [];
    while (stackC.length || stackV.length) {
      const ci = stackC.pop();
      if (ci !== undefined) {
        if (doneC.has(ci)) continue;
        doneC.add(ci);
        if (ci < this.originals) out.add(ci);
        else {
          const a = this.ante.get(ci);
          if (a) { stackC.push(...a.used); stackV.push(...a.zero); }
        }
        for (const l of this.clauses[ci]!) stackV.push(l >> 1);
        continue;
      }
      const v = stackV.pop()!;
      if (doneV.has(v)) continue;
      doneV.add(v);
      const r = this.reason[v]!;
      if (this.val[v] !== 0 && r >= 0) stackC.push(r);
    }
    return [...out].sort((a, b) => a - b);
  }
}
