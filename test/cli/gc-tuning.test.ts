import v8 from 'node:v8';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resetGc, tuneGc } from '../../src/cli/gc-tuning.js';

describe('GC tuning for the download phase', () => {
  afterEach(() => {
    resetGc();
    vi.restoreAllMocks();
  });

  it('widens the heap growing factor for the download phase only, then restores V8\'s default', () => {
    const flags = vi.spyOn(v8, 'setFlagsFromString');
    tuneGc({ kind: 'phase:start', phase: 'metadata' });
    tuneGc({ kind: 'phase:end', phase: 'metadata', ms: 1 });
    expect(flags).not.toHaveBeenCalled();
    tuneGc({ kind: 'phase:start', phase: 'download', total: 3 });
    expect(flags).toHaveBeenLastCalledWith('--heap-growing-percent=400');
    tuneGc({ kind: 'package:downloaded', nevra: 'a-1-1.x86_64', bytes: 1, fromCache: true });
    tuneGc({ kind: 'phase:end', phase: 'download', ms: 1 });
    expect(flags).toHaveBeenLastCalledWith('--heap-growing-percent=0');
    expect(flags).toHaveBeenCalledTimes(2);
    resetGc(); // nothing left to undo
    expect(flags).toHaveBeenCalledTimes(2);
  });

  it('restores the default when a build stops inside the phase', () => {
    const flags = vi.spyOn(v8, 'setFlagsFromString');
    tuneGc({ kind: 'phase:start', phase: 'download' });
    resetGc();
    expect(flags.mock.calls.map((c) => c[0])).toEqual(['--heap-growing-percent=400', '--heap-growing-percent=0']);
  });
});
