// `--format dir` end to end: the fixture's `dev` package gives char/block devices and a fifo;
// the events say whether they were made (root: mknod/mkfifo) or recorded in the sidecar.
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_KEY, fixturesAvailable } from '../helpers/fixtures.js';
import { assemble } from '../../src/index.js';
import type { AssembleEvent } from '../../src/types/index.js';
import { isRoot, useFixtureMirror } from './helpers.js';

const avail = fixturesAvailable();
if (!avail.ok) console.warn(`[e2e dir-nodes] skipped: ${avail.reason}`);

describe.skipIf(!avail.ok)('--format dir with device nodes', () => {
  const env = useFixtureMirror('rfs-dirnodes-');
  it('makes /dev nodes as root, or records them and warns; the event says which', async () => {
    const out = join(env.dir, 'root');
    const events: AssembleEvent[] = [];
    const r = await assemble({
      distro: 'centos:4.9', gpgkeys: [FIXTURE_KEY], packages: ['dev'], mirror: env.mirror.url, output: { path: out, format: 'dir' },
      cacheDir: join(env.dir, 'cache'), sourceDateEpoch: 1234567890, onEvent: (e) => events.push(e),
    });
    const ev = events.find((e) => e.kind === 'output:nodes');
    expect(ev).toMatchObject({ kind: 'output:nodes', devices: isRoot, sidecar: `${out}.ownership.json` });
    expect(lstatSync(join(out, 'dev/initctl')).isFIFO()).toBe(true);
    const side = JSON.parse(readFileSync(`${out}.ownership.json`, 'utf8'));
    expect(side.entries.find((e: { path: string }) => e.path === '/dev/null')).toMatchObject({ type: 'char', devMajor: 1, devMinor: 3 });
    if (isRoot) {
      expect(ev).toMatchObject({ recorded: 0 });
      const nul = lstatSync(join(out, 'dev/null'));
      expect([nul.isCharacterDevice(), nul.rdev, nul.mode & 0o777]).toEqual([true, (1 << 8) | 3, 0o666]);
      expect(lstatSync(join(out, 'dev/sda1')).isBlockDevice()).toBe(true);
      expect(r.warnings.some((w) => w.includes('device node'))).toBe(false);
    } else {
      expect(() => lstatSync(join(out, 'dev/null'))).toThrow(/ENOENT/);
      expect(r.warnings.some((w) => w.includes('device node'))).toBe(true);
    }
  }, 300_000);
});
