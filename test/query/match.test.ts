// Query specs and search over in-memory packages: fnmatch globs (util/glob), dnf's
// latest_per_arch_by_priority, and search keys counted as a set.
import { describe, expect, it } from 'vitest';
import { latestPerNameArch, matchSpecs, specMatcher } from '../../src/query/match.js';
import { searchIn } from '../../src/query/search.js';
import type { RepoPackage } from '../../src/types/index.js';
import { parseTesttags } from '../solver/testcase-parser.js';

const pkgs = (repo: string, ...lines: string[]): RepoPackage[] => parseTesttags(lines.map((l) => `#>=Pkg: ${l}`), repo);
const names = (ps: RepoPackage[]): string[] => ps.map((p) => `${p.name}-${p.version}@${p.repo}`);

describe('query specs', () => {
  const all = [
    ...pkgs('m', 'attr 2.5 1 x86_64', 'bash 5.2 1 x86_64', 'openssh 9.3 1 x86_64', 'openssh-clients 9.3 1 x86_64', 'weird* 1 1 noarch'),
  ];
  const files = async (): Promise<string[]> => [];

  it("an unclosed '[' is a plain character, not a RegExp error", async () => {
    expect(() => specMatcher('foo[')).not.toThrow();
    expect(await matchSpecs(all, ['foo['], files)).toEqual([]);
    expect(await matchSpecs(all, ['bash['], files)).toEqual([]);
  });

  it('[!a]* negates, *\\* ends in a literal *', async () => {
    expect(names(await matchSpecs(all, ['[!a]*'], files))).toEqual(['bash-5.2@m', 'openssh-9.3@m', 'openssh-clients-9.3@m', 'weird*-1@m']);
    expect(names(await matchSpecs(all, ['*\\*'], files))).toEqual(['weird*-1@m']);
    // names compare case-insensitively, as dnf's query commands do
    expect(names(await matchSpecs(all, ['OPENSSH-[c]*'], files))).toEqual(['openssh-clients-9.3@m']);
  });

  it('search: a key given twice counts once', () => {
    const one = searchIn(all, ['ssh']).map((m) => m.package.name);
    expect(one).toEqual(['openssh', 'openssh-clients']);
    expect(searchIn(all, ['ssh', 'ssh']).map((m) => m.package.name)).toEqual(one);
    expect(searchIn(all, ['ssh', 'SSH'])[0]?.keys).toEqual(['ssh', 'SSH']);
    expect(searchIn(all, ['ssh', 'clients']).map((m) => m.package.name)).toEqual(['openssh-clients']);
  });

  it('latest per name.arch, and with priorities the best priority first', () => {
    const a = pkgs('a', 'bash 5.1 1 x86_64', 'bash 5.2 1 x86_64');
    const b = pkgs('b', 'bash 5.3 1 x86_64', 'bash 5.3 1 i686');
    const both = [...a, ...b];
    expect(names(latestPerNameArch(both))).toEqual(['bash-5.3@b', 'bash-5.3@b']);
    const prio = (p: RepoPackage): number => (p.repo === 'a' ? 10 : 99);
    expect(names(latestPerNameArch(both, prio))).toEqual(['bash-5.2@a', 'bash-5.3@b']);
  });
});
