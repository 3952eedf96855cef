// Owner-tagged temp names: what a dead process left in <cache>/tmp or beside an output is removed,
// what a live one (or one we cannot see) owns is kept, and a reused pid is not taken for its owner.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepStalePartials } from '../../src/assemble/output/atomic.js';
import { createWorkDir, sweepStale } from '../../src/assemble/workdir.js';
import { registeredCount, removeOnExit, removeRegisteredNow } from '../../src/util/exit-cleanup.js';
import { currentOwner, ownerAlive, ownerTag, parseOwnerTag, processStart } from '../../src/util/owner.js';
import { tempDir } from '../helpers/temp-dir.js';

const linux = processStart(process.pid) !== null;
const scratch = tempDir('rfs-workdir-');
afterAll(() => scratch.cleanup());

/** a pid no process has: past the highest pid that answers to kill(0) nearby */
function deadPid(): number {
  for (let pid = 4_000_000; pid > 300_000; pid -= 7919) {
    try { process.kill(pid, 0); } catch (e) { if ((e as NodeJS.ErrnoException).code === 'ESRCH') return pid; }
  }
  throw new Error('no free pid found');
}

let sleeper: ChildProcess;
beforeAll(async () => {
  sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  await new Promise((r) => sleeper.once('spawn', r));
});
afterAll(() => { sleeper.kill('SIGKILL'); });

describe('owner tags', () => {
  it('round-trip, and reject what is not one', () => {
    const me = currentOwner();
    expect(parseOwnerTag(ownerTag())).toEqual(me);
    expect(parseOwnerTag('123')).toEqual({ pid: 123 });
    for (const bad of ['', '0', 'abc', '12-34', '12-34-zzzzzzzz-1', '-1', '1'.repeat(12)]) expect(parseOwnerTag(bad), bad).toBeNull();
  });

  it('this process and a live child are alive; a dead pid is not', () => {
    expect(ownerAlive(currentOwner())).toBe(true);
    const pid = sleeper.pid!;
    const start = processStart(pid);
    const me = currentOwner();
    expect(ownerAlive(start !== null && me.boot && me.ns ? { pid, start, boot: me.boot, ns: me.ns } : { pid })).toBe(true);
    expect(ownerAlive({ pid: deadPid() })).toBe(false);
  });

  it.skipIf(!linux)('a live pid with another start time is a reused pid: its owner is dead', () => {
    const me = currentOwner();
    const pid = sleeper.pid!;
    const start = String(Number(processStart(pid)) + 1);
    expect(ownerAlive({ pid, start, boot: me.boot!, ns: me.ns! })).toBe(false);
    // another boot: dead; another pid namespace: cannot tell, so alive
    expect(ownerAlive({ pid, start: processStart(pid)!, boot: me.boot === '00000000' ? '11111111' : '00000000', ns: me.ns! })).toBe(false);
    expect(ownerAlive({ pid: deadPid(), start: '1', boot: me.boot!, ns: `${me.ns}0` })).toBe(true);
  });
});

describe('stale sweep of <cache>/tmp', () => {
  it('removes dead owners\' build folders and .part files, keeps live and foreign ones', async () => {
    const tmp = join(scratch.dir, 'cache1', 'tmp');
    mkdirSync(tmp, { recursive: true });
    const me = currentOwner();
    const dead = deadPid();
    const liveTag = linux ? `${sleeper.pid}-${processStart(sleeper.pid!)}-${me.boot}-${me.ns}` : `${sleeper.pid}`;
    const names = {
      deadBuild: `build-${linux ? `${dead}-5-${me.boot}-${me.ns}` : dead}-Ab12Cd`,
      liveBuild: `build-${liveTag}-Xy34Zw`,
      reusedBuild: linux ? `build-${sleeper.pid}-1-${me.boot}-${me.ns}-Qq11Qq` : null,
      mine: `build-${ownerTag()}-Mm22Mm`,
      legacyFresh: 'build-aB3dE6',
      legacyOld: 'build-zZ9yY8',
      deadPart: `${dead}-0123456789ab.part`,
      deadTagPart: `${linux ? `${dead}-5-${me.boot}-${me.ns}` : dead}-0123456789ae.part`,
      liveTagPart: `${liveTag}-0123456789af.part`,
      mineTagPart: `${ownerTag()}-0123456789a0.part`,
      livePart: `${sleeper.pid}-0123456789ac.part`,
      reusedPart: `${sleeper.pid}-0123456789ad.part`,
      other: 'someone-elses-file',
    };
    for (const [k, n] of Object.entries(names)) {
      if (n === null) continue;
      if (k.endsWith('Part') || k === 'other') writeFileSync(join(tmp, n), 'x');
      else {
        mkdirSync(join(tmp, n, 'ro'), { recursive: true });
        writeFileSync(join(tmp, n, 'ro', 'f'), 'x');
        chmodSync(join(tmp, n, 'ro'), 0o500); // a read-only folder inside must not stop the removal
      }
    }
    const old = (Date.now() - 2 * 24 * 3600_000) / 1000;
    utimesSync(join(tmp, names.legacyOld), old, old);
    utimesSync(join(tmp, names.reusedPart), old, old); // written long before the pid's process started
    const gone = await sweepStale(tmp);
    const expected = [names.deadBuild, names.legacyOld, names.deadPart, names.deadTagPart, ...(linux ? [names.reusedBuild!, names.reusedPart] : [])];
    expect(gone.sort()).toEqual(expected.sort());
    expect(readdirSync(tmp).sort()).toEqual(Object.values(names).filter((n): n is string => n !== null && !expected.includes(n)).sort());
  });

  it('createWorkDir names the folder after this process, sweeps first, and remove() is idempotent', async () => {
    const cache = join(scratch.dir, 'cache2');
    const stale = join(cache, 'tmp', `build-${deadPid()}-St4le0`);
    mkdirSync(stale, { recursive: true });
    const before = registeredCount();
    const w = await createWorkDir(cache);
    expect(existsSync(stale)).toBe(false);
    expect(w.path.startsWith(join(cache, 'tmp', `build-${ownerTag()}-`))).toBe(true);
    expect(registeredCount()).toBe(before + 2); // the folder and this pid's .part files
    // a second run of the same cache keeps it: its owner (this process) is alive
    expect(await sweepStale(join(cache, 'tmp'))).toEqual([]);
    await w.remove();
    await w.remove();
    expect(existsSync(w.path)).toBe(false);
    expect(registeredCount()).toBe(before);
  });
});

