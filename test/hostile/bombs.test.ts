// Hostile mirror, decompression bombs: a repo on 127.0.0.1 whose package keeps a real header but
// carries a payload that expands past 1 GiB (a valid cpio, then zeros), in xz and zstd. The real
// CLI must stop with a clear error (exit 4/5), leave no output, and stay under 400 MB of peak RSS.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRpm } from '../../src/rpm/index.js';
import { payloadEntries } from '../../src/rpm/payload.js';
import { isRfsError } from '../../src/errors/index.js';
import { chunksOf } from '../../src/util/bytes.js';
import { ensureFixtures, fixturePackage, fixturesAvailable } from '../helpers/fixtures.js';
import { startStaticServer, type StaticServer } from '../helpers/http-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { BIN, ROOT, have } from '../e2e/helpers.js';

const MB = 1024 * 1024;
const avail = fixturesAvailable();
const tools = ['xz', 'zstd', 'createrepo_c', 'rpm2cpio'].filter((t) => !have(t));
const dist = join(ROOT, 'dist', 'decompress', 'codecs.js');
// the CLI runs from dist/: refuse to test a build older than the code under test
const stale = !existsSync(dist) || statSync(dist).mtimeMs < statSync(join(ROOT, 'src', 'decompress', 'codecs.ts')).mtimeMs;
const skip = !avail.ok ? avail.reason : tools.length ? `missing ${tools.join(', ')}` : stale ? 'dist/ missing or older than src/decompress (run npx tsc -p tsconfig.json)' : '';
if (skip) console.warn(`test/hostile/bombs.test.ts skipped: ${skip}`);

const PKG = 'coreutils-common'; // no requires: the solver picks it alone

/** The package's lead and headers, then `payload`; a repo made of it with createrepo_c. */
async function bombRepo(dir: string, payload: Buffer): Promise<string> {
  const orig = fixturePackage('modern', PKG);
  const { payloadOffset } = await openRpm(orig, { headerOnly: true, verify: false });
  const repo = join(dir, 'repo');
  mkdirSync(repo, { recursive: true });
  writeFileSync(join(repo, `${PKG}.rpm`), Buffer.concat([readFileSync(orig).subarray(0, payloadOffset), payload]));
  execFileSync('createrepo_c', ['--quiet', repo]);
  return repo;
}

/** The package's real cpio archive followed by `mib` MiB of zeros, through `pack` (a shell pipeline stage). */
function bombPayload(pack: string, mib: number): Buffer {
  const orig = fixturePackage('modern', PKG);
  return execFileSync('sh', ['-c', `{ rpm2cpio '${orig}'; head -c ${mib * MB} /dev/zero; } | ${pack}`], { maxBuffer: 1 << 28 });
}

/** Run the CLI as a child; VmHWM (peak RSS) is read from /proc while it runs. */
function runWithPeak(args: string[]): Promise<{ code: number; stderr: string; peakMB: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let peak = 0;
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]) / 1024);
      } catch { /* exited */ }
    }, 25);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code: code ?? -1, stderr, peakMB: peak });
    });
  });
}

