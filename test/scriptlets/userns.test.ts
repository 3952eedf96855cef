// --run-scriptlets=userns: what emulation did not reproduce runs for real, in a user namespace
// + chroot of the image (static busybox as the image's /bin/sh), and its changes come back.
// When this host has no usable user namespaces the clear error is asserted instead.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectUserns, emulateScriptlets, runUnreproducedInUserns } from '../../src/scriptlets/index.js';
import type { ScriptletPackage } from '../../src/scriptlets/index.js';
import { ImageTree } from '../../src/assemble/tree.js';
import type { AssembleEvent } from '../../src/types/index.js';
import { SDE, pkg, text } from './helpers.js';

const det = detectUserns();
const busybox = existsSync('/bin/busybox') ? readFileSync('/bin/busybox') : undefined;
const skipWhy = !det.ok ? `user namespaces unavailable here: ${det.reason}` : !busybox ? 'busybox-static not installed' : '';
if (skipWhy) console.warn(`skipping the userns run tests: ${skipWhy}`);

function image(opts: { shell?: 'busybox' | 'garbage' | 'none' } = {}): ImageTree {
  const t = new ImageTree(SDE);
  for (const d of ['/etc', '/var/lib', '/usr/bin', '/tmp']) t.mkdir(d);
  t.symlink('usr/bin', '/bin');
  if (opts.shell !== 'none') {
    t.writeFile('/usr/bin/busybox', opts.shell === 'garbage' ? 'not a program\n' : busybox ?? '', { mode: 0o755 });
    for (const a of ['sh', 'mkdir', 'chmod', 'chown', 'rm', 'ln', 'tr', 'cat', 'touch', 'sleep']) t.symlink('busybox', `/usr/bin/${a}`);
  }
  t.writeFile('/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\napache:x:48:48:Apache:/var/www:/sbin/nologin\n');
  t.writeFile('/etc/group', 'root:x:0:\napache:x:48:\n');
  t.writeFile('/etc/old.conf', 'old\n');
  return t;
}

// `tr`, `busybox` and `uname` are not emulated, so these scriptlets are reported, then run for real
const POST = `echo hi > /etc/marker
mkdir -p /var/lib/demo
chmod 0750 /var/lib/demo
chown apache:apache /var/lib/demo
rm -f /etc/old.conf
ln -s ../marker /etc/link
echo upper | tr a-z A-Z > /etc/upper
busybox chown apache:apache /etc/upper
`;
function withTrigger(): ScriptletPackage {
  const p = pkg({ name: 'demo', scripts: [{ kind: 'post', body: POST }] });
  return { ...p, meta: { ...p.meta, files: [{ path: '/usr/share/demo/a' }, { path: '/usr/share/demo/b' }],
    fileTriggers: [{ kind: 'transfiletriggerin', prog: ['/bin/sh'], body: 'tr a-z A-Z > /etc/seen\n', prefixes: ['/usr/share/demo'], priority: 1000000, index: 0 }] } };
}

