// util/glob against glibc's fnmatch(3) (flags 0 and FNM_CASEFOLD), called through python3's
// ctypes: the function dnf's package globs go through.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { globToRegExp, isGlob } from '../../src/util/glob.js';

const FNMATCH = `
import ctypes, json, sys
libc = ctypes.CDLL('libc.so.6')
cases = json.load(sys.stdin)
print(json.dumps([libc.fnmatch(p.encode(), s.encode(), f) == 0 for p, s, f in cases]))
`;

function glibc(cases: [string, string, number][]): boolean[] | null {
  try {
    return JSON.parse(execFileSync('python3', ['-c', FNMATCH], { input: JSON.stringify(cases), encoding: 'utf8' })) as boolean[];
  } catch {
    return null;
  }
}

const FNM_CASEFOLD = 16;
const PATTERNS = [
  'foo[', 'foo[ab', '[!a]*', '[^a]*', '*\\*', 'a\\', '\\a', '[]]', '[]a]*', '[!]]', '[a-c]x', '[c-a]x', '[!c-a]x', '[a-]', '[-a]',
  '[[:digit:]]*', '[[:alpha:][:digit:]]', '[[:nosuch:]]', '[[:Alpha:]]', '[[:alpha:]', '[\\]]', '[a\\-z]', 'lib*.so.?', '?', '*',
  'glibc-[0-9]*.x86_64', 'a*b*c', '[.]*', '(x)+', '$^|{1}', '*/bin/*', '[\\', '[a-', '[a-\\', '[a-\\]]', '[!', '[!]', '[^]]', '[z-]', 'f?o*[xyz]',
];
const STRINGS = [
  'foo[', 'foo[ab', 'fooa', 'abc', 'bcd', 'a*', '*', 'a', 'a\\', ']', ']x', 'ax', 'bx', 'dx', '-', 'z', '7up', '5', 'x', 'X', '[',
  'libfoo.so.6', 'glibc-2.17.x86_64', 'glibc-common.x86_64', 'aXbYc', '.hidden', '(x)+', '$^|{1}', '/usr/bin/sh', 'fao[y', '',
  'A', 'B1', 'a-z', '[a-',
];

describe('globToRegExp (fnmatch)', () => {
  it('the review cases: an unclosed [ is literal, [!...] negates, \\ quotes', () => {
    expect(() => globToRegExp('foo[')).not.toThrow();
    expect(globToRegExp('foo[').test('foo[')).toBe(true);
    expect(globToRegExp('foo[').test('foo')).toBe(false);
    expect(globToRegExp('[!a]*').test('bash')).toBe(true);
    expect(globToRegExp('[!a]*').test('attr')).toBe(false);
    expect(globToRegExp('*\\*').test('weird*')).toBe(true);
    expect(globToRegExp('*\\*').test('weird')).toBe(false);
    expect(globToRegExp('a\\').test('a\\')).toBe(false);
    expect(globToRegExp('BASH*', true).test('bash-completion')).toBe(true);
    expect(globToRegExp('BASH*').test('bash-completion')).toBe(false);
  });

  it('isGlob is dnf is_glob_pattern', () => {
    expect(['a*', 'a?', 'a[', 'bash'].map(isGlob)).toEqual([true, true, true, false]);
  });

  const cases: [string, string, number][] = PATTERNS.flatMap((p) => STRINGS.flatMap((s) => [[p, s, 0], [p, s, FNM_CASEFOLD]] as [string, string, number][]));
  const want = glibc(cases);
  it.skipIf(want === null)('agrees with glibc fnmatch on every pattern x string', () => {
    const got = cases.map(([p, s, f]) => globToRegExp(p, f !== 0).test(s));
    const diff = cases.flatMap(([p, s, f], i) => (got[i] === want![i] ? [] : [`${p} ~ ${JSON.stringify(s)}${f ? ' (icase)' : ''}: glibc says ${String(want![i])}`]));
    expect(diff).toEqual([]);
  });
});
