// Memory against file count: a repo of PKGS packages x FILES small files each (rpmbuild +
// createrepo_c, zstd payloads, no auto deps; cached under bench/.out/manyfiles-PKGS-FILES), served
// over local HTTP, built with --rpmdb sqlite and bdb; peak RSS (GNU time %M) and wall per file count.
// Usage: node bench/manyfiles.mjs [--files=25000,50000,100000] [--pkgs=40] [--runs=1] [--ab=BEFORE_BIN]
//   --ab: the launcher of another tree (e.g. a copy of main's bin+dist), run interleaved with this one
//   --rpmdb=sqlite,bdb-hash-v9: the flavours measured; --build-only: make the repos and stop
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timed } from './lib.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'bench/.out');
const opt = (k, d) => process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d;
const PKGS = Number(opt('pkgs', '40'));
const COUNTS = opt('files', '25000,50000,100000').split(',').map(Number);
const RUNS = Number(opt('runs', '1'));
const FLAVOURS = opt('rpmdb', 'sqlite,bdb-hash-v9').split(',');
const AB = opt('ab', undefined);
const BIN = process.env.RFS_BIN ?? join(ROOT, 'bin/rootfs-assemble.js');
const PER_DIR = 100;

/** The repo for `total` files over PKGS packages (built once), and a meta package needing them all. */
function repoFor(total) {
  const per = Math.ceil(total / PKGS);
  const repo = join(OUT, `manyfiles-${PKGS}-${per}`);
  const stamp = join(repo, '.built');
  if (existsSync(stamp)) return { repo, per };
  const t0 = Date.now();
  const top = join(OUT, `manyfiles-build-${PKGS}-${per}`);
  const src = join(top, 'SRC');
  rmSync(top, { recursive: true, force: true });
  rmSync(repo, { recursive: true, force: true });
  mkdirSync(repo, { recursive: true });
  const names = [];
  for (let p = 0; p < PKGS; p++) {
    const name = `mf-${String(p).padStart(3, '0')}`;
    names.push(name);
    for (let f = 0; f < per; f++) {
      const dir = join(src, 'usr/share/mf', name, `d${String(Math.floor(f / PER_DIR)).padStart(3, '0')}`);
      if (f % PER_DIR === 0) mkdirSync(dir, { recursive: true });
      // unique, small content (a sha256 line): no two files share a digest
      writeFileSync(join(dir, `file-${String(f).padStart(5, '0')}.txt`), `${createHash('sha256').update(`${name}/${f}`).digest('hex')}\n`);
    }
  }
  const spec = [
    '%define debug_package %{nil}', '%define __os_install_post %{nil}', '%define __spec_install_post %{nil}',
    '%define _build_id_links none',
    'Name: mf-all', 'Version: 1.0', 'Release: 1', 'Summary: needs every mf package', 'License: MIT', 'AutoReqProv: no',
    ...names.map((n) => `Requires: ${n}`),
    '%description', 'Pulls in the whole many-files image.',
    '%install', 'mkdir -p $RPM_BUILD_ROOT', `cp -a ${src}/. $RPM_BUILD_ROOT/`,
    '%files',
  ];
  for (const n of names) {
    spec.push(`%package -n ${n}`, `Summary: ${per} small files`, 'AutoReqProv: no', `%description -n ${n}`, `${per} small files.`,
      `%files -n ${n}`, `/usr/share/mf/${n}`);
  }
  const specPath = join(top, 'mf.spec');
  writeFileSync(specPath, spec.join('\n') + '\n');
  const defs = {
    _topdir: top, _builddir: join(top, 'BUILD'), _rpmdir: repo, _binary_payload: 'w3.zstdio',
    _binary_filedigest_algorithm: '8', _dbpath: join(top, 'db'), _buildhost: 'bench.local',
  };
  const rb = spawnSync('rpmbuild', ['-bb', '--quiet', ...Object.entries(defs).flatMap(([k, v]) => ['--define', `${k} ${v}`]), specPath],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  if (rb.status !== 0) throw new Error(`rpmbuild failed (${rb.status})`);
  execFileSync('createrepo_c', ['-q', repo], { stdio: 'inherit' });
  rmSync(top, { recursive: true, force: true });
  writeFileSync(stamp, `${PKGS} x ${per} files, built in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  return { repo, per };
}

/** Serve `repo` over HTTP on 127.0.0.1 (as bench/lib.mjs serves the fixtures). */
async function serve(repo) {
  const server = createServer((req, res) => {
    const file = join(repo, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!file.startsWith(repo) || !existsSync(file) || statSync(file).isDirectory()) { res.statusCode = 404; res.end(); return; }
    res.setHeader('content-length', statSync(file).size);
    createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, server };
}

async function sha(file) {
  const h = createHash('sha256');
  for await (const c of createReadStream(file)) h.update(c);
  return h.digest('hex').slice(0, 12);
}

const W = join(OUT, 'manyfiles-work');
const env = { SOURCE_DATE_EPOCH: '1700000000' };
/** One warm-cache build (the cache is filled by a first, unmeasured one): wall, peak RSS, tar digest. */
async function build(bin, url, flavour) {
  const tar = join(W, 'out.tar');
  const args = [bin, '--repofrompath', `mf,${url}`, '--rpmdb', flavour, '--no-default-packages', 'mf-all',
    '-o', tar, '--cache-dir', join(W, 'cache'), '-q'];
  if (!existsSync(join(W, 'cache'))) await timed(process.execPath, args, env);
  rmSync(tar, { force: true });
  const r = await timed(process.execPath, args, env);
  return { ...r, sha: await sha(tar) };
}

mkdirSync(OUT, { recursive: true });
const repos = COUNTS.map((n) => ({ n, ...repoFor(n) }));
if (process.argv.includes('--build-only')) process.exit(0);
const sides = AB ? [['before', AB], ['after', BIN]] : [['this', BIN]];
const rows = [];
for (const { n, repo, per } of repos) {
  const { url, server } = await serve(repo);
  rmSync(W, { recursive: true, force: true });
  mkdirSync(W, { recursive: true });
  try {
    for (const flavour of FLAVOURS) {
      const res = Object.fromEntries(sides.map(([s]) => [s, []]));
      for (let i = 0; i < RUNS; i++) {
        // alternate which side goes first, so drift on the shared machine falls on both
        for (const [side, bin] of i % 2 ? [...sides].reverse() : sides) {
          const r = await build(bin, url, flavour);
          res[side].push(r);
          process.stderr.write(`${n} files ${flavour} ${side}: ${r.s} s ${r.mb.toFixed(0)} MB ${r.sha}\n`);
        }
      }
      for (const [side] of sides) {
        const xs = res[side];
        const s = xs.reduce((a, x) => a + x.s, 0) / xs.length;
        const mb = Math.max(...xs.map((x) => x.mb));
        rows.push(`| ${PKGS * per} | ${PKGS} x ${per} | ${flavour} | ${side} | ${s.toFixed(1)} s | ${mb.toFixed(0)} MB | ${[...new Set(xs.map((x) => x.sha))].join(', ')} |`);
      }
    }
  } finally {
    server.close();
  }
}
process.stdout.write([
  `warm cache, local HTTP mirror, ${RUNS} run(s) per cell (mean wall, highest peak RSS); node ${process.version}, 2 shared cores`,
  '',
  '| files | packages | rpmdb | tree | wall | peak RSS | tar sha256 |',
  '|---|---|---|---|---|---|---|',
  ...rows,
].join('\n') + '\n');