describe.skipIf(skipWhy !== '')('running unreproduced scriptlets in a user namespace', () => {
  it('applies new, changed and removed files, modes, symlinks and (as far as the mapping allows) owners; stdin reaches file triggers', () => {
    const t = image();
    const report = emulateScriptlets([withTrigger()], t, { sourceDateEpoch: SDE, collectUnreproduced: true });
    expect(report.skipped.map((s) => s.scriptlet)).toEqual(['post', 'transfiletriggerin(/usr/share/demo)']);
    const outcomes = runUnreproducedInUserns(report, t);
    expect(outcomes.map((o) => [o.scriptlet, o.status])).toEqual([['post', 0], ['transfiletriggerin(/usr/share/demo)', 0]]);
    expect(text(t, '/etc/marker')).toBe('hi\n');
    expect(text(t, '/etc/upper')).toBe('UPPER\n');
    expect(text(t, '/etc/seen')).toBe('/USR/SHARE/DEMO/A\n/USR/SHARE/DEMO/B\n');
    expect(t.exists('/etc/old.conf')).toBe(false);
    expect(t.lstat('/etc/link')).toMatchObject({ type: 'symlink', linkTarget: '../marker' });
    expect(t.lstat('/var/lib/demo')).toMatchObject({ type: 'dir', mode: 0o750 });
    if (det.ok && det.mode.kind !== 'single') {
      expect(t.lstat('/var/lib/demo')).toMatchObject({ user: 'apache', group: 'apache' });
      expect(t.lstat('/etc/upper')).toMatchObject({ user: 'apache', group: 'apache' });
      expect(report.skipped).toEqual([]);
      // emulation had already done what it could (marker, rm, ln, an empty /etc/upper): the real run adds the rest
      expect(report.emulated.find((e) => e.scriptlet === 'post')?.actions).toEqual(['ran in a user namespace (exit 0)', 'changed /etc/upper', 'chown apache:apache /etc/upper']);
      expect(report.emulated.find((e) => e.scriptlet.startsWith('transfiletriggerin'))?.actions).toEqual(['ran in a user namespace (exit 0)', 'changed /etc/seen']);
    }
    // the image's other content is untouched
    expect(t.lstat('/bin')).toMatchObject({ type: 'symlink', linkTarget: 'usr/bin' });
    expect(text(t, '/etc/passwd')).toContain('apache:x:48');
  });
  it('a missing interpreter is a clear error', () => {
    const t = image({ shell: 'none' });
    const report = emulateScriptlets([pkg({ name: 'demo', scripts: [{ kind: 'post', body: 'uname -r > /etc/k\n' }] })], t, { sourceDateEpoch: SDE, collectUnreproduced: true });
    expect(() => runUnreproducedInUserns(report, t)).toThrow(expect.objectContaining({ code: 'RFS_SCRIPTLET_EXEC', message: expect.stringContaining('its interpreter /bin/sh is not in the image') }));
  });
  it('an interpreter that cannot be executed is a clear error', () => {
    const t = image({ shell: 'garbage' });
    const report = emulateScriptlets([pkg({ name: 'demo', scripts: [{ kind: 'post', body: 'uname -r > /etc/k\n' }] })], t, { sourceDateEpoch: SDE, collectUnreproduced: true });
    expect(() => runUnreproducedInUserns(report, t)).toThrow(expect.objectContaining({ code: 'RFS_SCRIPTLET_EXEC', hint: expect.stringContaining('could not be started') }));
  });
  it('a scriptlet that does not finish in time is killed and stays reported', () => {
    const t = image();
    const report = emulateScriptlets([pkg({ name: 'demo', scripts: [{ kind: 'post', body: 'sleep 29.25\n' }] })], t, { sourceDateEpoch: SDE, collectUnreproduced: true });
    runUnreproducedInUserns(report, t, { timeoutMs: 1000 });
    // nothing of it is left running
    expect(spawnSync('pgrep', ['-f', 'sleep 29.25']).status).toBe(1);
    expect(report.skipped[0]?.reason).toContain('did not finish within 1 s in the user namespace (killed)');
  });
  it('<lua> scriptlets stay reported (rpm runs them itself); skipped events name only what is left', () => {
    const t = image();
    const events: AssembleEvent[] = [];
    const onEvent = (e: AssembleEvent) => events.push(e);
    const report = emulateScriptlets([
      pkg({ name: 'lua', scripts: [{ kind: 'post', prog: ['<lua>'], body: 'posix.uname()\n' }] }),
      pkg({ name: 'sh', scripts: [{ kind: 'post', body: 'echo x | tr x y > /etc/y\n' }] }),
    ], t, { sourceDateEpoch: SDE, collectUnreproduced: true, onEvent });
    expect(events.filter((e) => e.kind === 'scriptlet:skipped')).toEqual([]);
    runUnreproducedInUserns(report, t, { onEvent });
    expect(report.skipped[0]?.reason).toContain('a <lua> scriptlet runs inside rpm itself');
    expect(events.filter((e) => e.kind === 'scriptlet:skipped').map((e) => 'nevra' in e && e.nevra)).toEqual(['lua-1.0-1.x86_64']);
    expect(text(t, '/etc/y')).toBe('y\n');
  });
});

describe.skipIf(det.ok)('without user namespaces', () => {
  it('--run-scriptlets=userns fails with RFS_USERNS_UNAVAILABLE and a hint', () => {
    const t = image();
    const report = emulateScriptlets([pkg({ name: 'demo', scripts: [{ kind: 'post', body: 'uname -r > /etc/k\n' }] })], t, { sourceDateEpoch: SDE, collectUnreproduced: true });
    expect(() => runUnreproducedInUserns(report, t)).toThrow(expect.objectContaining({ code: 'RFS_USERNS_UNAVAILABLE', hint: expect.stringContaining('user namespaces') }));
  });
});
