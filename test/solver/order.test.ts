import { describe, expect, it } from 'vitest';
import { installOrder } from '../../src/solver/index.js';
import { Sense } from '../../src/types/deps.js';
import { parseTesttags } from './testcase-parser.js';

const pkgs = (t: string) => parseTesttags(t.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => `#>${l}`), 'r');
const names = (t: string, input?: (ps: ReturnType<typeof pkgs>) => ReturnType<typeof pkgs>) => {
  const ps = pkgs(t);
  return installOrder(input ? input(ps) : ps).map((p) => p.name);
};

describe('installOrder (rpm tsort)', () => {
  it('puts providers before the packages that require them', () => {
    // rule: a package comes after what it requires
    expect(names(`
      =Pkg: app 1 1 noarch
      =Req: lib
      =Pkg: lib 1 1 noarch
      =Req: base
      =Pkg: base 1 1 noarch`)).toEqual(['base', 'lib', 'app']);
  });
  it('breaks a requires loop by keeping the Requires(pre) edge', () => {
    // rule: inside a loop ordinary requires are dropped first; prereqs are kept
    expect(names(`
      =Pkg: a 1 1 noarch
      =Req: b
      =Pkg: b 1 1 noarch
      =Prq: a`)).toEqual(['a', 'b']);
    expect(names(`
      =Pkg: a 1 1 noarch
      =Prq: b
      =Pkg: b 1 1 noarch
      =Req: a`)).toEqual(['b', 'a']);
  });
  it('finds file providers and ignores rpmlib() and self dependencies', () => {
    expect(names(`
      =Pkg: tool 1 1 noarch
      =Req: /bin/sh
      =Req: rpmlib(CompressedFileNames) <= 3.0.4-1
      =Req: tool
      =Pkg: bash 1 1 x86_64
      =Fls: /bin/sh`)).toEqual(['bash', 'tool']);
  });
  it('prefers packages many others depend on when several are ready', () => {
    // rule: rpm's addQ orders ready packages by how many depend on them; packages freed by
    // the one just placed are queued right behind it
    expect(names(`
      =Pkg: a 1 1 noarch
      =Pkg: b 1 1 noarch
      =Pkg: c 1 1 noarch
      =Req: b
      =Pkg: d 1 1 noarch
      =Req: b`)).toEqual(['b', 'c', 'd', 'a']);
  });
  it('is stable for the same input and keeps every package once', () => {
    const t = `
      =Pkg: x 1 1 noarch
      =Req: y
      =Pkg: y 1 1 noarch
      =Req: z
      =Pkg: z 1 1 noarch
      =Req: x`;
    const a = names(t);
    expect(a).toEqual(names(t));
    expect([...a].sort()).toEqual(['x', 'y', 'z']);
    const flags = pkgs(`=Pkg: q 1 1 noarch\n=Prq: x`)[0]!.requires[0]!.flags;
    expect(flags & Sense.PREREQ).toBeTruthy();
  });
});
