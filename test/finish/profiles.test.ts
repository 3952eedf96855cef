// Profiles: loading, merging, validation, their files on an image; the init profile's PID 1
// under podman (reaps an orphaned zombie, exits on SIGTERM within its timeout).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILES_DIR, applyProfileFiles, loadProfiles } from '../../src/assemble/finish/profiles.js';
import { baseImage, text } from '../scriptlets/helpers.js';
import { run } from '../e2e/helpers.js';

describe('loadProfiles', () => {
  it('systemd: the CentOS 7 recipe values', () => {
    const p = loadProfiles(['systemd']);
    expect(p).toMatchObject({ packages: ['systemd'], removePackages: ['fakesystemd'], env: ['container=oci'], cmd: ['/usr/sbin/init'], stopSignal: 'SIGRTMIN+3', volumes: ['/sys/fs/cgroup'] });
  });
  it('combines minimal + system-container, refuses systemd + init, unknown names and bad files', () => {
    const p = loadProfiles(['minimal', 'system-container']);
    expect(p.labels).toEqual({ 'atomic.type': 'system' });
    expect(p.files.map((f) => f.path)).toEqual(['/exports', '/exports/config.json.template', '/exports/manifest.json', '/exports/service.template', '/exports/tmpfiles.template']);
    expect(() => loadProfiles(['systemd', 'init'])).toThrow(expect.objectContaining({ code: 'RFS_USAGE' }));
    expect(() => loadProfiles(['nope'])).toThrow(expect.objectContaining({ code: 'RFS_USAGE', hint: expect.stringContaining('systemd') }));
    const dir = mkdtempSync(join(tmpdir(), 'prof-'));
    writeFileSync(join(dir, 'x.json'), JSON.stringify({ name: 'x', pakages: [] }));
    expect(() => loadProfiles(['x'], dir)).toThrow(expect.objectContaining({ code: 'RFS_BAD_CONFIG', message: expect.stringContaining('unknown key pakages') }));
    rmSync(dir, { recursive: true });
  });
  it('baseimage: the era-neutral requests, its group, my_init as entrypoint; not with init or systemd', () => {
    const p = loadProfiles(['baseimage']);
    expect(p).toMatchObject({ packages: ['syslog', '/usr/sbin/crond', 'logrotate', 'openssh-server'], groups: [{ name: 'docker_env', gid: 8377 }], entrypoint: ['/sbin/my_init'], cmd: [] });
    expect(p.files.find((f) => f.path === '/etc/container_environment')).toMatchObject({ type: 'dir', mode: 0o700 });
    expect(p.files.find((f) => f.path === '/etc/service/sshd/down')).toMatchObject({ type: 'file', content: '' });
    for (const other of ['init', 'systemd']) expect(() => loadProfiles(['baseimage', other])).toThrow(expect.objectContaining({ code: 'RFS_USAGE' }));
    const dir = mkdtempSync(join(tmpdir(), 'prof-'));
    writeFileSync(join(dir, 'g.json'), JSON.stringify({ name: 'g', groups: ['Bad Name:1'] }));
    expect(() => loadProfiles(['g'], dir)).toThrow(expect.objectContaining({ code: 'RFS_BAD_CONFIG', message: expect.stringContaining('not NAME:GID') }));
    rmSync(dir, { recursive: true });
  });
  it('the system-container templates are valid JSON where they must be', () => {
    const p = loadProfiles(['system-container']);
    expect(JSON.parse(p.files.find((f) => f.path === '/exports/manifest.json')!.content)).toHaveProperty('defaultValues.COMMAND');
    const cfg = p.files.find((f) => f.path === '/exports/config.json.template')!.content.replaceAll('$ALL_PROCESS_CAPABILITIES', '[]');
    expect(JSON.parse(cfg)).toHaveProperty('root.path', 'rootfs');
  });
});

