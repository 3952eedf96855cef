// Whole fixture repos (test/fixtures: el4-os, el7-os, modern) written in their era's flavour and
// queried by rpm 4.18 (bdb_ro / sqlite), libdb's db5.3_verify, sqlite3 and @snyk/rpm-parser.
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getPackages, getPackagesSqlite } from '@snyk/rpm-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRpmdb } from '../../src/rpmdb/write.js';
import type { RpmdbTarget } from '../../src/types/index.js';
import { type FixtureRepoName, fixtureManifest, fixtureRepo, fixturesAvailable } from '../helpers/fixtures.js';
import { rpmHeaders } from './pkgs.js';
import { dbVerifyProblems, hasTool, run, rpmQuery, tempDir } from './tools.js';

const avail = fixturesAvailable();
const OK = avail.ok && hasTool('rpm');
if (!OK) console.warn(`SKIP rpmdb fixtures.test: ${avail.ok ? 'rpm not installed' : avail.reason}`);
const IS_ROOT = process.getuid?.() === 0;
if (!IS_ROOT) console.warn('SKIP rpmdb fixtures.test -V: extracting payloads with owners needs root');

const CASES: { repo: FixtureRepoName; target: RpmdbTarget }[] = [
  { repo: 'el4-os', target: { flavour: 'bdb-hash-v8', path: '/var/lib/rpm', rpmVersion: '4.3.3' } },
  { repo: 'el7-os', target: { flavour: 'bdb-hash-v9', path: '/var/lib/rpm', rpmVersion: '4.11.3' } },
  { repo: 'modern', target: { flavour: 'sqlite', path: '/var/lib/rpm', rpmVersion: '4.18.0' } },
];
const sorted = (s: string): string[] => s.split('\n').filter(Boolean).sort();
/** a turn of the event loop between packages: minutes of spawnSync in a row starve vitest's worker RPC */
const breathe = (): Promise<void> => new Promise((r) => setImmediate(r));

