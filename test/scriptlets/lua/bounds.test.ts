// A hostile or broken <lua> scriptlet stops with a reported reason instead of hanging or
// exhausting the build, and what cannot be reproduced is reported, never half-applied silently.
import { describe, expect, it } from 'vitest';
import { ImageTree } from '../../../src/assemble/tree.js';
import { emulateScriptlets } from '../../../src/scriptlets/index.js';
import { hasLua51, ourLua, realLua } from './helpers.js';

const SMALL = { steps: 200_000, tableKeys: 10_000, stringBytes: 1 << 20, depth: 100, totalBytes: 256 << 20 };

describe('lua bounds', () => {
  it('an endless loop stops at the step bound', () => {
    const r = ourLua('while true do end', { limits: SMALL });
    expect(r.problems).toEqual(['lua: stopped after 200000 steps (a loop that does not end?)']);
  });
  it('a growing string stops at the byte bound (concatenation, rep, gsub)', () => {
    expect(ourLua('local s = "x" while true do s = s .. s end', { limits: SMALL }).problems[0]).toMatch(/byte bound/);
    expect(ourLua('local s = string.rep("x", 1e9)', { limits: SMALL }).problems[0]).toMatch(/byte bound/);
    expect(ourLua('local s = string.rep("x", 1000) s = s:gsub("x", string.rep("y", 2000))', { limits: SMALL }).problems[0]).toMatch(/byte bound/);
  });
  it('a growing table stops at the entry bound', () => {
    expect(ourLua('local t = {} local i = 0 while true do i = i + 1 t[i] = i end', { limits: { ...SMALL, steps: 1e7 } }).problems[0]).toMatch(/table entries/);
  });
  it('runaway recursion is a Lua error (pcall sees it), not a crash', () => {
    const r = ourLua('local function f() return 1 + f() end print(pcall(f))', { limits: SMALL });
    expect(r.problems).toEqual([]);
    expect(r.out).toMatch(/^false\t.*stack overflow/);
  });
  it('a pathological pattern is bounded by steps', () => {
    const r = ourLua('string.find(string.rep("a", 5000), string.rep("a*", 30) .. "b")', { limits: SMALL });
    expect(r.problems[0]).toMatch(/steps/);
  });
});

describe('lua: what is reported', () => {
  const tree = (): ImageTree => {
    const t = new ImageTree(1_700_000_000);
    t.mkdir('/etc');
    t.mkdir('/sbin');
    return t;
  };
  const run = (body: string, t = tree()) => emulateScriptlets([{ nevra: 'x-1-1.noarch', name: 'x', meta: { name: 'x', version: '1', release: '1', epoch: null, provides: [], triggers: [], scriptlets: [{ kind: 'post', prog: ['<lua>'], body }] } }], t, { sourceDateEpoch: 1_700_000_000 });
  it.each([
    ['io.popen("ls")', /io\.popen/],
    ['posix.exec("/bin/true")', /outside a forked child would replace rpm itself/],
    ['os.exit(0)', /os\.exit would end rpm itself/],
    ['print(posix.uname())', /build host's name/],
    ['print(math.random())', /random/],
    ['print(rpm.expand("%{_libdir}"))', /target's macro files/],
    ['x = = 1', /lua syntax error/],
    ['goto done', /goto/],
  ])('%s', (body, reason) => {
    const r = run(body);
    expect(r.emulated).toEqual([]);
    expect(r.skipped[0]?.reason).toMatch(reason);
  });
  it('a Lua error is the scriptlet failing, as rpm reports it', () => {
    const r = run('error("FATAL: kernel too old", 0)');
    expect(r.skipped[0]?.reason).toBe('lua error: FATAL: kernel too old; exits 1 under emulation');
  });
  it('libgcc %post once glibc is in: the fork/exec of /sbin/ldconfig runs the emulated ldconfig, then the parent waits', () => {
    const t = tree();
    t.writeFile('/sbin/ldconfig', '', { mode: 0o755 });
    t.writeFile('/etc/ld.so.conf', '');
    const r = run('if posix.access ("/sbin/ldconfig", "x") then\n  local pid = posix.fork ()\n  if pid == 0 then\n    posix.exec ("/sbin/ldconfig")\n  elseif pid ~= -1 then\n    print(posix.wait (pid))\n  end\nend\n', t);
    expect(r.skipped).toEqual([]);
    expect(r.emulated.map((e) => e.scriptlet)).toEqual(['post', 'ldconfig']);
    expect(t.exists('/etc/ld.so.cache')).toBe(true);
  });
  it('posix.files and posix.dir of a missing directory return nil and the error, as lposix does', () => {
    const r = run('local it, msg, errno = posix.files("/nope")\nassert(it == nil and errno == 2, msg)\nassert(posix.dir("/nope") == nil)\n');
    expect(r.skipped).toEqual([]);
  });
  it('a forked child that writes before exec is reported', () => {
    const r = run('local pid = posix.fork()\nif pid == 0 then\n  posix.mkdir("/x")\n  posix.exec("/sbin/ldconfig")\nend\n');
    expect(r.skipped[0]?.reason).toMatch(/in a forked child before exec/);
  });
});

describe('lua 5.1 library bounds, as lua5.1 has them', () => {
  it.each([
    ['print(pcall(string.format, "%500000000d", 1))', 'false\tinvalid format (width or precision too long)\n'],
    ['print(pcall(string.format, "%.999f", 1))', 'false\tinvalid format (width or precision too long)\n'],
    ['print(pcall(string.format, "%------d", 1))', 'false\tinvalid format (repeated flags)\n'],
    ['print(pcall(unpack, {}, 1, 1e8))', 'false\ttoo many results to unpack\n'],
    ['print(select("#", unpack({}, 1, 7000)))', '7000\n'],
  ])('%s', (src, want) => {
    expect(ourLua(src).out).toBe(want);
    if (hasLua51) expect(realLua(src).out).toBe(want);
  });
});