describe('applyProfileFiles', () => {
  it('systemd: prunes the wants directories as the centos/systemd Dockerfile does', () => {
    const t = baseImage(7);
    const sys = '/usr/lib/systemd/system';
    for (const f of ['sysinit.target.wants/systemd-tmpfiles-setup.service', 'sysinit.target.wants/systemd-udevd.service', 'sysinit.target.wants/dev-hugepages.mount',
      'multi-user.target.wants/getty.target', 'local-fs.target.wants/tmp.mount', 'sockets.target.wants/systemd-udevd-control.socket',
      'sockets.target.wants/systemd-initctl.socket', 'sockets.target.wants/systemd-journald.socket', 'basic.target.wants/alsa.service']) {
      t.symlink(`../${f.split('/')[1]}`, `${sys}/${f}`);
    }
    t.symlink('/usr/lib/systemd/system/crond.service', '/etc/systemd/system/multi-user.target.wants/crond.service');
    applyProfileFiles(t, loadProfiles(['systemd']));
    expect(t.list(`${sys}/sysinit.target.wants`)).toEqual(['systemd-tmpfiles-setup.service']);
    expect(t.list(`${sys}/sockets.target.wants`)).toEqual(['systemd-journald.socket']);
    for (const d of ['multi-user', 'local-fs', 'basic']) expect(t.list(`${sys}/${d}.target.wants`)).toEqual([]);
    expect(t.list('/etc/systemd/system/multi-user.target.wants')).toEqual([]);
  });
  it('baseimage adds docker_env to group and gshadow once, and refuses a gid already taken', () => {
    const t = baseImage(7);
    applyProfileFiles(t, loadProfiles(['baseimage']));
    applyProfileFiles(t, loadProfiles(['baseimage']));
    expect((text(t, '/etc/group') ?? '').match(/^docker_env:.*$/gm)).toEqual(['docker_env:x:8377:']);
    expect(text(t, '/etc/gshadow')).toMatch(/^docker_env:!::$/m);
    expect(t.lstat('/etc/profile.d/container_environment.sh')).toMatchObject({ type: 'symlink' });
    const u = baseImage(7);
    u.writeFile('/etc/group', `${text(u, '/etc/group') ?? ''}other:x:8377:\n`);
    expect(() => applyProfileFiles(u, loadProfiles(['baseimage']))).toThrow(expect.objectContaining({ code: 'RFS_BAD_CONFIG', subject: 'docker_env:8377' }));
  });
  it('init and system-container write their files', () => {
    const t = baseImage(7);
    applyProfileFiles(t, loadProfiles(['init', 'system-container']));
    expect(t.lstat('/sbin/my_init')).toMatchObject({ type: 'file', mode: 0o755 });
    expect(text(t, '/sbin/my_init')).toMatch(/^#!\/bin\/sh\n/);
    expect(t.lstat('/etc/my_init.d')?.type).toBe('dir');
    expect(text(t, '/exports/service.template')).toContain('ExecStart=$EXEC_START');
  });
});

const podmanOk = spawnSync('podman', ['--version']).status === 0 && existsSync('/bin/busybox');
if (!podmanOk) console.warn('skipping the my_init podman test: podman or /bin/busybox is absent');
const PODMAN = ['--runtime', 'runc', '--cgroup-manager=cgroupfs'];
const RUN = ['run', '--network', 'none', '--ulimit', 'nofile=10000:10000', '--ulimit', 'nproc=1000:1000', '-e', 'MY_INIT_TIMEOUT=2'];

describe.skipIf(!podmanOk)('init profile PID 1 under podman', () => {
  const tag = `localhost/rfs-my-init-test:${process.pid}`;
  let dir = '';
  // async: a worker blocked in a long spawnSync on a loaded machine misses vitest's RPC deadline
  const podman = async (...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> => {
    const r = await run('podman', [...PODMAN, ...args], process.env);
    return { status: r.code, stdout: r.stdout, stderr: r.stderr };
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'my-init-'));
    const root = join(dir, 'root');
    for (const d of ['bin', 'sbin', 'tmp', 'etc/my_init.d', 'etc/service/stubborn', 'etc/service/polite']) mkdirSync(join(root, d), { recursive: true });
    copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
    for (const a of ['sh', 'sleep', 'ps', 'grep', 'touch', 'cat']) symlinkSync('busybox', join(root, 'bin', a));
    const exe = (p: string, body: string) => { writeFileSync(join(root, p), body); chmodSync(join(root, p), 0o755); };
    exe('sbin/my_init', loadProfiles(['init']).files.find((f) => f.path === '/sbin/my_init')!.content);
    exe('etc/my_init.d/10-mark', '#!/bin/sh\ntouch /tmp/ran-init\n');
    exe('etc/service/polite/run', '#!/bin/sh\nexec sleep 1000\n');
    exe('etc/service/stubborn/run', "#!/bin/sh\ntrap '' TERM\nwhile :; do sleep 1; done\n");
    // the zombie detector must see a zombie it knows about, then none after an orphan dies under PID 1
    exe('check', `#!/bin/sh
test -f /tmp/ran-init || exit 3
sh -c 'sleep 0 & exec sleep 3' &
sleep 1
ps -o stat | grep -q '^Z' || exit 4
sleep 3
(sleep 1 &)
sleep 2
# poll rather than sleep once: a loaded CI machine may be slow to schedule PID 1's reaping
i=0
while ps -o stat | grep -q '^Z'; do
  i=$((i + 1))
  if [ "$i" -ge 15 ]; then ps -o pid,ppid,stat,comm; exit 5; fi
  sleep 1
done
exit 0
`);
    execFileSync('tar', ['-C', root, '-cf', join(dir, 'img.tar'), '.']);
    const r = await podman('import', join(dir, 'img.tar'), tag);
    if (r.status !== 0) throw new Error(`podman import: ${r.stderr}`);
  });
  afterAll(async () => {
    await podman('rmi', '-f', tag);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs my_init.d, reaps an orphaned zombie and returns the command status', async () => {
    const r = await podman(...RUN, '--rm', tag, '/sbin/my_init', '--', '/check');
    expect(r.stderr).toContain('running /etc/my_init.d/10-mark');
    // exit 3/4/5 come from /check; anything else is podman's own failure: show all it said
    expect(r.status, `podman run exit ${r.status}:\n${r.stdout}${r.stderr}`).toBe(0);
  });
  it('forwards SIGTERM and exits within its timeout, killing what ignores it', async () => {
    const name = `rfs-my-init-${process.pid}`;
    const started = await podman(...RUN, '-d', '--name', name, tag, '/sbin/my_init');
    expect(started.status).toBe(0);
    try {
      await new Promise((r) => setTimeout(r, 2000));
      // podman's own stop timeout is far longer than MY_INIT_TIMEOUT: exit 143 means my_init ended it, 137 would mean podman had to KILL
      expect((await podman('stop', '-t', '60', name)).status).toBe(0);
      const code = (await podman('inspect', '--format', '{{.State.ExitCode}}', name)).stdout.trim();
      expect(code).toBe('143');
      expect((await podman('logs', name)).stderr).toContain('received SIGTERM, stopping (timeout 2s)');
    } finally {
      await podman('rm', '-f', name);
    }
  });
});

export { PROFILES_DIR };
