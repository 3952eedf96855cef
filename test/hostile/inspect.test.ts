// Hostile packages, paths: crafted rpms (honest digests, lying names) read by the real CLI
// (`node bin/rootfs-assemble.js`, from dist/). `inspect` lists every unsafe or odd name, escaped,
// and --strict exits 5; a server of our own on 127.0.0.1 serves the same package in a repo, and
// a build refuses it with the same rule (one function, src/rpm/paths.ts) and writes nothing.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, run } from '../e2e/helpers.js';
import { fixturePackage, fixturesAvailable } from '../helpers/fixtures.js';
import { startStaticServer, type StaticServer } from '../helpers/http-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { craftRpm, type CraftOptions } from '../rpm/craft.js';

const built = existsSync(join(ROOT, 'dist', 'rpm', 'inspect.js'));
if (!built) console.warn('[hostile inspect] skipped: dist/ is not built (npx tsc -p tsconfig.json)');

const ESC = '\x1b';
/** What the issue saw, plus terminal escapes in a name and in the summary. */
const HOSTILE: CraftOptions = {
  name: 'hostile',
  summary: `harmless ${ESC}]0;owned${'\x07'} summary`,
  files: [
    { path: '/../../etc/x', content: 'a' },
    { path: '/usr/bin/z', content: 'zz', archiveName: '../x' },
    { path: `/usr/bin/${ESC}[2Jred`, content: '' },
    { path: '/usr/lib/l', linkTo: '../../../etc/shadow' },
    { path: '/usr/bin/ok', content: 'fine' },
  ],
  extra: [{ name: './etc/cron.d/evil', content: '* * * * * root sh' }],
};

const tmp = tempDir('rfs-hostile-inspect-');
afterAll(() => tmp.cleanup());

const cli = (args: string[]): ReturnType<typeof run> => run(process.execPath, [BIN, ...args], { ...process.env, RFS_DEBUG: '' });
const write = (name: string, bytes: Uint8Array): string => {
  const p = join(tmp.dir, name);
  writeFileSync(p, bytes);
  return p;
};

