// --profile baseimage under podman, on a CentOS 4 and a CentOS 7 fixture image built by the CLI
// (services and startup scripts added with --add-file, their modes kept or given): container
// environment import/dump, startup order with rc.local, supervision (restart + finish, down,
// sv start/stop), setuser, syslog, cron, and `podman stop` stopping every service in time.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_KEY, fixturesAvailable } from '../helpers/fixtures.js';
import { have, isRoot, run, runCli, useFixtureMirror } from './helpers.js';

const avail = fixturesAvailable();
const podmanOk = isRoot && have('podman') && have('skopeo');
if (!avail.ok) console.warn(`[e2e baseimage] skipped: ${avail.reason}`);
if (!podmanOk) console.warn('[e2e baseimage] skipped: needs podman and skopeo, as root');

const P = ['--runtime', 'runc', '--cgroup-manager=cgroupfs'];
const LIMITS = ['--network', 'none', '--ulimit', 'nofile=10000:10000', '--ulimit', 'nproc=1000:1000'];
const WEIRD = `it's "quoted"  with  spaces\nand a second line $HOME \`x\``;
// async: a worker blocked in a long spawnSync on a loaded machine misses vitest's RPC deadline
const podman = async (...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> => {
  const r = await run('podman', [...P, ...args], process.env);
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** the host files added to the image; modes come from the host file unless :MODE is given */
function hostFiles(dir: string): string[] {
  const f = (name: string, body: string, mode = 0o755): string => {
    const p = join(dir, name);
    writeFileSync(p, body);
    chmodSync(p, mode);
    return p;
  };
  return [
    `${f('from-file', 'from "file" it\'s\n', 0o600)}:/etc/container_environment/FROM_FILE`,
    `${f('10-order', '#!/bin/sh\necho initd >> /var/tmp/order\necho set-by-initd > /etc/container_environment/FROM_INITD\n')}:/etc/my_init.d/10-order`,
    `${f('20-gate', '#!/bin/sh\nif [ -n "$FAIL_STARTUP" ]; then echo "startup refused" >&2; exit 4; fi\n')}:/etc/my_init.d/20-gate`,
    // 0644 on the host: the :MODE makes it executable
    `${f('rc.local', '#!/bin/sh\necho rc.local >> /var/tmp/order\n', 0o644)}:/etc/rc.local:0755`,
    `${f('flaky', '#!/bin/sh\necho start >> /var/tmp/flaky-starts\nsleep 1\nexit 3\n')}:/etc/service/flaky/run`,
    `${f('flaky-finish', '#!/bin/sh\necho "finish $1" >> /var/tmp/flaky-finish\n')}:/etc/service/flaky/finish`,
    `${f('lazy', '#!/bin/sh\ntouch /var/tmp/lazy-ran\nexec sleep 1000\n')}:/etc/service/lazy/run`,
    `${f('down', '', 0o644)}:/etc/service/lazy/down`,
    `${f('steady', '#!/bin/sh\nexec sleep 1000\n')}:/etc/service/steady/run`,
    `${f('keeper', "#!/bin/sh\ntrap 'echo stopped > /state/keeper; exit 0' TERM\nwhile :; do sleep 1; done\n")}:/etc/service/keeper/run`,
    `${f('crontab', '* * * * * echo fired >> /var/tmp/cron-fired\n', 0o644)}:/var/spool/cron/root:0600`,
  ];
}

async function until(what: string, check: () => Promise<boolean>, seconds: number): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${seconds}s waiting for ${what}`);
    await sleep(1000);
  }
}

describe.skipIf(!avail.ok || !podmanOk).each([
  { era: 'el4', distro: 'centos:4.9', extra: [] as string[] },
  // util-linux (su, logger) is in every real CentOS 7 image's closure; the fixture default set lacks it
  { era: 'el7', distro: 'centos:7.9.2009', extra: ['util-linux'] },
])('baseimage profile on $distro under podman', ({ era, distro, extra }) => {
  const env = useFixtureMirror(`rfs-baseimage-${era}-`);
  const image = `localhost/rfs-baseimage-${era}:${process.pid}`;
  const name = `rfs-baseimage-${era}-${process.pid}`;
  let state = '';
  const exec = (script: string) => podman('exec', name, '/bin/sh', '-c', script);
  const out = async (script: string): Promise<string> => {
    const r = await exec(script);
    if (r.status !== 0) throw new Error(`podman exec ${script}: exit ${r.status}\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };

  beforeAll(async () => {
    const files = join(env.dir, 'files');
    mkdirSync(files);
    state = join(env.dir, 'state');
    mkdirSync(state);
    const archive = join(env.dir, 'image.tar');
    const b = await runCli([distro, ...extra, '--mirror', env.mirror.url, '--gpgkey', FIXTURE_KEY, '--profile', 'baseimage', '--user', 'app:1000',
      ...hostFiles(files).flatMap((f) => ['--add-file', f]), '--format', 'oci-archive', '-o', archive, '--cache-dir', join(env.dir, 'cache'), '-q']);
    if (b.code !== 0) throw new Error(`build: ${b.stderr}`);
    const copy = await run('skopeo', ['copy', '-q', `oci-archive:${archive}`, `containers-storage:${image}`], process.env);
    if (copy.code !== 0) throw new Error(`skopeo copy: ${copy.stderr}`);
    const started = await podman('run', '-d', '--name', name, ...LIMITS, '-v', `${state}:/state`, '-e', `WEIRD=${WEIRD}`, image);
    if (started.status !== 0) throw new Error(`podman run: ${started.stderr}`);
  }, 600_000);
  afterAll(async () => {
    await podman('rm', '-f', name);
    await podman('rmi', '-f', image);
  });

  it('imports and dumps the container environment (files, .sh, .json), root only', async () => {
    await until('the start-up to finish', async () => (await exec('test -f /var/tmp/order && grep -q rc.local /var/tmp/order')).status === 0, 30);
    // a value with quotes, spaces and newlines survives the round trip through the .sh dump
    // (sourced in an empty environment: podman exec would otherwise pass WEIRD itself)
    const fromSh = (v: string) => out(`env -i /bin/sh -c '. /etc/container_environment.sh && printf %s "$${v}"'`);
    expect(await fromSh('WEIRD')).toBe(WEIRD);
    expect(await fromSh('FROM_FILE')).toBe('from "file" it\'s');
    expect(await out('cat /etc/container_environment/WEIRD')).toBe(WEIRD);
    const json = JSON.parse(await out('cat /etc/container_environment.json')) as Record<string, string>;
    expect(json).toMatchObject({ WEIRD, FROM_FILE: 'from "file" it\'s', FROM_INITD: 'set-by-initd', KILL_PROCESS_TIMEOUT: '5' });
    for (const ignored of ['HOME', 'USER', 'SHELL', 'UID']) expect(json).not.toHaveProperty(ignored);
    expect(await out('stat -c "%a %U %G" /etc/container_environment /etc/container_environment/WEIRD /etc/container_environment.sh /etc/container_environment.json'))
      .toBe('700 root root\n600 root root\n640 root docker_env\n640 root docker_env\n');
    // services inherit it, including what a startup script added
    const svcEnv = await out('cat /proc/$(cat /etc/service/steady/supervise/status | cut -d" " -f2)/environ | tr "\\0" "\\n"');
    expect(svcEnv).toContain('FROM_FILE=from "file" it\'s\n');
    expect(svcEnv).toContain('FROM_INITD=set-by-initd\n');
  }, 60_000);

  it('runs /etc/my_init.d/* in order, then an executable /etc/rc.local', async () => {
    expect(await out('cat /var/tmp/order')).toBe('initd\nrc.local\n');
    expect(await out('stat -c %a /etc/rc.local /etc/my_init.d/10-order /var/spool/cron/root')).toBe('755\n755\n600\n');
  });

  it('restarts a service that exits and runs its finish script; a down one stays down until sv start', async () => {
    await until('three starts of flaky', async () => ((await exec('cat /var/tmp/flaky-starts')).stdout.match(/start/g) ?? []).length >= 3, 30);
    expect(await out('cat /var/tmp/flaky-finish')).toMatch(/^finish 3\nfinish 3\n/);
    expect((await exec('test -e /var/tmp/lazy-ran')).status).toBe(1);
    expect(await out('sv status lazy')).toMatch(/^down: lazy: \d+s\n$/);
    expect(await out('sv status sshd')).toMatch(/^down: sshd: /);
    expect(await out('sv start lazy')).toMatch(/^ok: run: lazy: \(pid \d+\)/);
    await until('lazy to run', async () => (await exec('test -e /var/tmp/lazy-ran')).status === 0, 10);
  }, 60_000);

  it('sv stop stops a service and keeps it down', async () => {
    const before = await out('sv status steady');
    expect(before).toMatch(/^run: steady: \(pid \d+\)/);
    const pid = /pid (\d+)/.exec(before)![1]!;
    expect(await out('sv stop steady')).toMatch(/^ok: down: steady: \d+s, normally up\n$/);
    expect((await exec(`kill -0 ${pid}`)).status).not.toBe(0);
    await sleep(2500);
    expect(await out('sv status steady')).toMatch(/^down: steady: /);
  }, 30_000);

  it('setuser runs a command with the user\'s uid, groups and HOME', async () => {
    expect(await out('/sbin/setuser app /bin/sh -c \'id -u; id -g; id -G; echo "$HOME $USER"\'')).toBe('1000\n1000\n1000\n/home/app app\n');
  });

  it('syslog: a logger line reaches /var/log/messages', async () => {
    await out(`/bin/busybox logger -t rfs-test "hello from ${era}"`);
    await until('the logger line', async () => (await exec(`grep -q "rfs-test.*hello from ${era}" /var/log/messages`)).status === 0, 15);
  }, 30_000);

  it('cron: a crontab entry fires within two minutes', async () => {
    await until('the cron job', async () => (await exec('grep -q fired /var/tmp/cron-fired')).status === 0, 125);
  }, 140_000);

  it('podman stop: services stopped, exit within the timeout', async () => {
    const t0 = Date.now();
    // podman's own timeout is far longer than the profile's KILL_*_TIMEOUT: ending early means my_init did it
    expect((await podman('stop', '-t', '60', name)).status).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(readFileSync(join(state, 'keeper'), 'utf8')).toBe('stopped\n');
    expect((await podman('inspect', '--format', '{{.State.ExitCode}}', name)).stdout.trim()).toBe('2');
    expect((await podman('logs', name)).stderr).toMatch(/Stopping services[\s\S]*Killing all processes/);
  }, 60_000);

  it('-- COMMAND, --skip-runit, --quiet and a failing startup script', async () => {
    const cmd = await podman('run', '--rm', ...LIMITS, image, '--', '/bin/sh', '-c',
      // the command starts beside the services: wait for keeper to be up before asking
      'i=0; while [ $i -lt 20 ] && ! sv status keeper | grep -q "^run:"; do sleep 1; i=$((i+1)); done; sv status keeper; exit 7');
    expect(cmd.status).toBe(7);
    expect(cmd.stdout).toMatch(/^run: keeper: /);
    const skip = await podman('run', '--rm', ...LIMITS, image, '--skip-runit', '--quiet', '/bin/sh', '-c', 'test ! -e /etc/service/keeper/supervise/status');
    expect(skip.status).toBe(0);
    expect(skip.stderr).toBe('');
    const fail = await podman('run', '--rm', ...LIMITS, '-e', 'FAIL_STARTUP=1', image, '--', '/bin/sh', '-c', 'echo should-not-run');
    expect(fail.status).toBe(1);
    expect(fail.stderr).toContain('startup refused');
    expect(fail.stderr).toContain('/etc/my_init.d/20-gate failed with status 4');
    expect(fail.stdout).not.toContain('should-not-run');
    expect(existsSync(state)).toBe(true);
  }, 120_000);
});