describe.skipIf(skip !== '')('hostile mirror: package payload bombs through the CLI', () => {
  const tmp = tempDir('rfs-bombs-');
  let server: StaticServer | undefined;
  const served: Record<string, string> = {};

  beforeAll(async () => {
    await ensureFixtures();
    // xz: one 1.1 GiB stream; zstd: one frame (no content size: it is written from a pipe)
    served.xz = await bombRepo(join(tmp.dir, 'xz'), bombPayload('xz -0 -T1 -c', 1100));
    served.zstd = await bombRepo(join(tmp.dir, 'zstd'), bombPayload('zstd -3 -q -c', 1100));
    server = await startStaticServer(Object.entries(served).map(([k, dir]) => ({ prefix: `/${k}/`, dir })));
  }, 300_000);
  afterAll(async () => {
    await server?.close();
    tmp.cleanup();
  });

  for (const codec of ['xz', 'zstd']) {
    it(`${codec}: RFS_SIZE_LIMIT naming the package, exit 4, no output, peak RSS < 400 MB`, async () => {
      const out = join(tmp.dir, `${codec}.tar`);
      const payload = statSync(join(served[codec]!, `${PKG}.rpm`)).size;
      expect(payload).toBeLessThan(1 * MB); // a small download...
      const r = await runWithPeak(['--repofrompath', `bomb,${server!.url}${codec}/`, PKG, '--rpmdb', 'sqlite',
        '-o', out, '--cache-dir', join(tmp.dir, `cache-${codec}`), '-q']);
      expect(r.stderr).toMatch(/RFS_SIZE_LIMIT/);
      expect(r.stderr).toContain(PKG);
      expect(r.code, r.stderr).toBe(4);
      expect(existsSync(out)).toBe(false);
      expect(r.peakMB, `peak RSS ${r.peakMB.toFixed(0)} MB`).toBeGreaterThan(0);
      expect(r.peakMB, `peak RSS ${r.peakMB.toFixed(0)} MB`).toBeLessThan(400);
    }, 120_000);
  }
});

describe.skipIf(!avail.ok || !have('zstd') || !have('rpm2cpio'))('payload limits', () => {
  async function run(payload: Buffer, archiveSize: number | undefined): Promise<{ code: string; message: string }> {
    const orig = fixturePackage('modern', PKG);
    const pkg = await openRpm(orig, { headerOnly: true, verify: false });
    try {
      const opts = { files: pkg.meta.files, subject: PKG, ...(archiveSize !== undefined ? { archiveSize } : {}) };
      for await (const e of payloadEntries(toAsync(payload), opts)) for await (const _ of e.content);
      return { code: 'ok', message: '' };
    } catch (e) {
      return isRfsError(e) ? { code: e.code, message: e.message } : { code: String(e), message: '' };
    }
  }
  async function* toAsync(b: Uint8Array): AsyncGenerator<Uint8Array> {
    yield* chunksOf(b, 1 << 16);
  }

  it('stop just past the declared archive size, or (nothing declared) what the header files can fill', async () => {
    const orig = fixturePackage('modern', PKG);
    const cpio = execFileSync('rpm2cpio', [orig]);
    const honest = execFileSync('zstd', ['-q', '-c'], { input: cpio });
    expect((await run(honest, cpio.length)).code).toBe('ok');
    const padded = execFileSync('zstd', ['-q', '-c'], { input: Buffer.concat([cpio, Buffer.alloc(200 * 1024)]) });
    // declared: limit = size + 64 KiB
    expect(await run(padded, cpio.length)).toEqual({ code: 'RFS_SIZE_LIMIT', message: `decompressing zstd: output exceeds ${cpio.length + 64 * 1024} bytes (the archive size the header declares, ${cpio.length}, plus margin)` });
    // not declared: the files' sizes and names plus 1 MiB
    expect((await run(padded, undefined)).code).toBe('ok');
    const bigger = execFileSync('sh', ['-c', `{ cat; head -c ${2 * MB} /dev/zero; } | zstd -q -c`], { input: cpio });
    const r = await run(bigger, undefined);
    expect([r.code, r.message]).toEqual(['RFS_SIZE_LIMIT', expect.stringMatching(/ \(what the header's files can fill\)$/)]);
  });

  it('a cpio entry claiming more than the header says is refused before its content is read', async () => {
    const orig = fixturePackage('modern', PKG);
    const cpio = Buffer.from(execFileSync('rpm2cpio', [orig]));
    // first newc header: size field at offset 54, 8 hex digits
    expect(cpio.subarray(0, 6).toString()).toBe('070701');
    cpio.write('7fffffff', 54, 'latin1');
    const r = await run(execFileSync('zstd', ['-q', '-c'], { input: cpio }), cpio.length);
    expect(r.code).toBe('RFS_CPIO_MALFORMED');
    expect(r.message).toMatch(/2147483647 bytes in the archive/);
  });
});
