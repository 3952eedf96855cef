// Hostile-mirror suite, signals and crashes: the real CLI (`node bin/rootfs-assemble.js`, the
// node process itself is signalled) against a fixture mirror of our own that can hold a response
// mid-body. An interrupted run exits 130 (SIGINT) / 143 (SIGTERM) with one line and no stack,
// leaves no partial output and nothing in <cache>/tmp; a crash exits 70 the same way; a SIGKILLed
// run's work folder is removed by the next run while a live concurrent build's is kept.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepStalePartials } from '../../src/assemble/output/atomic.js';
import { BIN, ROOT } from '../e2e/helpers.js';
import { FIXTURE_KEY, ensureFixtures, fixturePackage, fixturesAvailable } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startHoldingMirror } from './holding-mirror.js';
import type { HoldingMirror } from './holding-mirror.js';

const avail = fixturesAvailable();
const built = existsSync(join(ROOT, 'dist/cli/main.js'));
const skip = !avail.ok ? avail.reason : !built ? 'dist/ not built (npx tsc -p tsconfig.json)' : null;
if (skip) console.warn(`[hostile signals] skipped: ${skip}`);

type Ev = Record<string, unknown> & { kind: string };
interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stderr lines that are not --json-progress events */
  lines: string[];
  /** run with --json-progress: the error comes as the last event, not as a line */
  json: boolean;
  events: Ev[];
  stdoutBytes: number;
  /** from the first signal sent to the exit */
  exitAfterMs: number | null;
}
interface Running { pid: number; kill(sig: NodeJS.Signals): void; done: Promise<Run> }

const EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
const WRITE_STARTED = (e: Ev): boolean => e.kind === 'phase:start' && e.phase === 'write';