describe('stale sweep of <cache>/pool', () => {
  it('removes metadata temp files of dead owners (and of older versions\' dead pids), keeps live ones and the caches', async () => {
    const cache = join(scratch.dir, 'cache4');
    const pool = join(cache, 'pool');
    mkdirSync(pool, { recursive: true });
    const me = currentOwner();
    const dead = deadPid();
    const base = `sha256-${'ab'.repeat(32)}`;
    const names = {
      pool: `${base}.pool`,
      files: `${base}.0123456789abcdef.files`,
      deadTag: `${base}.pool.${linux ? `${dead}-5-${me.boot}-${me.ns}` : dead}.0a1b2c3d.tmp`,
      deadLegacy: `${base}.primary.modules.json.${dead}.tmp`,
      deadLegacyHex: `${base}.0123456789abcdef.files.${dead}.deadbeef.tmp`,
      liveTag: `${base}.pool.${ownerTag()}.0a1b2c3e.tmp`,
      liveLegacy: `${base}.pool.${sleeper.pid}.0a1b2c3f.tmp`,
    };
    for (const n of Object.values(names)) writeFileSync(join(pool, n), 'x');
    const w = await createWorkDir(cache);
    expect(readdirSync(pool).sort()).toEqual([names.pool, names.files, names.liveTag, names.liveLegacy].sort());
    await w.remove();
  });
});

describe('a work folder at a crash', () => {
  it('goes, with this process\'s .part files, when the last-resort cleanup runs; others\' stay', async () => {
    const cache = join(scratch.dir, 'cache3');
    const w = await createWorkDir(cache);
    const tmp = join(cache, 'tmp');
    writeFileSync(join(tmp, `${ownerTag()}-0123456789ab.part`), 'x');
    writeFileSync(join(tmp, `${sleeper.pid}-0123456789ab.part`), 'x');
    writeFileSync(join(w.path, 'spooled'), 'x');
    removeRegisteredNow();
    expect(readdirSync(tmp)).toEqual([`${sleeper.pid}-0123456789ab.part`]);
    await w.remove();
  });
});

describe('beside an output', () => {
  it('removes .NAME.<dead owner>.<hex>.partial, keeps live, foreign and other outputs\' temps', async () => {
    const dir = join(scratch.dir, 'out');
    mkdirSync(dir);
    const names = [
      `.img.tar.${deadPid()}.0123456789ab.partial`,
      `.img.tar.${ownerTag()}.0123456789ab.partial`,
      `.img.tar.gz.${deadPid()}.0123456789ab.partial`,
      '.img.tar.0123456789ab.partial',
      'img.tar',
    ];
    for (const n of names) writeFileSync(join(dir, n), 'x');
    expect(await sweepStalePartials(join(dir, 'img.tar'))).toEqual([names[0]]);
    expect(readdirSync(dir).sort()).toEqual(names.slice(1).sort());
  });
});

describe('last-resort cleanup', () => {
  it('removes registered files and trees (read-only inside) at once, and forgets released ones', () => {
    const root = join(scratch.dir, 'exit');
    mkdirSync(join(root, 'tree', 'ro'), { recursive: true });
    writeFileSync(join(root, 'tree', 'ro', 'f'), 'x');
    chmodSync(join(root, 'tree', 'ro'), 0o500);
    writeFileSync(join(root, 'file'), 'x');
    writeFileSync(join(root, 'kept'), 'x');
    removeOnExit(join(root, 'tree'));
    removeOnExit(join(root, 'file'));
    removeOnExit(join(root, 'missing'));
    const release = removeOnExit(join(root, 'kept'));
    release();
    removeRegisteredNow();
    expect(readdirSync(root)).toEqual(['kept']);
    expect(registeredCount()).toBe(0);
  });
});
