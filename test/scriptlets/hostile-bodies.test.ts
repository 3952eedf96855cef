// A hostile package's scriptlet cannot end the build: bodies that nest past the stack, recurse,
// or build values past memory are reported as not reproduced (the build goes on), in both
// interpreters, with the default bounds.
import { describe, expect, it } from 'vitest';
import { ImageTree } from '../../src/assemble/tree.js';
import { emulateScriptlets } from '../../src/scriptlets/index.js';

function run(prog: string, body: string): string {
  const t = new ImageTree(1_700_000_000);
  t.mkdir('/etc');
  const meta = { name: 'x', version: '1', release: '1', epoch: null, provides: [], triggers: [], scriptlets: [{ kind: 'post', prog: [prog], body }] };
  const r = emulateScriptlets([{ nevra: 'x-1-1.noarch', name: 'x', meta }], t, { sourceDateEpoch: 1_700_000_000 });
  expect(r.emulated).toEqual([]);
  expect(r.skipped).toHaveLength(1);
  return r.skipped[0]!.reason;
}

describe('hostile scriptlet bodies are reported, never fatal', () => {
  it('lua: many big strings together stop at the total bound (no out-of-memory)', () => {
    expect(run('<lua>', 'local t = {} for i = 1, 100 do t[i] = string.upper(string.rep("x", 60000000)) end')).toMatch(/built more than \d+ bytes of strings/);
  });
  it('lua: a body nested past the parser stack is a syntax error', () => {
    expect(run('<lua>', `return ${'('.repeat(20_000)}1${')'.repeat(20_000)}`)).toMatch(/nests too deep/);
  });
  it('sh: endless recursion stops at the call depth', () => {
    expect(run('/bin/sh', 'f() { f; }\nf\n')).toMatch(/functions nested deeper than 200 calls/);
  });
  it('sh: a value doubling in a loop stops at the byte bound', () => {
    expect(run('/bin/sh', 'x=a\nwhile true; do x="$x$x"; done\n')).toMatch(/over the \d+ byte bound/);
  });
  it('sh: a brace-expansion bomb stops at the word bound', () => {
    expect(run('/bin/sh', `echo ${'{a,b}'.repeat(24)}\n`)).toMatch(/brace expansion of more than 10000 words/);
  });
  it('sh: subshells nested past the stack are reported', () => {
    expect(run('/bin/sh', `${'('.repeat(20_000)}true${')'.repeat(20_000)}\n`)).toMatch(/stopped: the script nests too deep/);
  });
});

describe('what is reported of a hostile scriptlet is bounded', () => {
  const one = (prog: string, body: string) => {
    const t = new ImageTree(1_700_000_000);
    const meta = { name: 'x', version: '1', release: '1', epoch: null, provides: [], triggers: [], scriptlets: [{ kind: 'post', prog: [prog], body }] };
    const r = emulateScriptlets([{ nevra: 'x-1-1.noarch', name: 'x', meta }], t, { sourceDateEpoch: 1_700_000_000 });
    expect(r.skipped).toHaveLength(1);
    return r.skipped[0]!;
  };
  it('a 20,000-character first line: the first line and the reason are cut, with their full length', () => {
    const line = `frobnicate ${'A'.repeat(20_000)}`;
    const s = one('/bin/sh', `${line}\n`);
    expect(s.firstLine).toBe(`${line.slice(0, 285)}… (${line.length} chars)`);
    expect(s.reason.length).toBeLessThanOrEqual(300);
    expect(s.reason).toMatch(/^.*frobnicate A+… \(\d+ chars\)$/);
  });
  it('lua: a message that embeds a 5 MB value is cut, once', () => {
    const s = one('<lua>', 'posix.chown("/", string.rep("u", 5000000), 0)');
    expect(s.reason).toMatch(/^lua: posix\.chown \/: u+… \(50000\d\d chars\)$/);
    expect(s.reason.length).toBeLessThanOrEqual(300);
  });
  it('many distinct problems: ten are listed, the rest counted', () => {
    const s = one('/bin/sh', Array.from({ length: 50 }, (_, i) => `frob${i} --x`).join('\n'));
    expect(s.reason.split('; ')).toHaveLength(11);
    expect(s.reason).toMatch(/; 40 more not listed$/);
  });
});
