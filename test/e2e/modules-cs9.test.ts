// --module on real modular metadata: CentOS Stream 9 BaseOS + AppStream (its modules.yaml), through
// the CLI, against the host's dnf with the same stream enabled (libdnf's modules.d state file in
// its installroot, which is what `dnf module enable` writes).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPSTREAM, BASEOS, haveCs9, haveDnf, parseDnfTable } from '../solver/cs9.js';
import { runCli } from './helpers.js';

if (!haveCs9) console.warn('[e2e modules-cs9] skipped: ../shared/realdata CS9 repos absent');
const withDnf = haveCs9 && haveDnf();
if (haveCs9 && !withDnf) console.warn('[e2e modules-cs9] dnf absent: the comparison with dnf is skipped');

// parsed metadata and dnf's cache outlive the run (outside /tmp), as in test/solver/cs9.ts
const CACHE = resolve(__dirname, '../../node_modules/.cache/rfs-modules-cs9');
const DNF_CACHE = resolve(__dirname, '../../node_modules/.cache/rfs-solver-dnf');
const REPOS = ['--repofrompath', `b,file://${BASEOS}`, '--repofrompath', `a,file://${APPSTREAM}`, '--arch', 'x86_64'];

type Row = { name: string; epoch: number; version: string; release: string; arch: string };
const nevra = (p: Row): string => `${p.name}-${p.epoch ? `${p.epoch}:` : ''}${p.version}-${p.release}.${p.arch}`;

async function ours(args: string[]): Promise<{ code: number; set: string[]; stderr: string }> {
  const r = await runCli(['resolve', ...REPOS, ...args, '--json', '--cache-dir', CACHE]);
  return { code: r.code, set: r.code === 0 ? (JSON.parse(r.stdout) as Row[]).map(nevra).sort() : [], stderr: r.stderr };
}

function dnfWithStream(pkgs: string[], module: string, stream: string): string[] | null {
  const root = mkdtempSync(join(tmpdir(), 'rfs-dnfroot-'));
  try {
    mkdirSync(join(root, 'etc/dnf/modules.d'), { recursive: true });
    writeFileSync(join(root, `etc/dnf/modules.d/${module}.module`), `[${module}]\nname=${module}\nstream=${stream}\nprofiles=\nstate=enabled\n`);
    const args = [`--installroot=${root}`, '--setopt=reposdir=/dev/null', `--setopt=cachedir=${DNF_CACHE}`,
      `--repofrompath=b,file://${BASEOS}`, `--repofrompath=a,file://${APPSTREAM}`, '--disablerepo=*', '--enablerepo=b,a',
      '--setopt=install_weak_deps=False', '--setopt=module_platform_id=platform:el9', '--releasever=9', '--nogpgcheck', '--assumeno', 'install', ...pkgs];
    let out: string;
    try {
      out = execFileSync('dnf', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      out = (err as { stdout?: string }).stdout ?? '';
    }
    return parseDnfTable(out);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe.skipIf(!haveCs9)('--module on CentOS Stream 9 AppStream', () => {
  it('enabling a stream installs its packages; an unknown stream lists the real ones', async () => {
    const plain = await ours(['nodejs']);
    expect(plain.code, plain.stderr).toBe(0);
    const s20 = await ours(['nodejs', '--module', 'nodejs:20']);
    expect(s20.code, s20.stderr).toBe(0);
    expect(s20.set.find((p) => p.startsWith('nodejs-1:'))).toMatch(/^nodejs-1:20\..*module_el9/);
    expect(s20.set).not.toEqual(plain.set);
    const bad = await ours(['nodejs', '--module', 'nodejs:21']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/streams of nodejs: .*\b18\b.*\b20\b/);
  }, 300_000);

  it.skipIf(!withDnf).each([['nodejs', '20'], ['nodejs', '18']])('%s:%s gives dnf\'s set', async (module, stream) => {
    const want = dnfWithStream([module], module, stream);
    expect(want).not.toBeNull();
    expect((await ours([module, '--module', `${module}:${stream}`])).set).toEqual(want);
  }, 300_000);
});
