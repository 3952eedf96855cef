// The outputs as container tools consume them: podman import/load + run, skopeo inspect.
// Flags that work in this (rootful, nested) environment:
//   podman --runtime runc --cgroup-manager=cgroupfs run --rm --network none
//          --ulimit nofile=10000:10000 --ulimit nproc=1000:1000 IMAGE /bin/sh -c 'echo ok'
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeOutput } from '../../src/assemble/output/index.js';
import type { OutputFormat } from '../../src/assemble/output/index.js';
import { BUSYBOX, CONFIG, busyboxStream } from './rootfs.js';

const hasPodman = spawnSync('podman', ['--version'], { stdio: 'ignore' }).status === 0;
const hasSkopeo = spawnSync('skopeo', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasPodman) console.warn('SKIP: podman not installed; podman import/load/run tests skipped');
if (!hasSkopeo) console.warn('SKIP: skopeo not installed; skopeo inspect tests skipped');
if (BUSYBOX === null) console.warn('SKIP: busybox-static not installed; container tests skipped');

const work = mkdtempSync(join(tmpdir(), 'rfs-podman-'));
const tag = randomBytes(4).toString('hex'); // the podman store is shared: unique names, removed after
const images: string[] = [];
afterAll(() => {
  if (hasPodman && images.length > 0) spawnSync('podman', ['rmi', '-f', ...images], { stdio: 'ignore' });
  rmSync(work, { recursive: true, force: true });
});

const RUN = ['--runtime', 'runc', '--cgroup-manager=cgroupfs', 'run', '--rm', '--network', 'none',
  '--ulimit', 'nofile=10000:10000', '--ulimit', 'nproc=1000:1000'];

function sh(cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function build(format: OutputFormat, name: string, ref?: string): Promise<string> {
  const path = join(work, name);
  await writeOutput(busyboxStream, { format, path, config: CONFIG, tmpDir: work, ...(ref ? { ref } : {}) });
  return path;
}

function runIn(image: string, script: string): string {
  const r = sh('podman', [...RUN, image, '/bin/sh', '-c', script]);
  expect(r.stderr, `podman run failed: ${r.stderr}`).not.toMatch(/Error/);
  expect(r.status).toBe(0);
  return r.stdout;
}

/** rootful podman can mount the image: the capability must be in its storage as an xattr */
function expectCaps(image: string): void {
  const m = sh('podman', ['image', 'mount', image]);
  if (m.status !== 0 || spawnSync('getcap', ['-h'], { stdio: 'ignore' }).error) {
    console.warn(`SKIP: cannot mount ${image} or no getcap (rootless?): capability check skipped`);
    return;
  }
  try {
    expect(sh('getcap', [join(m.stdout.trim(), 'bin/su')]).stdout).toMatch(/cap_setuid,cap_net_raw=ep/);
  } finally {
    sh('podman', ['image', 'unmount', image]);
  }
}

const CHECK = "echo ok; ls -ln /bin/su /var | grep -E 'su|log'";

describe.skipIf(!hasPodman || BUSYBOX === null)('podman', () => {
  it('imports the tar and runs /bin/sh; setuid and owners survive', async () => {
    const image = `localhost/rfs-output-import:${tag}`;
    const r = sh('podman', ['import', await build('tar', 'img.tar'), image]);
    expect(r.status, r.stderr).toBe(0);
    images.push(image);
    const out = runIn(image, CHECK);
    expect(out).toMatch(/^ok$/m);
    expect(out).toMatch(/^-rwsr-xr-x +1 0 +0 .*\/bin\/su$/m);
    expect(out).toMatch(/^drwxr-xr-x +2 65534 +65534 .* log$/m);
    expectCaps(image);
  });

  it('imports from stdout ("-o - | podman import -")', async () => {
    const image = `localhost/rfs-output-stdin:${tag}`;
    const child = spawn('podman', ['import', '-', image], { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const exited = new Promise<number | null>((res) => child.on('close', res));
    await writeOutput(busyboxStream, { format: 'tar', path: '-', config: CONFIG, tmpDir: work, stdout: child.stdin });
    child.stdin.end();
    expect(await exited, err).toBe(0);
    images.push(image);
    expect(runIn(image, 'echo ok')).toBe('ok\n');
  });

  it('loads the oci-archive under its ref name, runs it, and keeps the config', async () => {
    const image = `localhost/rfs-output-oci:${tag}`;
    const r = sh('podman', ['load', '-i', await build('oci-archive', 'img.oci.tar', `rfs-output-oci:${tag}`)]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Loaded image: ${image}`);
    images.push(image);
    expect(runIn(image, 'echo ok')).toBe('ok\n');
    const cfg = JSON.parse(sh('podman', ['image', 'inspect', image]).stdout)[0];
    expect(cfg).toMatchObject({ Architecture: 'amd64', Os: 'linux', Config: { Cmd: ['/bin/sh'], StopSignal: 'SIGRTMIN+3' } });
    expect(cfg.Labels).toMatchObject({ name: 'rfs-busybox', version: '1.0' });
    expectCaps(image);
  });

  it('loads the docker-archive and runs it', async () => {
    const image = `localhost/rfs-output-docker:${tag}`;
    const r = sh('podman', ['load', '-i', await build('docker-archive', 'img.docker.tar', `rfs-output-docker:${tag}`)]);
    expect(r.status, r.stderr).toBe(0);
    images.push(image);
    expect(runIn(image, 'echo ok')).toBe('ok\n');
  });
});

describe.skipIf(!hasSkopeo || BUSYBOX === null)('skopeo inspect', () => {
  it.each([
    ['oci-archive', 'sk.oci.tar', 'oci-archive:'],
    ['oci', 'sk-oci', 'oci:'],
    ['docker-archive', 'sk.docker.tar', 'docker-archive:'],
  ] as const)('%s shows config and labels', async (format, name, transport) => {
    const path = await build(format, name);
    const r = sh('skopeo', ['inspect', `${transport}${path}`]);
    expect(r.status, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info).toMatchObject({ Architecture: 'amd64', Os: 'linux', Created: '2020-09-13T12:26:40Z', Env: CONFIG.env });
    expect(info.Labels).toEqual(CONFIG.labels);
    const c = sh('skopeo', ['inspect', '--config', `${transport}${path}`]);
    expect(JSON.parse(c.stdout).config).toMatchObject({ Cmd: ['/bin/sh'], Volumes: { '/var/log': {} }, WorkingDir: '/' });
  });
});