describe.skipIf(!OK).each(CASES)('fixture repo $repo as $target.flavour', ({ repo, target }) => {
  const t = tempDir(`fx-${repo}`);
  afterAll(t.cleanup);
  let rpms: string[] = [];
  let root = '';
  let db = '';
  let files: { path: string; data: Uint8Array }[] = [];
  // rpm 4.18 probes indexes newer than the era; their absence is right for the target
  const q = (args: string[], r?: string): string => {
    const res = rpmQuery(r ? '/rfs-rpmdb' : db, target.flavour, args, r);
    expect(res.stderr.split('\n').filter((l) => l && !/could not open .*(Filetriggername|Transfiletriggername|Recommendname|Suggestname|Supplementname|Enhancename|Obsoletename): No such/.test(l))).toEqual([]);
    return res.stdout;
  };

  beforeAll(async () => {
    const dir = fixtureRepo(repo);
    rpms = (fixtureManifest()[repo] ?? []).map((p) => join(dir, p.href));
    files = await writeRpmdb(target, rpms.map((p) => rpmHeaders(p)), { installTime: 1_700_000_000, installColor: 3 });
    root = join(t.dir, 'root');
    db = join(root, 'var/lib/rpm');
    mkdirSync(db, { recursive: true });
    for (const f of files) writeFileSync(join(db, f.path), f.data);
    if (target.flavour === 'sqlite') {
      const copy = join(t.dir, 'copy');
      cpSync(db, copy, { recursive: true });
      db = copy;
    }
  });

  it('-qa, -ql of every package, --whatprovides of every provide, --whatrequires', () => {
    const qf = '%{NEVRA}\n';
    expect(sorted(q(['-qa', '--qf', qf]))).toEqual(sorted(run('rpm', ['-qp', '--qf', qf, ...rpms]).stdout));
    const fl = '[%{FILENAMES}\n]';
    expect(sorted(q(['-qa', '--qf', fl]))).toEqual(sorted(run('rpm', ['-qp', '--qf', fl, ...rpms]).stdout));
    const provides = [...new Set(sorted(run('rpm', ['-qp', '--qf', '[%{PROVIDENAME}\n]', ...rpms]).stdout))].filter((p) => !p.startsWith('('));
    const out = q(['-q', '--whatprovides', ...provides]);
    expect(out).not.toMatch(/no package provides/);
    const reqs = [...new Set(sorted(run('rpm', ['-qp', '--qf', '[%{REQUIRENAME}\n]', ...rpms]).stdout))].filter((r) => !r.startsWith('rpmlib(') && !r.startsWith('/'));
    if (reqs.length > 0) expect(q(['-q', '--whatrequires', reqs[0]!])).toMatch(/\S/);
  });

  it('-qf finds the owner of files from every package', async () => {
    const firstFiles: string[] = [];
    for (const p of rpms) {
      const first = run('rpm', ['-qpl', p]).stdout.split('\n')[0]!;
      if (first.startsWith('/')) firstFiles.push(first);
      await breathe();
    }
    const owners = q(['-qf', '--qf', '%{NAME}\n', ...firstFiles]);
    expect(owners).not.toMatch(/not owned/);
    expect(sorted(owners).length).toBeGreaterThanOrEqual(firstFiles.length);
  });

  it('-qi and --last show the install time', () => {
    expect(q(['-qa', '--last']).split('\n').filter(Boolean)).toHaveLength(rpms.length);
    expect(q(['-qa', '--qf', '%{INSTALLTIME}\n']).split('\n').filter(Boolean).every((x) => x === '1700000000')).toBe(true);
  });

  it('independent readers: db5.3_verify / sqlite3 integrity_check / @snyk/rpm-parser', async () => {
    if (target.flavour.startsWith('bdb') && hasTool('db5.3_verify')) {
      for (const f of files) expect(dbVerifyProblems(join(root, 'var/lib/rpm', f.path)), f.path).toEqual([]);
    }
    if (target.flavour === 'sqlite' && hasTool('sqlite3')) {
      expect(run('sqlite3', [join(root, 'var/lib/rpm/rpmdb.sqlite'), 'pragma integrity_check']).stdout.trim()).toBe('ok');
    }
    if (target.flavour === 'bdb-hash-v8') return; // snyk reads v9 (sorted) hash pages only
    const main = readFileSync(join(root, 'var/lib/rpm', target.flavour === 'sqlite' ? 'rpmdb.sqlite' : 'Packages'));
    const res = target.flavour === 'sqlite' ? await getPackagesSqlite(main) : await getPackages(main);
    expect(res.error).toBeUndefined();
    const got = res.response.map((p) => `${p.name}-${p.version}-${p.release}.${p.arch}`).sort();
    expect(got).toEqual(sorted(run('rpm', ['-qp', '--qf', '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n', ...rpms]).stdout));
  });

  // each package unpacked into its own root (one shared root would mix up usrmove symlinks and
  // conflicting files); owner names and file capabilities are not restorable by rpm2cpio|cpio in a
  // root without /etc/passwd, so -V skips those two checks and compares everything else
  it.skipIf(!IS_ROOT)('-V is clean for every unpacked package', async () => {
    const nevras = run('rpm', ['-qp', '--qf', '%{NEVRA}\n', ...rpms]).stdout.split('\n');
    const bad: string[] = [];
    for (const [i, p] of rpms.entries()) {
      await breathe();
      const vroot = join(t.dir, `v${i}`);
      mkdirSync(vroot, { recursive: true });
      symlinkSync(db, join(vroot, 'rfs-rpmdb')); // outside the package's own paths (rpm ships /var/lib/rpm)
      const r = run('sh', ['-c', `rpm2cpio '${p}' | (cd '${vroot}' && cpio -idmu --quiet --no-absolute-filenames)`]);
      expect(r.status, r.stderr).toBe(0);
      // set modes as rpm would after ownership: owners unknown in this root mean root-owned with
      // the set-id bit for that owner stripped (rpm's fsm does the same, and -V expects it)
      for (const line of run('rpm', ['-qp', '--qf', '[%{FILEMODES:octal} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILENAMES}\n]', p]).stdout.split('\n')) {
        const m = /^(\d+) (\S+) (\S+) (.*)$/.exec(line);
        const f = m ? join(vroot, m[4]!) : '';
        if (!m || !existsSync(f) || lstatSync(f).isSymbolicLink()) continue;
        let mode = Number.parseInt(m[1]!, 8) & 0o7777;
        if (m[2] !== 'root') mode &= ~0o4000;
        if (m[3] !== 'root') mode &= ~0o2000;
        chmodSync(f, mode);
      }
      const out = q(['-V', '--nodeps', '--noscripts', '--nouser', '--nogroup', '--nocaps', nevras[i]!], vroot);
      if (out !== '') bad.push(`${nevras[i]}: ${out}`);
      rmSync(vroot, { recursive: true, force: true });
    }
    expect(bad).toEqual([]);
  }, 300_000); // one rpm2cpio, cpio and rpm -V per package: over a minute on a loaded machine
});
