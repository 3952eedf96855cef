// File triggers and --run-scriptlets=userns end to end, on the modern fixture repo: glibc's
// ldconfig trigger, texinfo's info trigger, EL8 systemd's sysusers/tmpfiles triggers and a
// package's own priority-ordered %filetriggerin are reproduced; shared-mime-info's
// update-mime-database is reported. With --run-scriptlets=userns the %post emulation cannot
// reproduce (uname) runs in the image (bash-static and busybox) and is no longer reported.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesAvailable } from '../helpers/fixtures.js';
import { assemble } from '../../src/index.js';
import { detectUserns } from '../../src/scriptlets/index.js';
import { isRoot, useFixtureMirror } from './helpers.js';

const avail = fixturesAvailable();
if (!avail.ok) console.warn(`[e2e filetriggers] skipped: ${avail.reason}`);
const userns = detectUserns();
if (!userns.ok) console.warn(`[e2e filetriggers] the userns run is replaced by its error check: ${userns.reason}`);
const PKGS = ['bash', 'coreutils-single', 'setup', 'filesystem', 'systemd', 'filetrigger-demo'];

describe.skipIf(!avail.ok)('file triggers and --run-scriptlets=userns (modern repo)', () => {
  const env = useFixtureMirror('rfs-e2e-ft-');
  const build = (name: string, extra: { runScriptlets?: 'userns' } = {}) => assemble({
    repofrompath: [['modern', env.mirror.repoUrl('modern')]], rpmdb: 'sqlite', rpmdbPath: '/usr/lib/sysimage/rpm', packages: PKGS,
    output: { path: join(env.dir, name), format: 'dir' }, cacheDir: join(env.dir, 'cache'), sourceDateEpoch: 1700000000, ...extra,
  });

  it('emulates the triggers rpm would run and reports the one it cannot', async () => {
    const r = await build('plain');
    const root = join(env.dir, 'plain');
    const read = (p: string) => readFileSync(join(root, p), 'utf8');
    // the package's own %filetriggerin: high priority before its %post, low after, paths on stdin, $1 = 0
    expect(read('var/log/filetrigger-demo.log')).toBe('high 0\n  /usr/share/filetrigger-demo\n  /usr/share/filetrigger-demo/data.txt\nlow 0\n  /usr/share/filetrigger-demo\n  /usr/share/filetrigger-demo/data.txt\n');
    // EL8 systemd triggers: the sysusers.d user, then the tmpfiles.d directory owned by it
    expect(read('etc/passwd')).toMatch(/^ftdemo:x:\d+:\d+:File trigger demo:\/var\/lib\/filetrigger-demo:/m);
    if (isRoot) {
      const uid = Number(/^ftdemo:x:(\d+):/m.exec(read('etc/passwd'))![1]);
      const st = statSync(join(root, 'var/lib/filetrigger-demo'));
      expect([st.isDirectory(), st.mode & 0o7777, st.uid]).toEqual([true, 0o750, uid]);
    }
    // texinfo's info trigger: install-info for each .info file on its stdin
    expect(read('usr/share/info/dir')).toContain('* Demo: (demo).                 File trigger demonstration.');
    // glibc's ldconfig trigger
    expect(statSync(join(root, 'etc/ld.so.cache')).isFile()).toBe(true);
    expect(r.scriptlets.skipped.filter((s) => !s.nevra.startsWith('systemd-')).map((s) => [s.nevra, s.scriptlet, s.reason])).toEqual([
      ['filetrigger-demo-1.0-1.fc39.noarch', 'post', 'unhandled command: uname -m'],
      ['shared-mime-info-2.2-4.fc39.noarch', 'transfiletriggerin(/usr/share/mime)', "update-mime-database: the shared MIME database (mime.cache, globs, magic; GIO and xdg-mime read only these) not generated (needs the target's binaries)"],
    ]);
  }, 300_000);

  it.runIf(userns.ok)('--run-scriptlets=userns runs the unreproduced ones in the image and reads back what they did', async () => {
    const r = await build('userns', { runScriptlets: 'userns' });
    const root = join(env.dir, 'userns');
    expect(readFileSync(join(root, 'etc/filetrigger-demo.arch'), 'utf8')).toBe(`${process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch}\n`);
    // update-mime-database is not in the fixture image: the real run's `|| :` makes that exit 0,
    // as it would under rpm; so nothing is left unreproduced
    expect(r.scriptlets.skipped).toEqual([]);
  }, 300_000);

  it.runIf(!userns.ok)('--run-scriptlets=userns says clearly that user namespaces are unavailable', async () => {
    await expect(build('userns', { runScriptlets: 'userns' })).rejects.toMatchObject({ code: 'RFS_USERNS_UNAVAILABLE' });
  }, 300_000);
});
