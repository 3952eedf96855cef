// The terminal progress line, rendered into a virtual terminal of 40 and 120 columns with an
// injected clock: it is redrawn in place and never wraps (permanent lines may), leaves no stale fragments, shows the
// download total, a rate and an ETA, and follows a resize. A pipe gets calm lines only. The
// total comes from the build's resolve:done event (checked against the served files' sizes).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createRenderer, type ProgressMode } from '../../src/cli/progress.js';
import { formatEta, RateMeter } from '../../src/cli/progress-line.js';
import type { AssembleEvent } from '../../src/index.js';
import { runCli, useFixtureMirror } from '../e2e/helpers.js';
import { FIXTURE_KEY, fixturesAvailable, MIRROR_LAYOUT, fixtureRepo } from '../helpers/fixtures.js';
import { VirtualTerminal } from '../helpers/vt.js';

const MiB = 1 << 20;

class FakeTty extends Writable {
  readonly isTTY = true;
  readonly vt: VirtualTerminal;
  text = '';
  /** the writes that made the terminal wrap a line */
  wrapped: string[] = [];
  constructor(public columns: number) {
    super({ decodeStrings: false });
    this.vt = new VirtualTerminal(columns);
  }
  override _write(chunk: unknown, _enc: BufferEncoding, cb: () => void): void {
    const s = String(chunk);
    this.text += s;
    const before = this.vt.wraps;
    this.vt.write(s);
    if (this.vt.wraps !== before) this.wrapped.push(s);
    cb();
  }
  resize(columns: number): void {
    this.columns = columns;
    this.vt.resize(columns);
    this.emit('resize');
  }
}

/** A build's events over a fake clock: 4 packages of 1 MiB, one from the cache, three at 1 MiB/s. */
function scenario(r: (e: AssembleEvent) => void, clock: { t: number }, at: (label: string) => void): void {
  r({ kind: 'phase:start', phase: 'metadata' });
  // metadata transfers are not package downloads: they do not count towards the total
  r({ kind: 'fetch:start', url: 'http://m/repodata/primary.xml.gz', attempt: 1, bytesTotal: 5 * MiB });
  r({ kind: 'fetch:done', url: 'http://m/repodata/primary.xml.gz', bytes: 5 * MiB, fromCache: false });
  r({ kind: 'repo:loaded', repo: 'base', packages: 3, fromCache: false });
  clock.t += 200;
  r({ kind: 'phase:end', phase: 'metadata', ms: 200 });
  r({ kind: 'phase:start', phase: 'resolve' });
  r({ kind: 'resolve:done', packages: 4, ms: 5, downloadBytes: 4 * MiB });
  r({ kind: 'phase:end', phase: 'resolve', ms: 10 });
  r({ kind: 'phase:start', phase: 'download', total: 4 });
  const unpacked = (i: number): void => {
    r({ kind: 'package:downloaded', nevra: `p${i}-1-1.x86_64`, bytes: MiB, fromCache: i === 0 });
    r({ kind: 'package:unpacked', nevra: `p${i}-1-1.x86_64`, files: 3, bytes: 2 * MiB });
  };
  r({ kind: 'fetch:done', url: 'http://m/p0.rpm', bytes: MiB, fromCache: true });
  unpacked(0);
  for (let i = 1; i <= 3; i++) {
    const url = `http://m/p${i}.rpm`;
    r({ kind: 'fetch:start', url, attempt: 1, bytesTotal: MiB });
    for (let k = 1; k <= 4; k++) {
      clock.t += 250;
      r({ kind: 'fetch:progress', url, bytes: (k * MiB) / 4, bytesTotal: MiB });
      at(`p${i}:${k}`);
    }
    r({ kind: 'fetch:done', url, bytes: MiB, fromCache: false });
    unpacked(i);
  }
  r({ kind: 'phase:end', phase: 'download', ms: 3000 });
  r({ kind: 'phase:start', phase: 'write' });
  r({ kind: 'phase:end', phase: 'write', ms: 500 });
  r({ kind: 'done', packages: 4, bytes: 4 * MiB, ms: 3700, output: 'x.tar' });
}

function runTty(columns: number, at: (label: string, tty: FakeTty) => void = () => undefined): FakeTty {
  const tty = new FakeTty(columns);
  const clock = { t: 1_000_000 };
  const r = createRenderer('tty', tty, { now: () => clock.t });
  scenario(r, clock, (label) => at(label, tty));
  r.finish();
  return tty;
}