function cli(args: string[], o: { env?: NodeJS.ProcessEnv; nodeArgs?: string[]; onEvent?: (e: Ev, r: Running) => void } = {}): Running {
  const child: ChildProcess = spawn(process.execPath, [...(o.nodeArgs ?? []), BIN, ...args], {
    env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000', RFS_DEBUG: '', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let firstSignalAt: number | null = null;
  const running: Running = {
    pid: child.pid ?? -1,
    kill(sig) {
      firstSignalAt ??= Date.now();
      child.kill(sig);
    },
    done: new Promise<Run>((resolve, reject) => {
      let err = '';
      let stdoutBytes = 0;
      const events: Ev[] = [];
      let seen = 0;
      child.stdout?.on('data', (c: Buffer) => { stdoutBytes += c.length; });
      child.stderr?.on('data', (c: Buffer) => {
        err += c.toString();
        const all = err.split('\n');
        for (; seen < all.length - 1; seen++) {
          const l = all[seen] ?? '';
          if (!l.startsWith('{')) continue;
          const e = JSON.parse(l) as Ev;
          events.push(e);
          o.onEvent?.(e, running);
        }
      });
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({
        code, signal, events, stdoutBytes, json: args.includes('--json-progress'),
        lines: err.split('\n').filter((l) => l !== '' && !l.startsWith('{')),
        exitAfterMs: firstSignalAt === null ? null : Date.now() - firstSignalAt,
      }));
    }),
  };
  return running;
}

/** send `sigs` (spaced by `gapMs`) `delayMs` after the first event `when` accepts */
function signalWhen(when: (e: Ev) => boolean, sigs: NodeJS.Signals[], delayMs = 0, gapMs = 5): (e: Ev, r: Running) => void {
  let sent = false;
  return (e, r) => {
    if (sent || !when(e)) return;
    sent = true;
    setTimeout(() => sigs.forEach((s, i) => setTimeout(() => r.kill(s), i * gapMs)), delayMs);
  };
}

/** the run wrote its whole output before the signal came (nothing was interrupted) */
const finishedFirst = (r: Run): boolean => r.code === 0 && r.events.some((e) => e.kind === 'phase:end' && e.phase === 'write');

function expectInterrupted(r: Run, sig: 'SIGINT' | 'SIGTERM', why: string): void {
  const at = `${why}: ${r.lines.join(' | ')}`;
  expect(r.signal, at).toBeNull(); // exited, not killed by the signal
  expect(r.code, at).toBe(EXIT[sig]);
  if (!r.json) {
    expect(r.lines, at).toEqual([`rootfs-assemble: error RFS_ABORTED: interrupted by ${sig}`]);
    return;
  }
  expect(r.lines, at).toEqual([]);
  expect(r.events.filter((e) => e.kind === 'error'), at).toEqual([{ kind: 'error', code: 'RFS_ABORTED', message: `interrupted by ${sig}`, exitCode: EXIT[sig] }]);
  expect(r.events.at(-1)?.kind, at).toBe('error');
}

/** what is left in a folder (the output folder, <cache>/tmp); a missing folder is empty */
function left(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** every committed cache file matches the digest its name claims (nothing unverified committed) */
function expectCacheVerified(cache: string): number {
  let n = 0;
  const files = join(cache, 'files');
  for (const type of left(files)) {
    for (const sub of left(join(files, type))) {
      for (const name of left(join(files, type, sub))) {
        if (name.endsWith('.verified')) continue;
        const want = name.split('-')[0];
        expect(createHash(type === 'sha' ? 'sha1' : type).update(readFileSync(join(files, type, sub, name))).digest('hex'), name).toBe(want);
        n++;
      }
    }
  }
  return n;
}

describe.skipIf(skip !== null)('hostile mirror: signals and crashes', () => {
  const scratch = tempDir('rfs-signals-');
  let mirror: HoldingMirror;
  let big: string;
  let cache: string;
  let seq = 0;
  /** a fresh, empty output folder */
  const outDir = (): string => {
    const d = join(scratch.dir, `out-${++seq}`);
    mkdirSync(d);
    return d;
  };
  /** a build whose write phase lasts long enough to be signalled in (a 32 MB file in the image) */
  const build = (out: string, extra: string[] = [], cacheDir = cache): string[] =>
    ['centos:4.9', '--mirror', mirror.url, '--gpgkey', FIXTURE_KEY, '--add-file', `${big}:/big.bin`, '--cache-dir', cacheDir, '--json-progress', '-o', out, ...extra];

  /**
   * `sigs` `delayMs` into the write phase of a build into a fresh folder (`argsFor(folder)`). A run that wrote all of
   * its output before the signal came (a fast codec on a fast machine: CI once finished a 32 MB
   * zstd image in 150 ms) tested nothing: it runs again with half the delay, up to 4 times.
   */
  const signalInWrite = async (argsFor: (out: string) => string[], sigs: NodeJS.Signals[], delayMs: number, gapMs?: number): Promise<{ r: Run; out: string }> => {
    for (let attempt = 0; ; attempt++) {
      const out = outDir();
      const r = await cli(argsFor(out), { onEvent: signalWhen(WRITE_STARTED, sigs, delayMs >> attempt, gapMs) }).done;
      if (!finishedFirst(r) || attempt === 3) return { r, out };
    }
  };

  beforeAll(async () => {
    await ensureFixtures();
    mirror = await startHoldingMirror();
    big = join(scratch.dir, 'big.bin');
    writeFileSync(big, randomBytes(32 << 20)); // random: compression cannot make the write phase short
    cache = join(scratch.dir, 'cache');
    // warm the shared cache once: later runs reach the write phase in about a second
    const warm = await cli(build(join(scratch.dir, 'warm.tar'))).done;
    expect(warm.code, warm.lines.join('\n')).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await mirror?.close();
    scratch.cleanup();
  });

  it('SIGINT and SIGTERM in the tar write phase, 8 times each: 130/143, one line, no partial, no work folder', async () => {
    // the two series run side by side (same cache): halves the time, and concurrent runs must not disturb each other
    await Promise.all((['SIGINT', 'SIGTERM'] as const).map(async (sig) => {
      for (let i = 0; i < 8; i++) {
        const { r, out } = await signalInWrite((o) => build(join(o, 'image.tar')), [sig], i * 8);
        expectInterrupted(r, sig, `${sig} #${i}`);
        // the signal really came while writing
        expect(r.events.some((e) => e.kind === 'phase:end' && e.phase === 'write'), `${sig} #${i}`).toBe(false);
        expect(left(out), `${sig} #${i}`).toEqual([]);
      }
    }));
    expect(left(join(cache, 'tmp'))).toEqual([]);
  }, 90_000);

  // compressed: 150 ms in, well into the 32 MB file (one chunk; the exit once waited 30 s for xz
  // to finish it); the faster formats are signalled sooner, while they still write
  it.each([
    ['image.tar.gz', [], 'SIGINT', 150],
    ['image.tar.xz', [], 'SIGTERM', 150],
    ['image.tar.zst', [], 'SIGINT', 60],
    ['rootfs', ['--format', 'dir'], 'SIGTERM', 30],
    ['layout', ['--format', 'oci'], 'SIGINT', 150],
    ['image.oci.tar', ['--format', 'oci-archive'], 'SIGTERM', 150],
    ['image.docker.tar', ['--format', 'docker-archive'], 'SIGINT', 30],
  ] as const)('%s %s: %s while writing leaves nothing, promptly', async (name, extra, sig, delay) => {
    const { r, out } = await signalInWrite((o) => build(join(o, name), [...extra]), [sig], delay);
    expectInterrupted(r, sig, name);
    expect(r.exitAfterMs).toBeLessThan(5000);
    expect(left(out)).toEqual([]);
    expect(left(join(cache, 'tmp'))).toEqual([]);
  });

  it('-o - (the tar to stdout): SIGTERM mid-stream exits 143 with one line', async () => {
    const { r } = await signalInWrite(() => build('-'), ['SIGTERM'], 30);
    expectInterrupted(r, 'SIGTERM', '-o -');
    expect(r.stdoutBytes).toBeLessThan(40 << 20);
    expect(left(join(cache, 'tmp'))).toEqual([]);
  });

  it.each([
    ['scriptlets', 'SIGINT'],
    ['rpmdb', 'SIGTERM'],
    ['unpack', 'SIGTERM'],
  ] as const)('a signal in the %s phase: %s', async (phase, sig) => {
    const out = outDir();
    const r = await cli(build(join(out, 'image.tar')), { onEvent: signalWhen((e) => e.kind === 'phase:start' && e.phase === phase, [sig]) }).done;
    expectInterrupted(r, sig, phase);
    expect(left(out)).toEqual([]);
    expect(left(join(cache, 'tmp'))).toEqual([]);
  });

  it('metadata and download phases, mid-transfer (cold caches): nothing half-fetched stays in the cache', async () => {
    for (const [what, re, sig] of [
      ['metadata', /primary\.xml/, 'SIGTERM'],
      ['download', /\/bash-[^/]*\.rpm$/, 'SIGINT'],
    ] as const) {
      const cold = join(scratch.dir, `cold-${what}`);
      const out = outDir();
      const held = mirror.hold(re);
      const run = cli(build(join(out, 'image.tar'), [], cold));
      await held;
      run.kill(sig);
      const r = await run.done;
      mirror.release();
      expectInterrupted(r, sig, what);
      expect(left(out)).toEqual([]);
      expect(left(join(cold, 'tmp'))).toEqual([]);
      expectCacheVerified(cold);
    }
  });

  it('a second signal while cleaning up still exits at once, with the first signal\'s code', async () => {
    // two Ctrl-C in a row (the second may land during the unwinding or after it)
    const { r, out } = await signalInWrite((o) => build(join(o, 'image.tar')), ['SIGINT', 'SIGINT'], 20, 2);
    expectInterrupted(r, 'SIGINT', 'SIGINT+SIGINT');
    expect(r.exitAfterMs).toBeLessThan(3000);
    // exiting at once cannot wait for an open(O_CREAT) already in the thread pool: a partial that
    // appears after the last-resort cleanup carries the dead run's owner tag, and the next run swept
    await sweepStalePartials(join(out, 'image.tar'));
    expect(left(out)).toEqual([]);
    expect(left(join(cache, 'tmp'))).toEqual([]);
    // certainly before any cleanup ran: both signals pending while the process is stopped are
    // handled in one go on SIGCONT (node's threads may take one each, so either can be first)
    const out2 = outDir();
    const r2 = await cli(build(join(out2, 'image.tar')), {
      onEvent: (e, r) => {
        if (!WRITE_STARTED(e)) return;
        r.kill('SIGSTOP');
        const stopped = (): boolean => / T /.test(readFileSync(`/proc/${r.pid}/stat`, 'utf8').replace(/^.*\)/s, ')'));
        const poll = setInterval(() => {
          if (!stopped()) return;
          clearInterval(poll);
          r.kill('SIGTERM');
          r.kill('SIGINT');
          r.kill('SIGCONT');
        }, 1);
      },
    }).done;
    expectInterrupted(r2, r2.code === 143 ? 'SIGTERM' : 'SIGINT', 'SIGTERM+SIGINT while stopped');
    expect(r2.exitAfterMs).toBeLessThan(3000);
    expect(left(out2)).toEqual([]);
    expect(left(join(cache, 'tmp'))).toEqual([]);
  });

  it('build IMAGE.yaml: SIGTERM while writing exits 143', async () => {
    const spec = join(scratch.dir, 'image.yaml');
    const { r, out } = await signalInWrite((o) => {
      writeFileSync(spec, [
        'distro: centos:4.9', `mirror: "${mirror.url}"`, `gpgkey: ["${FIXTURE_KEY}"]`,
        `add-file: ["${big}:/big.bin"]`, `output: "${join(o, 'spec.tar')}"`, '',
      ].join('\n'));
      return ['build', spec, '--cache-dir', cache, '--json-progress'];
    }, ['SIGTERM'], 30);
    expectInterrupted(r, 'SIGTERM', 'build IMAGE.yaml');
    expect(left(out)).toEqual([]);
    expect(left(join(cache, 'tmp'))).toEqual([]);
  });

  it('resolve: SIGTERM mid-metadata exits 143, nothing half-fetched left', async () => {
    const cold = join(scratch.dir, 'cold-resolve');
    const held = mirror.hold(/primary\.xml/);
    const run = cli(['resolve', 'centos:4.9', '--mirror', mirror.url, '--cache-dir', cold, 'bash']);
    await held;
    run.kill('SIGTERM');
    const r = await run.done;
    mirror.release();
    expectInterrupted(r, 'SIGTERM', 'resolve');
    expect(r.stdoutBytes).toBe(0);
    expect(left(join(cold, 'tmp'))).toEqual([]);
  });

  it('inspect reading a slow pipe: SIGINT exits 130 promptly', async () => {
    const fifo = join(scratch.dir, 'slow.rpm');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const rpm = readFileSync(fixturePackage('el4-os', 'bash'));
    const run = cli(['inspect', fifo]);
    const w = createWriteStream(fifo);
    // the CLI is running once it has opened the pipe; then a chunk every 50 ms, so its read is
    // never blocked for long (Node joins its threads at exit)
    await new Promise((r) => w.once('open', r));
    let at = 0;
    const feed = setInterval(() => {
      if (at >= rpm.length) return;
      w.write(rpm.subarray(at, at + 4096));
      at += 4096;
      if (at === 4096 * 4) run.kill('SIGINT');
    }, 50);
    const r = await run.done;
    clearInterval(feed);
    w.destroy();
    expectInterrupted(r, 'SIGINT', 'inspect');
    expect(at).toBeLessThan(rpm.length);
    expect(r.exitAfterMs).toBeLessThan(2000);
  });

  describe('a crash (an uncaught exception in the middle of writing)', () => {
    // injected from outside the product: a preload that throws once the output's temp file exists
    const preload = (): string => {
      const p = join(scratch.dir, 'crash-preload.mjs');
      writeFileSync(p, `import { readdirSync } from 'node:fs';
const t = setInterval(() => {
  let names = [];
  try { names = readdirSync(process.env.CRASH_DIR); } catch {}
  if (!names.some((n) => n.endsWith('.partial'))) return;
  clearInterval(t);
  if (process.env.CRASH_KIND === 'rejection') Promise.reject(new Error('injected rejection\\nsecond line'));
  else throw new Error('injected crash');
}, 2);
t.unref();
`);
      return pathToFileURL(p).href;
    };

    it.each([
      ['exception', 'injected crash', ''],
      ['rejection', 'injected rejection', '1'],
    ])('uncaught %s: RFS_INTERNAL, exit 70, one line (stack only with RFS_DEBUG), nothing left', async (kind, message, debug) => {
      const out = outDir();
      const r = await cli(build(join(out, 'image.tar')), { nodeArgs: ['--import', preload()], env: { CRASH_DIR: out, CRASH_KIND: kind, RFS_DEBUG: debug } }).done;
      const at = r.lines.join('\n');
      expect(r.code, at).toBe(70);
      // --json-progress: the crash is the last event, stderr has no other line
      expect(r.lines, at).toEqual([]);
      const last = r.events.at(-1) ?? { kind: 'none' };
      expect(last, at).toMatchObject({ kind: 'error', code: 'RFS_INTERNAL', message, exitCode: 70 });
      if (debug) expect(String(last.stack), at).toMatch(/\n\s+at /);
      else expect(last.stack, at).toBeUndefined();
      expect(left(out)).toEqual([]);
      expect(left(join(cache, 'tmp'))).toEqual([]);
    });
  });

  it('SIGKILL leaves a work folder and a .partial; the next run removes them, a live concurrent build keeps its own', async () => {
    const shared = join(scratch.dir, 'cache-kill');
    const tmp = join(shared, 'tmp');
    const ownedBy = (pid: number): string[] => left(tmp).filter((n) => n.startsWith(`build-${pid}-`));
    // A: a live build, held mid-download for as long as this test needs it
    const outA = outDir();
    const heldA = mirror.hold(/\/coreutils-[^/]*\.rpm$/);
    const a = cli(build(join(outA, 'a.tar'), [], shared));
    await heldA;
    expect(ownedBy(a.pid)).toHaveLength(1);
    // B: killed outright while writing
    const outB = outDir();
    const b = cli(build(join(outB, 'b.tar'), [], shared));
    // once its temp file is there and growing
    const poll = setInterval(() => {
      const partial = left(outB).find((n) => n.endsWith('.partial'));
      if (partial && statSync(join(outB, partial), { throwIfNoEntry: false })?.size) b.kill('SIGKILL');
    }, 2);
    const rb = await b.done;
    clearInterval(poll);
    expect(rb.signal).toBe('SIGKILL');
    expect(ownedBy(b.pid)).toHaveLength(1);
    expect(left(outB).filter((n) => n.endsWith('.partial'))).toHaveLength(1);
    // C: same cache and destination as B
    const c = cli(build(join(outB, 'b.tar'), [], shared));
    const rc = await c.done;
    expect(rc.code, rc.lines.join('\n')).toBe(0);
    expect(ownedBy(b.pid)).toEqual([]);
    expect(ownedBy(c.pid)).toEqual([]);
    expect(ownedBy(a.pid)).toHaveLength(1);
    expect(left(outB)).toEqual(['b.tar']);
    // A was never disturbed
    mirror.release();
    const ra = await a.done;
    expect(ra.code, ra.lines.join('\n')).toBe(0);
    expect(statSync(join(outA, 'a.tar')).size).toBeGreaterThan(32 << 20);
    expect(left(tmp)).toEqual([]);
    expect(expectCacheVerified(shared)).toBeGreaterThan(40);
  }, 60_000);

  it('after all of it, the shared cache holds only verified files', () => {
    expect(expectCacheVerified(cache)).toBeGreaterThan(40);
    expect(left(join(cache, 'tmp'))).toEqual([]);
  });
});
