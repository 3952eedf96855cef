import v8 from 'node:v8';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resetGc, tuneGc } from '../../src/cli/gc-tuning.js';

const BIG = (): number => 1e9; // a large image's heap as the download ends
const growth = (calls: unknown[][]): unknown[] => calls.map((c) => c[0]).filter((f) => String(f).startsWith('--heap-growing-percent'));

describe('GC tuning per phase', () => {
  afterEach(() => {
    resetGc();
    vi.restoreAllMocks();
  });

  it('widens the heap growing factor for the download phase, narrows it until the write, then restores V8\'s default', () => {
    const flags = vi.spyOn(v8, 'setFlagsFromString');
    tuneGc({ kind: 'phase:start', phase: 'metadata' });
    tuneGc({ kind: 'phase:end', phase: 'metadata', ms: 1 });
    expect(flags).not.toHaveBeenCalled();
    tuneGc({ kind: 'phase:start', phase: 'download', total: 3 });
    expect(flags).toHaveBeenLastCalledWith('--heap-growing-percent=400');
    tuneGc({ kind: 'package:downloaded', nevra: 'a-1-1.x86_64', bytes: 1, fromCache: true });
    tuneGc({ kind: 'phase:end', phase: 'download', ms: 1 }, BIG);
    tuneGc({ kind: 'phase:start', phase: 'unpack' });
    tuneGc({ kind: 'phase:start', phase: 'rpmdb' });
    expect(growth(flags.mock.calls)).toEqual(['--heap-growing-percent=400', '--heap-growing-percent=50']);
    tuneGc({ kind: 'phase:start', phase: 'write' });
    expect(growth(flags.mock.calls)).toEqual(['--heap-growing-percent=400', '--heap-growing-percent=50', '--heap-growing-percent=0']);
    resetGc(); // nothing left to undo
    expect(growth(flags.mock.calls)).toHaveLength(3);
  });

  it('leaves a small heap to V8\'s default after the download', () => {
    const flags = vi.spyOn(v8, 'setFlagsFromString');
    tuneGc({ kind: 'phase:start', phase: 'download' });
    tuneGc({ kind: 'phase:end', phase: 'download', ms: 1 }, () => 15 * 1048576);
    tuneGc({ kind: 'phase:start', phase: 'rpmdb' });
    tuneGc({ kind: 'phase:start', phase: 'write' });
    expect(growth(flags.mock.calls)).toEqual(['--heap-growing-percent=400', '--heap-growing-percent=0']);
  });

  it('restores the default when a build stops inside the phase', () => {
    const flags = vi.spyOn(v8, 'setFlagsFromString');
    tuneGc({ kind: 'phase:start', phase: 'download' });
    resetGc();
    expect(growth(flags.mock.calls)).toEqual(['--heap-growing-percent=400', '--heap-growing-percent=0']);
  });

  /** an object nothing holds, still there: only a mark-compact (or a lucky scavenge) takes it */
  async function garbage(): Promise<WeakRef<object>> {
    const ref = new WeakRef({ big: new Array(1000).fill(0) });
    // a WeakRef's target lives at least to the end of the job that made it
    await new Promise((r) => setImmediate(r));
    return ref;
  }

  it('collects the garbage as the download ends (the limit the download left would hold it through the merge)', async () => {
    const ref = await garbage();
    tuneGc({ kind: 'phase:start', phase: 'download' });
    tuneGc({ kind: 'phase:end', phase: 'download', ms: 1 }, BIG);
    expect(ref.deref()).toBeUndefined();
  });

  it('collects it again as the rpmdb and the write start, after a tuned download', async () => {
    tuneGc({ kind: 'phase:start', phase: 'download' });
    tuneGc({ kind: 'phase:end', phase: 'download', ms: 1 }, BIG);
    for (const phase of ['rpmdb', 'write'] as const) {
      const ref = await garbage();
      tuneGc({ kind: 'phase:start', phase });
      expect(ref.deref()).toBeUndefined();
    }
  });
});