describe('tty progress line', () => {
  const midway: Record<number, string> = {
    // 1 MiB cached + 1 MiB + half of the third: 1.5 MiB left at 1 MiB/s
    40: '2/4 2.5/4.0 MiB 1.0 MiB/s ETA 0:02',
    120: 'Downloading and unpacking [#############.......] 2/4 2.5/4.0 MiB 1.0 MiB/s ETA 0:02',
  };
  const downloaded: Record<number, string> = {
    40: 'Downloaded 4.0 MiB in 3.0 s',
    120: 'Downloading and unpacking: done in 3.0 s, downloaded 4.0 MiB (1.0 MiB cached) at 1.0 MiB/s',
  };
  for (const columns of [40, 120]) {
    it(`${columns} columns: total, rate and ETA in one line that never wraps; no stale fragments`, () => {
      const seen: string[] = [];
      const tty = runTty(columns, (label, t) => {
        const row = t.vt.current();
        expect(row.length, row).toBeLessThan(columns);
        if (label === 'p2:2') seen.push(row);
      });
      expect(seen).toEqual([midway[columns]]);
      // only a permanent line (written once, ending in a newline) may wrap: it names a path or a
      // message that must not be cut; the redrawn status line never does
      expect(tty.wrapped.every((w) => w.endsWith('\n'))).toBe(true);
      expect(tty.wrapped.length).toBe(columns === 40 ? 1 : 0);
      // what is left on screen: the permanent lines, each whole, and an empty last row
      const wrote = 'Wrote x.tar: 4 packages, 4.0 MiB in 3.7 s';
      expect(tty.vt.screen()).toEqual([
        '  repo base: 3 packages',
        'Loading metadata: done in 0.2 s',
        '  4 packages, 4.0 MiB to download',
        'Resolving dependencies: done in 0.0 s',
        downloaded[columns],
        'Writing image: done in 0.5 s',
        ...(columns === 40 ? [wrote.slice(0, 40).trimEnd(), wrote.slice(40)] : [wrote]),
        '',
      ]);
    });
  }

  it('follows a resize: redrawn at once within the new width, in the wider layout again when it grows', () => {
    const rows: string[] = [];
    const tty = runTty(120, (label, t) => {
      if (label === 'p2:2') {
        t.resize(40);
        rows.push(t.vt.current());
        t.resize(120);
        rows.push(t.vt.current());
      }
    });
    expect(rows).toEqual([midway[40], midway[120]]);
    expect(tty.wrapped).toEqual([]);
  });

  it('before any rate is known it says so instead of inventing an ETA', () => {
    const tty = new FakeTty(100);
    const r = createRenderer('tty', tty, { now: () => 0 });
    r({ kind: 'resolve:done', packages: 2, ms: 1, downloadBytes: 3 * MiB });
    r({ kind: 'phase:start', phase: 'download', total: 2 });
    expect(tty.vt.current()).toBe('Downloading and unpacking [....................] 0/2 0.0/3.0 MiB -- B/s ETA --:--');
    r.finish();
    expect(tty.vt.current()).toBe('');
  });
});

describe('rate and ETA', () => {
  const feed = (m: RateMeter, from: number, ms: number, bytesPerSec: number, state: { t: number; b: number }): void => {
    for (let t = from; t < from + ms; t += 250) {
      state.t += 250;
      state.b += (bytesPerSec * 250) / 1000;
      m.sample(state.t, state.b);
    }
  };
  it('a slow start (connection setup) does not hold the rate down; a one-off stall only dents it', () => {
    const m = new RateMeter();
    const st = { t: 0, b: 0 };
    m.sample(0, 0);
    expect(m.rate).toBeNull();
    feed(m, 0, 500, 10 * 1024, st);
    feed(m, 500, 2000, MiB, st);
    expect(m.rate!).toBeGreaterThan(0.7 * MiB);
    feed(m, 2500, 10_000, MiB, st);
    expect(Math.abs(m.rate! - MiB)).toBeLessThan(0.02 * MiB);
    feed(m, 12_500, 250, 0, st);
    expect(m.rate!).toBeGreaterThan(0.9 * MiB);
  });
  it('ETA reads as m:ss or h:mm:ss', () => {
    expect([formatEta(0), formatEta(1.2), formatEta(65), formatEta(3725)]).toEqual(['0:00', '0:02', '1:05', '1:02:05']);
  });
});

describe('non-terminal output', () => {
  const render = (mode: ProgressMode): string => {
    let text = '';
    const out = new Writable({ write(c: unknown, _e, cb) { text += String(c); cb(); } });
    const clock = { t: 0 };
    const r = createRenderer(mode, out, { now: () => clock.t });
    scenario(r, clock, () => undefined);
    r.finish();
    return text;
  };
  it('is calm lines: no redraws, no escapes, the totals once', () => {
    expect(render('plain').split('\n')).toEqual([
      'Loading metadata...',
      '  repo base: 3 packages',
      'Resolving dependencies...',
      '  4 packages, 4.0 MiB to download',
      'Downloading and unpacking...',
      '  downloaded 4.0 MiB (1.0 MiB cached) at 1.0 MiB/s',
      'Writing image...',
      'Wrote x.tar: 4 packages, 4.0 MiB in 3.7 s',
      '',
    ]);
  });
  it('--quiet prints none of it', () => {
    expect(render('quiet')).toBe('');
  });
});

const fx = fixturesAvailable();
describe.skipIf(!fx.ok)('resolve:done carries the download total', () => {
  const env = useFixtureMirror('rfs-progress-');
  it('equal to the sizes of the package files the build fetched', async () => {
    const r = await runCli(['centos:4.9', '--gpgkey', FIXTURE_KEY, '--mirror', env.mirror.url, '-o', join(env.dir, 'c.tar'), '--cache-dir', join(env.dir, 'cache'), '--json-progress']);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as AssembleEvent);
    const resolved = events.find((e): e is Extract<AssembleEvent, { kind: 'resolve:done' }> => e.kind === 'resolve:done');
    const rpms = env.mirror.requests.filter((p) => p.endsWith('.rpm'));
    expect(rpms.length).toBe(resolved?.packages);
    const onDisk = rpms.reduce((n, p) => {
      const [prefix, repo] = Object.entries(MIRROR_LAYOUT).find(([pre]) => p.startsWith(pre))!;
      return n + statSync(join(fixtureRepo(repo), p.slice(prefix.length))).size;
    }, 0);
    expect(resolved?.downloadBytes).toBe(onDisk);
  }, 600_000);
});