describe.skipIf(!built)('inspect on hostile packages (the CLI)', () => {
  let hostile = '';
  beforeAll(() => {
    hostile = write('hostile.rpm', craftRpm(HOSTILE));
  });

  it('lists every unsafe name in a warnings section, escaped, and exits 0 without --strict', async () => {
    const r = await cli(['inspect', hostile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain(ESC);
    expect(r.stdout).not.toContain('\x07');
    expect(r.stdout).toContain('hostile-1.0-1.x86_64: harmless \\x1b]0;owned\\x07 summary');
    const warnings = r.stdout.slice(r.stdout.indexOf('  warnings (')).split('\n').filter(Boolean);
    expect(warnings).toEqual([
      '  warnings (8):',
      '    unsafe header path (file 0) "/../../etc/x": escapes / after normalisation',
      '    unsafe header path (file 2) "/usr/bin/\\x1b[2Jred": control character in name',
      `    odd symlink (file 3) "/usr/lib/l -> ../../../etc/shadow": relative symlink target climbs above / with '..'`,
      `    unsafe archive entry "./../../etc/x": climbs above the root with '..'`,
      `    unsafe archive entry "../x": climbs above the root with '..'`,
      '    unsafe archive entry "./usr/bin/\\x1b[2Jred": control character in name',
      `    unsafe archive entry "./etc/cron.d/evil": not in the header's file list`,
      '    unsafe archive entry (file 1) "/usr/bin/z": in the header but missing from the archive',
    ]);
  });

  it('--json: the same warnings as data, names escaped, and the archive listing with digests', async () => {
    const r = await cli(['inspect', hostile, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as {
      warnings: { where: string; index: number; name: string; severity: string; reason: string }[];
      payload: { name: string; index: number; digest: string | null; digestOk: boolean | null }[];
    };
    expect(j.warnings).toContainEqual({ where: 'header', index: 0, name: '/../../etc/x', severity: 'unsafe', reason: 'escapes / after normalisation' });
    expect(j.warnings).toContainEqual({ where: 'payload', index: -1, name: '../x', severity: 'unsafe', reason: "climbs above the root with '..'" });
    expect(j.warnings).toContainEqual({ where: 'header', index: 2, name: '/usr/bin/\\x1b[2Jred', severity: 'unsafe', reason: 'control character in name' });
    expect(j.payload.map((m) => m.name)).toEqual(['./../../etc/x', '../x', './usr/bin/\\x1b[2Jred', './usr/lib/l', './usr/bin/ok', './etc/cron.d/evil']);
    // an unsafe name matches no header file; a safe one is matched and its content digested
    expect(j.payload[1]).toMatchObject({ index: -1, digest: null, digestOk: null });
    expect(j.payload[4]).toMatchObject({ index: 4, digest: createHash('sha256').update('fine').digest('hex'), digestOk: true });
  });

  it('--strict: any finding exits 5 with RFS_UNSAFE_PATH, after the report', async () => {
    const r = await cli(['inspect', hostile, '--strict']);
    expect(r.code).toBe(5);
    expect(r.stdout).toContain('  warnings (');
    expect(r.stderr).toMatch(/^rootfs-assemble: error RFS_UNSAFE_PATH: inspecting package: 8 unsafe or odd name\(s\), first unsafe header path \(file 0\) "\/\.\.\/\.\.\/etc\/x": escapes \/ after normalisation/);
    expect(r.stderr).not.toContain(ESC);
  });

  it('--strict on an odd-only package (a symlink climbing out of /) also exits 5', async () => {
    const p = write('odd.rpm', craftRpm({ files: [{ path: '/usr/lib/l', linkTo: '../../../etc/shadow' }] }));
    const r = await cli(['inspect', p, '--strict']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("odd symlink (file 0) \"/usr/lib/l -> ../../../etc/shadow\"");
  });

  it('--strict: archived content that does not match its header digest exits 5 with RFS_RPM_DIGEST_MISMATCH', async () => {
    const p = write('content.rpm', craftRpm({ files: [{ path: '/usr/bin/d', content: 'same size', archiveContent: 'SAME SIZE' }] }));
    const plain = await cli(['inspect', p]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('content digest mismatch: 1 file(s), first "./usr/bin/d"');
    const r = await cli(['inspect', p, '--strict']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('RFS_RPM_DIGEST_MISMATCH');
  });

  it('a package on a pipe (read once, so held in memory) gets the same report', async () => {
    const fifo = join(tmp.dir, 'pipe.rpm');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const done = cli(['inspect', fifo, '--strict']);
    createWriteStream(fifo).end(craftRpm(HOSTILE));
    const r = await done;
    expect(r.code).toBe(5);
    expect(r.stdout).toContain('  warnings (8):');
    expect(r.stderr).toContain('error RFS_UNSAFE_PATH');
  });

  it('--header-only still reports header names', async () => {
    const r = await cli(['inspect', hostile, '--header-only', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { warnings: { where: string }[]; payload: unknown };
    expect(j.payload).toBeNull();
    expect(new Set(j.warnings.map((w) => w.where))).toEqual(new Set(['header', 'symlink']));
  });

  it('--strict passes clean packages: a crafted one and a real el7 one', async () => {
    const clean = write('clean.rpm', craftRpm({ files: [{ path: '/usr/bin/x', content: 'hello' }, { path: '/usr/bin/y', linkTo: 'x' }] }));
    const files = [clean, ...(fixturesAvailable().ok ? [fixturePackage('el7-os', 'bash')] : [])];
    for (const f of files) {
      const r = await cli(['inspect', f, '--strict']);
      expect(r.code, `${f}: ${r.stderr}`).toBe(0);
      expect(r.stdout).not.toContain('warnings');
      expect(r.stdout).toMatch(/payload: \d+ archive members, \d+ file digests checked/);
    }
  });
});

/** A one-package repo: primary.xml written by hand, checksums honest. */
function oneRepo(dir: string, rpm: Uint8Array): void {
  const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
  mkdirSync(join(dir, 'Packages'), { recursive: true });
  mkdirSync(join(dir, 'repodata'), { recursive: true });
  writeFileSync(join(dir, 'Packages', 'crafted-1.0-1.x86_64.rpm'), rpm);
  const primary = new TextEncoder().encode(`<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="1">
<package type="rpm"><name>crafted</name><arch>x86_64</arch><version epoch="0" ver="1.0" rel="1"/>
<checksum type="sha256" pkgid="YES">${sha(rpm)}</checksum><summary>s</summary><description>d</description><packager/><url/>
<time file="1" build="1"/><size package="${rpm.length}" installed="2" archive="200"/><location href="Packages/crafted-1.0-1.x86_64.rpm"/>
<format><rpm:license>MIT</rpm:license><rpm:sourcerpm>crafted-1.0-1.src.rpm</rpm:sourcerpm><rpm:header-range start="0" end="0"/>
<rpm:provides><rpm:entry name="crafted" flags="EQ" epoch="0" ver="1.0" rel="1"/></rpm:provides><file>/usr/bin/z</file></format></package>
</metadata>
`);
  writeFileSync(join(dir, 'repodata', 'primary.xml'), primary);
  writeFileSync(join(dir, 'repodata', 'repomd.xml'), `<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo"><revision>1</revision>
<data type="primary"><checksum type="sha256">${sha(primary)}</checksum><location href="repodata/primary.xml"/><size>${primary.length}</size></data></repomd>
`);
}

describe.skipIf(!built)('a hostile mirror serving the package: the build refuses it by the same rule', () => {
  let server: StaticServer | undefined;
  beforeAll(async () => {
    oneRepo(join(tmp.dir, 'hostile-repo'), craftRpm({ name: 'crafted', files: [{ path: '/usr/bin/z', content: 'zz', archiveName: './../../x' }] }));
    oneRepo(join(tmp.dir, 'clean-repo'), craftRpm({ name: 'crafted', files: [{ path: '/usr/bin/z', content: 'zz' }] }));
    server = await startStaticServer([{ prefix: '/hostile/', dir: join(tmp.dir, 'hostile-repo') }, { prefix: '/clean/', dir: join(tmp.dir, 'clean-repo') }]);
  });
  afterAll(async () => { await server?.close(); });

  const build = (repo: string, out: string): ReturnType<typeof cli> =>
    cli(['--repofrompath', `h,${server!.url}${repo}/`, 'crafted', '--no-default-packages', '-o', out, '--cache-dir', join(tmp.dir, `cache-${repo}`), '-q']);

  it('the clean twin builds (so the refusal below is the path, not the repo)', async () => {
    const out = join(tmp.dir, 'clean.tar');
    const r = await build('clean', out);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it('exit 5, RFS_UNSAFE_PATH, no output; inspect names the same reason', async () => {
    const out = join(tmp.dir, 'hostile.tar');
    const r = await build('hostile', out);
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toContain("error RFS_UNSAFE_PATH: reading payload: archive name ./../../x: climbs above the root with '..'");
    expect(existsSync(out)).toBe(false);
    const i = await cli(['inspect', join(tmp.dir, 'hostile-repo', 'Packages', 'crafted-1.0-1.x86_64.rpm')]);
    expect(i.stdout).toContain(`unsafe archive entry "./../../x": climbs above the root with '..'`);
  });
});
