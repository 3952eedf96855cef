// installOrder against rpm itself: stub packages carrying the CS9 metadata's provides,
// requires and required files are built with rpmbuild, and `rpm -ivh --test -vv` prints its
// tsort; the order must be the same.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { installOrder, resolve } from '../../src/solver/index.js';
import type { Dep, RepoPackage } from '../../src/types/index.js';
import { cs9Pool, haveCs9 } from './cs9.js';

const haveRpm = spawnSync('rpmbuild', ['--version']).status === 0 && spawnSync('rpm', ['--version']).status === 0;
if (!haveRpm) console.warn('rpm/rpmbuild absent: installOrder is not compared with rpm');

const OPS: Record<number, string> = { 2: '<', 4: '>', 8: '=', 10: '<=', 12: '>=' };
const dep = (d: Dep): string => (d.version && OPS[d.flags & 14] ? `${d.name} ${OPS[d.flags & 14]} ${d.version}` : d.name);

function stubSpec(p: RepoPackage, fileReqs: Set<string>): string {
  const files = p.files.filter((f) => fileReqs.has(f));
  return [
    `Name: ${p.name}`, `Version: ${p.version}`, `Release: ${p.release}`, ...(p.epoch ? [`Epoch: ${p.epoch}`] : []),
    'Summary: stub', 'License: none', 'AutoReqProv: no', `BuildArch: ${p.arch}`,
    ...p.provides.filter((d) => d.name !== p.name).map((d) => `Provides: ${dep(d)}`),
    ...p.requires.filter((d) => !d.name.startsWith('rpmlib(')).map((d) => `${d.flags & 64 ? 'Requires(pre)' : 'Requires'}: ${dep(d)}`),
    '%description', 'stub', '%install', ...files.map((f) => `mkdir -p "%{buildroot}$(dirname ${f})" && touch "%{buildroot}${f}"`),
    '%files', ...files.map((f) => `"${f}"`), '',
  ].join('\n');
}

describe.skipIf(!haveCs9 || !haveRpm)('installOrder vs rpm -ivh --test', () => {
  it('orders the CS9 httpd install set exactly as rpm 4.18 does', async () => {
    const { pool } = await cs9Pool();
    const res = resolve(pool, { install: ['httpd'] });
    if (!res.ok) throw new Error('httpd does not resolve');
    const pkgs = res.transaction.packages;
    const w = mkdtempSync(join(tmpdir(), 'rfs-order-'));
    onTestFinished(() => rmSync(w, { recursive: true, force: true }));
    const fileReqs = new Set(pkgs.flatMap((p) => p.requires.map((d) => d.name).filter((n) => n.startsWith('/'))));
    for (const p of pkgs) {
      writeFileSync(join(w, `${p.name}.spec`), stubSpec(p, fileReqs));
      const b = spawnSync('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${w}/top`, '--define', `_rpmdir ${w}/rpms`,
        '--define', '_build_id_links none', join(w, `${p.name}.spec`)]);
      expect(b.status, String(b.stderr)).toBe(0);
    }
    mkdirSync(join(w, 'root'));
    const files = readdirSync(join(w, 'rpms'), { recursive: true }).map(String).filter((f) => f.endsWith('.rpm')).sort().map((f) => join(w, 'rpms', f));
    const run = spawnSync('rpm', ['-ivh', '--test', '--nodeps', '--ignorearch', '--dbpath', join(w, 'db'), '--root', join(w, 'root'), '-vv', ...files], { encoding: 'utf8' });
    const lines = run.stderr.split('\n');
    const start = lines.findIndex((l) => l.includes('tsorting packages'));
    const rpmOrder: string[] = [];
    for (const l of lines.slice(start + 1)) {
      const m = /\+(\S+)$/.exec(l.trim());
      if (!m) break;
      rpmOrder.push(m[1]!);
    }
    // rpm's transaction order is the command line order; stubs have no ELF files, so no colors
    const input = files.map((f) => pkgs.find((p) => f.endsWith(`/${p.name}-${p.version}-${p.release}.${p.arch}.rpm`))!);
    const ours = installOrder(input, { colors: false }).map((p) => `${p.name}-${p.epoch ? `${p.epoch}:` : ''}${p.version}-${p.release}.${p.arch}`);
    expect(rpmOrder.length).toBe(pkgs.length);
    expect(ours).toEqual(rpmOrder);
  }, 120_000);
});
