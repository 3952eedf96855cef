// Each profile end to end: assemble() on the el7 fixture repos (real rpmbuild packages with
// CentOS 7's scriptlets), output as an OCI layout; check the OCI config and the image files.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assemble } from '../../src/assemble/assemble.js';
import { fixtureRepo, fixturesAvailable } from '../helpers/fixtures.js';

const avail = fixturesAvailable();
if (!avail.ok) console.warn(`skipping profile end-to-end tests: ${avail.reason}`);
const work = mkdtempSync(join(tmpdir(), 'rfs-prof-e2e-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface OciConfig { config: { Env?: string[]; Cmd?: string[]; Entrypoint?: string[]; StopSignal?: string; Volumes?: Record<string, object>; Labels?: Record<string, string> } }

async function build(name: string, profiles: string[], packages: string[], addFiles: { src: string; dest: string; mode?: number }[] = []): Promise<{ config: OciConfig; root: string; skipped: unknown[] }> {
  const out = join(work, name);
  const result = await assemble({
    repofrompath: [['el7-os', `file://${fixtureRepo('el7-os')}`]],
    rpmdb: 'bdb-hash-v9', packages, profiles, addFiles, sourceDateEpoch: 1_700_000_000,
    cacheDir: join(work, 'cache'), output: { path: out, format: 'oci' },
  });
  const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const blob = (d: string) => join(out, 'blobs', ...d.split(':'));
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0]!.digest), 'utf8')) as { config: { digest: string }; layers: { digest: string }[] };
  const config = JSON.parse(readFileSync(blob(manifest.config.digest), 'utf8')) as OciConfig;
  const root = join(work, `${name}-root`);
  execFileSync('mkdir', ['-p', root]);
  for (const l of manifest.layers) execFileSync('tar', ['-xf', blob(l.digest), '-C', root]);
  return { config, root, skipped: result.scriptlets.skipped };
}

describe.skipIf(!avail.ok)('profiles end to end (el7 fixture repo, OCI layout)', () => {
  it('systemd: systemd replaces fakesystemd, wants pruned, OCI config per the recipe', async () => {
    const { config, root } = await build('systemd', ['systemd'], ['bash', 'openssh-server']);
    expect(config.config).toMatchObject({ Cmd: ['/usr/sbin/init'], StopSignal: 'SIGRTMIN+3', Volumes: { '/sys/fs/cgroup': {} } });
    expect(config.config.Env).toContain('container=oci');
    expect(existsSync(join(root, 'usr/lib/systemd/systemd'))).toBe(true);
    const wants = (d: string) => (existsSync(join(root, d)) ? readdirSync(join(root, d)) : []);
    expect(wants('usr/lib/systemd/system/sysinit.target.wants').filter((f) => f !== 'systemd-tmpfiles-setup.service')).toEqual([]);
    expect(wants('usr/lib/systemd/system/multi-user.target.wants')).toEqual([]);
    // sshd was enabled by its %systemd_post (preset enable sshd.service), then pruned by the recipe
    expect(wants('etc/systemd/system/multi-user.target.wants')).toEqual([]);
  });
  it('init: /sbin/my_init as entrypoint, start-up and service dirs', async () => {
    const { config, root } = await build('init', ['init'], ['bash']);
    expect(config.config.Entrypoint).toEqual(['/sbin/my_init', '--']);
    expect(readFileSync(join(root, 'sbin/my_init'), 'utf8')).toMatch(/^#!\/bin\/sh/);
    expect(existsSync(join(root, 'etc/my_init.d')) && existsSync(join(root, 'etc/service'))).toBe(true);
  });
  it('baseimage: its services from the era\'s packages, added files keep the host mode or take MODE', async () => {
    const run = join(work, 'app-run');
    writeFileSync(run, '#!/bin/sh\nexec sleep 1000\n');
    chmodSync(run, 0o750);
    const { config, root } = await build('baseimage', ['baseimage'], ['bash'], [
      { src: run, dest: '/etc/service/app/run' }, { src: run, dest: '/etc/my_init.d/10-app', mode: 0o700 }]);
    expect(config.config.Entrypoint).toEqual(['/sbin/my_init']);
    expect(config.config.Env).toContain('KILL_PROCESS_TIMEOUT=5');
    for (const f of ['usr/sbin/rsyslogd', 'usr/sbin/crond', 'usr/sbin/logrotate', 'usr/sbin/sshd', 'etc/cron.daily/logrotate']) expect(existsSync(join(root, f)), f).toBe(true);
    const mode = (p: string) => statSync(join(root, p)).mode & 0o7777;
    expect([mode('etc/service/app/run'), mode('etc/my_init.d/10-app'), mode('sbin/my_init'), mode('etc/container_environment')]).toEqual([0o750, 0o700, 0o755, 0o700]);
    expect(existsSync(join(root, 'etc/service/sshd/down'))).toBe(true);
    // host keys are made at sshd's first start, never in the image
    expect(readdirSync(join(root, 'etc/ssh')).filter((f) => f.startsWith('ssh_host_'))).toEqual([]);
    expect(readFileSync(join(root, 'etc/group'), 'utf8')).toMatch(/^docker_env:x:8377:$/m);
  });
  it('system-container: atomic.type label and /exports templates', async () => {
    const { config, root } = await build('sc', ['system-container'], ['bash']);
    expect(config.config.Labels).toMatchObject({ 'atomic.type': 'system' });
    expect(readdirSync(join(root, 'exports')).sort()).toEqual(['config.json.template', 'manifest.json', 'service.template', 'tmpfiles.template']);
  });
  it('minimal: accounts from %pre scriptlets, root locked, UTC', async () => {
    const { root } = await build('minimal', ['minimal'], ['bash', 'openssh-server']);
    const passwd = readFileSync(join(root, 'etc/passwd'), 'utf8');
    expect(passwd).toMatch(/^sshd:x:74:74:Privilege-separated SSH:\/var\/empty\/sshd:\/sbin\/nologin$/m);
    expect(readFileSync(join(root, 'etc/shadow'), 'utf8')).toMatch(/^root:!!:/m);
  });
});
