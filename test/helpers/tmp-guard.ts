// Every test run gets its own temp folder (TMPDIR for the workers and every CLI they start);
// whatever is left in it at the end is a test that did not clean up, and fails the run. A folder
// of our own, rather than a before/after look at /tmp, so other runs on the machine do not count.
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'rfs-testrun-';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** make the run's temp folder and point TMPDIR at it; returns the check for the end of the run */
export function guardTmp(): () => void {
  const base = tmpdir();
  // a run that was killed never got to its check: its folder goes now
  for (const name of readdirSync(base)) {
    const pid = Number(/^rfs-testrun-(\d+)-/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !alive(pid)) rmSync(join(base, name), { recursive: true, force: true });
  }
  const dir = mkdtempSync(join(base, `${PREFIX}${process.pid}-`));
  chmodSync(dir, 0o1777); // as /tmp: tests that drop privileges write here too
  process.env.TMPDIR = dir;
  return () => {
    const left = readdirSync(dir);
    rmSync(dir, { recursive: true, force: true });
    if (left.length > 0) {
      throw new Error(`tests left ${left.length} file(s) in the temp folder (each test removes what it makes): ${left.sort().join(', ')}`);
    }
  };
}
