// TEST-ONLY: the real CentOS Stream 9 metadata (BaseOS 2022-02-07 + AppStream 2025-01-13) as a
// pool, and dnf's answer for the same request when dnf is installed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Fetcher } from '../../src/fetch/index.js';
import { poolFor } from '../../src/assemble/solve.js';
import { filterModular, loadRepo, type LoadedRepo } from '../../src/metadata/index.js';
import { createPool, type Pool } from '../../src/solver/index.js';

export const REPOS = resolve(__dirname, '../../../shared/realdata/repos');
export const BASEOS = join(REPOS, 'cs9-baseos-20220207');
export const APPSTREAM = join(REPOS, 'cs9-appstream-20250113');
export const haveCs9 = existsSync(join(BASEOS, 'repodata')) && existsSync(join(APPSTREAM, 'repodata'));

export function haveDnf(): boolean {
  try { execFileSync('dnf', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
}

let loaded: Promise<{ pool: Pool; plainPool: Pool; repos: LoadedRepo[] }> | undefined;

/**
 * `pool` is built as the CLI builds it (provides, names and obsoletes looked up in the
 * metadata's stored indexes); `plainPool` indexes the same packages itself.
 */
export function cs9Pool(): Promise<{ pool: Pool; plainPool: Pool; repos: LoadedRepo[] }> {
  loaded ??= (async () => {
    const cacheDir = join(tmpdir(), 'rfs-solver-test-cache');
    mkdirSync(cacheDir, { recursive: true });
    const fetcher = new Fetcher({ cacheDir });
    const repos: LoadedRepo[] = [];
    for (const [id, dir] of [['b', BASEOS], ['a', APPSTREAM]] as const) {
      repos.push(await loadRepo({ id, baseurl: [`file://${dir}`], enabled: true }, fetcher, { arch: 'x86_64', cacheDir }));
    }
    await fetcher.close();
    filterModular(repos);
    const pool = poolFor(repos, 'x86_64');
    const plainPool = createPool(repos.map((r) => ({ id: r.config.id, priority: 99, cost: 1000, packages: r.packages, groups: r.groups, environments: r.environments ?? [] })), { arch: 'x86_64' });
    return { pool, plainPool, repos };
  })();
  return loaded;
}

const dnfCache = join(tmpdir(), 'rfs-solver-dnf-cache');

/** dnf's install set as `name-[epoch:]version-release.arch` strings, or null when dnf finds no solution. */
export function dnfInstallSet(pkgs: string[], opts: { weakDeps?: boolean; exclude?: string[] } = {}): string[] | null {
  const root = mkdtempSync(join(tmpdir(), 'rfs-dnfroot-'));
  const args = [
    `--installroot=${root}`, `--repofrompath=b,file://${BASEOS}`, `--repofrompath=a,file://${APPSTREAM}`,
    '--disablerepo=*', '--enablerepo=b,a', `--setopt=cachedir=${dnfCache}`,
    `--setopt=install_weak_deps=${opts.weakDeps ? 'True' : 'False'}`, '--releasever=9', '--nogpgcheck',
    ...(opts.exclude ?? []).map((e) => `--exclude=${e}`), '--assumeno', 'install', ...pkgs,
  ];
  let out: string;
  try {
    out = execFileSync('dnf', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stdout?: string };
    out = e.stdout ?? '';
  } finally {
    rmSync(root, { recursive: true, force: true }); // dnf writes its installroot skeleton even with --assumeno
  }
  return parseDnfTable(out);
}

export function parseDnfTable(out: string): string[] | null {
  const lines = out.split('\n');
  const start = lines.findIndex((l) => /^Installing/.test(l));
  if (start < 0) return null;
  const res: string[] = [];
  let carry: string[] = [];
  let installing = false;
  for (const l of lines.slice(start)) {
    if (/^Transaction Summary/.test(l) || /^=+$/.test(l)) break;
    // sections: "Installing:", "Installing dependencies:", ... and "Skipping packages with broken dependencies:"
    if (!l.startsWith(' ')) { installing = /^Installing/.test(l); carry = []; continue; }
    if (!installing) continue;
    const t = [...carry, ...l.trim().split(/\s+/)];
    if (t.length < 6) { carry = t; continue; }
    carry = [];
    const [name, arch, ver] = t;
    res.push(`${name}-${ver}.${arch}`);
  }
  return res.sort();
}
