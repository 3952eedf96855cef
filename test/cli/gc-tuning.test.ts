import v8 from 'node:v8';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resetGc, tuneGc } from '../../src/cli/gc-tuning.js';

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
    tuneGc({ kind: 'phase:end', phase: 'download', ms: 1 });
    tuneGc({ kind: 'phase:start', phase: 'unpack' });
    tuneGc({ kind: 'phase:start', phase: 'rpmdb' });
    expect(growth(flags.mock.calls)).toEqual(['--heap-growing-percent=400', '--heap-growing-percent=50']);
    tuneGc({ kind: 'phase:start', phase: 'write' });
    expect(growth(flags.mock.calls)).toEqual(['--heap-growing-percent=400', '--heap-growing-percent=50', '--heap-growing-percent=0']);
    resetGc(); // nothing left to undo
    expect(growth(flags.mock.calls)).toHaveLength(3);
  });

  it('restores the default when a build stops inside the phase', () => {
    const flags = vi.spyOn(v8, 'setFlagsFromString');
    tuneGc({ kind: 'phase:start', phase: 'download' });
    resetGc();
    expect(growth(flags.mock.calls)).toEqual(['--heap-growing-percent=400', '--heap-growing-percent=0']);
  });

  it('collects the garbage as the download ends (the limit the download left would hold it through the merge)', async () => {
    let held: object | undefined = { big: new Array(1000).fill(0) };
    const ref = new WeakRef(held);
    held = undefined;
    // a WeakRef's target lives at least to the end of the job that made it
    await new Promise((r) => setImmediate(r));
    tuneGc({ kind: 'phase:start', phase: 'download' });
    tuneGc({ kind: 'phase:end', phase: 'download', ms: 1 });
    expect(ref.deref()).toBeUndefined();
  });
});
