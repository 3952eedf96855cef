// Package-level behaviour on real packages: stream sources, hard links, caps, scriptlets,
// triggers, format versions, and the inspect command.
import { createReadStream, readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRpm, type PayloadEntry } from '../../src/rpm/index.js';
import { isRfsError } from '../../src/errors/index.js';
import { inspectCommand } from '../../src/cli/commands/inspect.js';
import { reportError, type CliIO } from '../../src/cli/io.js';
import { HAVE_REALDATA, RPMS } from './helpers.js';

const P = (p: string): string => join(RPMS, p);

async function collect(it: AsyncIterable<PayloadEntry>) {
  const out: { path: string; size: number; set: number[] | null; data: string }[] = [];
  for await (const e of it) {
    const parts: Buffer[] = [];
    for await (const c of e.content) parts.push(Buffer.from(c));
    out.push({ path: e.file.path, size: e.size, set: e.hardlinkSet, data: Buffer.concat(parts).toString('latin1') });
  }
  return out;
}

function captureIO(): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { stdout, stderr, env: {}, cwd: '/', out: () => out, err: () => err };
}

describe.skipIf(!HAVE_REALDATA)('openRpm on real packages', () => {
  it('reads from a Node stream; payload checks are added once entries() finishes', async () => {
    const file = P('rpmlint/xrootd-devel-5.5.4-1.fc37.x86_64.rpm');
    const fromPath = await openRpm(file);
    const pkg = await openRpm(createReadStream(file, { highWaterMark: 4096 }));
    expect(pkg.checks.map((c) => c.name)).toEqual(['sha256header', 'sha1header']);
    const a = await collect(pkg.entries());
    expect(pkg.checks.map((c) => c.name).sort()).toEqual(fromPath.checks.map((c) => c.name).sort());
    expect(fromPath.checks.map((c) => c.name)).toEqual(['sha256header', 'sha1header', 'size', 'payloadsha256']);
    expect(a).toEqual(await collect(fromPath.entries()));
    expect(() => pkg.entries()).toThrow(/iterated once/);
  });

  it('a payload corrupted in a stream fails at the end of entries() with a digest mismatch', async () => {
    const bytes = new Uint8Array(readFileSync(P('rpm-testsuite/hello-2.0-1.x86_64.rpm')));
    const pkg0 = await openRpm(bytes);
    // flip a byte in the gzip trailer (CRC): gzip would notice too, the digest first
    bytes[bytes.length - 6]! ^= 1;
    async function* src() {
      yield bytes;
    }
    const pkg = await openRpm(src());
    let code = '';
    try {
      await collect(pkg.entries());
    } catch (e) {
      code = isRfsError(e) ? e.code : String(e);
    }
    expect(['RFS_RPM_DIGEST_MISMATCH', 'RFS_DECOMPRESS']).toContain(code);
    expect(pkg0.checks.length).toBeGreaterThan(0);
  });

  it('hard-link sets: every member listed, the data on the last one', async () => {
    const pkg = await openRpm(P('rpm-testsuite/hlinktest-1.0-1.noarch.rpm'));
    const entries = await collect(pkg.entries());
    const hello = entries.filter((e) => e.path.startsWith('/foo/hello'));
    expect(hello.map((e) => e.path)).toEqual(['/foo/hello', '/foo/hello-bar', '/foo/hello-foo', '/foo/hello-world']);
    const set = hello[0]!.set!;
    expect(set.map((i) => pkg.meta.files[i]!.path)).toEqual(hello.map((e) => e.path));
    expect(hello.map((e) => e.size)).toEqual([0, 0, 0, 29]);
    expect(hello[3]!.data.length).toBe(29);
    // the same in the v6 (stripped cpio) package
    const v6 = await collect((await openRpm(P('rpm-rs/v6/rpm-hardlinks-1.0-1.noarch.rpm'))).entries());
    expect(v6.filter((e) => e.set).map((e) => [e.path, e.size > 0])).toEqual([
      ['/opt/rpm-hardlinks/alpha-1', false], ['/opt/rpm-hardlinks/alpha-2', false], ['/opt/rpm-hardlinks/alpha-3', true],
      ['/opt/rpm-hardlinks/beta-1', false], ['/opt/rpm-hardlinks/beta-2', true],
    ]);
  });

  it('file capabilities, scriptlet interpreters, triggers', async () => {
    const attrs = await openRpm(P('rpm-rs/v6/rpm-file-attrs-1.0-1.noarch.rpm'), { headerOnly: true });
    expect(attrs.meta.files.find((f) => f.path.endsWith('/with_caps'))!.caps).toBe('cap_sys_ptrace,cap_sys_admin=ep');
    const lua = await openRpm(P('rpm-testsuite/luafork-1.0-1.noarch.rpm'), { headerOnly: true });
    expect(lua.meta.scriptlets.map((s) => [s.kind, s.prog])).toEqual([['pre', ['<lua>']]]);
    const s = await openRpm(P('rpm-rs/v6/rpm-scriptlets-1.0-1.noarch.rpm'), { headerOnly: true });
    expect(s.meta.scriptlets.map((x) => x.kind)).toEqual(['pretrans', 'pre', 'post', 'preun', 'postun', 'posttrans', 'verify']);
    expect(s.meta.scriptlets.every((x) => x.prog[0] === '/bin/sh' && x.body.length > 0)).toBe(true);
    expect(s.meta.triggers.map((t) => [t.kind, t.conditions.map((c) => `${c.name} ${c.flags & 14} ${c.version}`)])).toEqual([
      ['triggerprein', ['bash 0 ']], ['triggerin', ['bash 4 5.0']], ['triggerun', ['bash 10 6.0']], ['triggerpostun', ['bash 0 ']],
    ]);
    const old = await openRpm(P('centos-release/centos-release-4-0.1.i386.rpm'), { headerOnly: true });
    expect(old.meta.triggers).toMatchObject([{ kind: 'triggerpostun', conditions: [{ name: 'redhat-release', version: '7.1.93-1' }] }]);
  });

  it('checks the strongest payload digest there is: MD5 on old packages, the archive digest when it is the only one', async () => {
    const old = await openRpm(P('centos-release/centos-release-5-0.0.el5.centos.2.x86_64.rpm'));
    expect(old.checks.map((c) => c.name)).toEqual(['sha1header', 'size', 'md5']);
    const v3 = await openRpm(P('rpm-testsuite/hello-1.0-1.x86_64.rpm-v3'));
    expect(v3.checks.map((c) => c.name)).toEqual(['size', 'md5']);
  });

  it('stops with RFS_ABORTED when the signal fires, between and inside entries', async () => {
    const pkg = await openRpm(P('rpmlint/mc-4.8.15-10.3.1.x86_64.rpm'));
    const ac = new AbortController();
    let code = '';
    let seen = 0;
    try {
      for await (const e of pkg.entries({ signal: ac.signal })) {
        for await (const _ of e.content) if (e.size > 10000) ac.abort();
        seen++;
      }
    } catch (e) {
      code = isRfsError(e) ? e.code : String(e);
    }
    expect(code).toBe('RFS_ABORTED');
    expect(seen).toBeLessThan(pkg.meta.files.length);
  });

  it('rejects archive names that are absolute, climb with .., or are not in the header', async () => {
    const file = P('go-rpmutils/payload-test-0.1-w.ufdio.x86_64.rpm'); // uncompressed payload
    const bytes = new Uint8Array(readFileSync(file));
    const at = Buffer.from(bytes).indexOf('./usr/share/payload-test.txt');
    expect(at).toBeGreaterThan(0);
    const variant = (name: string): Uint8Array => {
      const b = bytes.slice();
      b.set(Buffer.from(name), at);
      return b;
    };
    for (const [name, why] of [
      ['//usr/share/payload-test.txt', /absolute/],
      ['./../share/payload-test.txt', /'\.\.'/],
      ['./usr/share/payload-tesT.txt', /not in the header/],
    ] as const) {
      let err: unknown;
      try {
        await collect((await openRpm(variant(name), { verify: false })).entries());
      } catch (e) {
        err = e;
      }
      expect(isRfsError(err) && err.code, name).toBe('RFS_UNSAFE_PATH');
      expect((err as Error).message).toMatch(why);
    }
    // with digests on, the same damage is caught before any entry is produced
    let code = '';
    try {
      await openRpm(variant('./../share/payload-test.txt'));
    } catch (e) {
      code = isRfsError(e) ? e.code : String(e);
    }
    expect(code).toBe('RFS_RPM_DIGEST_MISMATCH');
  });

  it('knows the format generations and refuses the payload of a headerOnly package', async () => {
    expect((await openRpm(P('rpm-testsuite/hello-1.0-1.x86_64.rpm-v3'), { headerOnly: true })).meta.formatVersion).toBe(3);
    expect((await openRpm(P('rpm-testsuite/hello-2.0-1.x86_64.rpm'), { headerOnly: true })).meta.formatVersion).toBe(4);
    const v6 = await openRpm(P('rpm-rs/v6/rpm-basic-2.3.4-5.el9.noarch.rpm'), { headerOnly: true });
    expect(v6.meta.formatVersion).toBe(6);
    expect(v6.lead.major).toBe(4);
    expect(() => v6.entries()).toThrow(/headerOnly/);
    const src = await openRpm(P('header-only/fping-2.2b1-1.src.rpm'), { headerOnly: true });
    expect(src.meta.arch).toBe('src');
  });

  it('inspect --json prints the package as one JSON object', async () => {
    const io = captureIO();
    expect(await inspectCommand(['--json', P('rpm-testsuite/hello-2.0-1.x86_64.rpm')], io)).toBe(0);
    const j = JSON.parse(io.out()) as Record<string, unknown>;
    expect(j).toMatchObject({ name: 'hello', epoch: null, version: '2.0', release: '1', arch: 'x86_64', payloadCompressor: 'gzip' });
    expect((j.files as { path: string }[]).map((f) => f.path)).toEqual((await openRpm(P('rpm-testsuite/hello-2.0-1.x86_64.rpm'))).meta.files.map((f) => f.path));
    expect(Object.keys((j.files as object[])[0]!)).toEqual(expect.arrayContaining(['path', 'mode', 'size', 'user', 'group', 'digest', 'linkTo', 'flags', 'mtime']));
    expect((j.requires as object[])[0]).toEqual(expect.objectContaining({ name: expect.any(String), flags: expect.any(Number), version: expect.any(String) }));
    expect((j.checks as { name: string }[]).map((c) => c.name)).toEqual(['sha256header', 'sha1header', 'size', 'payloadsha256']);
    const human = captureIO();
    await inspectCommand([P('rpm-testsuite/hello-2.0-1.x86_64.rpm')], human);
    expect(human.out()).toMatch(/^hello-2\.0-1\.x86_64: /);
  });

  it('inspect on a broken package exits with the package error code', async () => {
    const io = captureIO();
    let rc = 0;
    try {
      await inspectCommand([P('header-only/broken.rpm')], io);
    } catch (e) {
      rc = reportError(e, io);
    }
    expect(rc).toBe(5);
    expect(io.err()).toMatch(/RFS_RPM_BAD_LEAD/);
  });
});
