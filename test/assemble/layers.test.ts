// The package grouping of --layers: one layer per package while they fit, then the largest alone
// and the rest in bins by name hash, so a small package keeps its bin whatever else changes.
import { describe, expect, it } from 'vitest';
import { groupPackages } from '../../src/assemble/layers.js';
import { parseImageSpec } from '../../src/assemble/spec/index.js';
import { specToOptions } from '../../src/assemble/spec-options.js';

const pkg = (name: string, size: number, buildtime = 0) => ({ key: `${name}-1-1.x86_64`, name, size, buildtime });
const small = Array.from({ length: 40 }, (_, i) => pkg(`lib${i}`, 1000 + i));
const big = [pkg('glibc', 9e6, 10), pkg('python', 8e6, 5), pkg('perl', 7e6, 20)];
const binOf = (groups: string[][], key: string): string[] | undefined => groups.find((g) => g.includes(key));

describe('groupPackages', () => {
  it('gives each package its own layer while they fit, oldest build first', () => {
    const g = groupPackages(big, 15);
    expect(g).toEqual([['python-1-1.x86_64'], ['glibc-1-1.x86_64'], ['perl-1-1.x86_64']]);
  });

  it('puts the largest alone and bins the rest, within the slots, every package once', () => {
    const g = groupPackages([...small, ...big], 15);
    expect(g.length).toBeLessThanOrEqual(15);
    for (const b of big) expect(g).toContainEqual([b.key]);
    expect(g.flat().sort()).toEqual([...small, ...big].map((p) => p.key).sort());
    // a quarter of the slots are bins: 11 alone, 4 bins
    expect(g.filter((x) => x.length === 1).length).toBeGreaterThanOrEqual(11);
  });

  it('is independent of input order', () => {
    const all = [...small, ...big];
    expect(groupPackages([...all].reverse(), 15)).toEqual(groupPackages(all, 15));
  });

  it('keeps a binned package in a bin with the same other members when an unrelated one is updated', () => {
    const before = groupPackages([...small, ...big], 15);
    // lib3 grows a little: it stays binned, and every bin keeps its members
    const after = groupPackages([...small.map((p) => (p.name === 'lib3' ? { ...p, size: p.size + 7 } : p)), ...big], 15);
    expect(after).toEqual(before);
    // a new small package lands in one bin; every other layer is unchanged
    const plus = groupPackages([...small, ...big, pkg('newcomer', 500)], 15);
    const changed = plus.filter((g) => !before.some((b) => b.join() === g.join()));
    expect(changed).toEqual([binOf(plus, 'newcomer-1-1.x86_64')]);
  });
});

describe('image spec key layers', () => {
  it('maps to the layers option and refuses counts outside 1..125', () => {
    const spec = parseImageSpec('distro: centos:7\nlayers: 8\n', 'image.yaml');
    expect(specToOptions(spec).layers).toBe(8);
    for (const bad of ['0', '126', '2.5', 'many']) expect(() => parseImageSpec(`distro: centos:7\nlayers: ${bad}\n`, 'image.yaml'), bad).toThrow(/layers must be an integer 1\.\.125/);
  });
});
