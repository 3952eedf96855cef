// The provides index the pool builds itself for repos whose metadata came without a stored
// PackageIndex (libsolv testcases, packages built in memory): the same (id, position) pairs.
import { Sense } from '../types/deps.js';
import type { RepoPackage } from '../types/package.js';

/** `name = E:V-R` of a package, as its self-provide reads */
export function evrString(p: { epoch: number; version: string; release: string }): string {
  const e = p.epoch ? `${p.epoch}:` : '';
  return p.release ? `${e}${p.version}-${p.release}` : `${e}${p.version}`;
}

/** does the package list its own `name = E:V-R` (rpm adds it; old metadata may not)? */
export function hasSelfProvide(pkg: RepoPackage): boolean {
  for (const d of pkg.provides) if (d.name === pkg.name && (d.flags & Sense.EQUAL) !== 0 && sameEvr(d.version, pkg)) return true;
  return false;
}

function sameEvr(version: string, p: RepoPackage): boolean {
  return version === evrString(p) || version === `0:${p.version}-${p.release}` || version === `${p.epoch}:${p.version}-${p.release}`;
}

/**
 * CSR form: name -> ordinal; entries of ordinal o are the pairs [solvable id, index into
 * pkg.provides (-1 = self-provide)] in data[2*start[o] .. 2*start[o+1]). Two passes without
 * per-name arrays keep pool building cheap.
 */
export class OwnProvides {
  private readonly ord = new Map<string, number>();
  private readonly start: Int32Array;
  private readonly data: Int32Array;

  /** pkgs[id] for the given ids; selfless: ids whose metadata lacks the self-provide */
  constructor(pkgs: readonly RepoPackage[], ids: readonly number[], selfless: ReadonlySet<number>) {
    const ord = this.ord;
    const counts: number[] = [];
    const count = (name: string): void => {
      const o = ord.get(name);
      if (o === undefined) { ord.set(name, counts.length); counts.push(1); } else counts[o]!++;
    };
    for (const id of ids) {
      const pkg = pkgs[id]!;
      for (const d of pkg.provides) count(d.name);
      if (selfless.has(id)) count(pkg.name);
    }
    const start = new Int32Array(counts.length + 1);
    for (let o = 0; o < counts.length; o++) start[o + 1] = start[o]! + counts[o]!;
    const cursor = start.slice(0, counts.length);
    const data = new Int32Array(start[counts.length]! * 2);
    const put = (name: string, id: number, k: number): void => {
      const at = cursor[ord.get(name)!]!++ * 2;
      data[at] = id;
      data[at + 1] = k;
    };
    for (const id of ids) {
      const pkg = pkgs[id]!;
      const provs = pkg.provides;
      for (let k = 0; k < provs.length; k++) put(provs[k]!.name, id, k);
      if (selfless.has(id)) put(pkg.name, id, -1);
    }
    this.start = start;
    this.data = data;
  }

  /** (solvable id, position) pairs of a provide name, or undefined */
  provides(name: string): Int32Array | undefined {
    const o = this.ord.get(name);
    return o === undefined ? undefined : this.data.subarray(this.start[o]! * 2, this.start[o + 1]! * 2);
  }
}
