// The package as a user installs it: `npm pack` of a freshly built copy, the tarball
// unpacked into another folder's node_modules (runtime dependencies symlinked from ours: no
// network), then node programs there that import 'rootfs-assemble'. They run the README's Library
// examples as written (only the mirror URL and file name swapped for the fixture ones) and a
// check script; the answers are compared with the CLI's and with independent tools (tar, rpm).
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_KEY, fixturePackage, fixturesAvailable } from '../helpers/fixtures.js';
import { have, ROOT, rpmQuery, runCli, useFixtureMirror } from '../e2e/helpers.js';

const avail = fixturesAvailable();
const missing = ['npm', 'tar', 'rpm'].filter((t) => !have(t));
const skip = !avail.ok ? avail.reason : missing.length ? `missing ${missing.join(', ')}` : '';
if (skip) console.warn(`[library package] skipped: ${skip}`);

const run = promisify(execFile);

const README_MIRROR = 'http://127.0.0.1:8080/vault/';
const README_RPM = 'bash-3.0-27.el4.x86_64.rpm';

/** the README's `<!-- example: NAME -->` code blocks */
function readmeExamples(): Map<string, string> {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return new Map([...text.matchAll(/<!-- example: (\S+) -->\n```js\n([\s\S]*?)\n```/g)].map((m) => [m[1]!, m[2]!]));
}

/** node in `cwd`, without blocking this process (the fixture mirror answers from here) */
function node(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => done({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
}

type Row = { name: string; epoch: number; version: string; release: string; arch: string; repo: string };
const nevra = (p: Row): string => `${p.name}-${p.epoch ? `${p.epoch}:` : ''}${p.version}-${p.release}.${p.arch}`;

describe.skipIf(skip !== '')('the packed package, imported from another folder', () => {
  const env = useFixtureMirror('rfs-lib-package-');
  let app = '';
  let files: string[] = [];
  const childEnv = (): NodeJS.ProcessEnv => ({ ...process.env, XDG_CACHE_HOME: join(env.dir, 'xdg') });
  const cache = (): string[] => ['--cache-dir', join(env.dir, 'xdg', 'rootfs-assemble')];

  beforeAll(async () => {
    const npmEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
    // packed from a staging copy built by tsc into its own dist/: `npm pack` here would run
    // prepare and rewrite the dist/ that other test files are running the CLI from
    const stage = join(env.dir, 'stage');
    const pkgJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    for (const f of [...pkgJson.files.filter((x) => x !== 'dist'), 'package.json', 'README.md', 'LICENSE']) {
      if (existsSync(join(ROOT, f))) cpSync(join(ROOT, f), join(stage, f), { recursive: true });
    }
    // async: a worker blocked for a minute (tsc on a loaded machine) misses vitest's RPC deadline
    await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.json'), '--outDir', join(stage, 'dist')]);
    await run('npm', ['pack', '--offline', '--silent', '--ignore-scripts', '--pack-destination', env.dir], { cwd: stage, env: npmEnv });
    const tgz = readdirSync(env.dir).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error('npm pack wrote no tarball');
    files = execFileSync('tar', ['-tzf', join(env.dir, tgz)]).toString().split('\n').filter(Boolean);
    app = join(env.dir, 'app');
    mkdirSync(join(app, 'node_modules'), { recursive: true });
    execFileSync('tar', ['-xzf', join(env.dir, tgz), '-C', env.dir]);
    renameSync(join(env.dir, 'package'), join(app, 'node_modules', 'rootfs-assemble'));
    // runtime dependencies from our node_modules; theirs resolve from there (symlinks are followed)
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies)) {
      mkdirSync(dirname(join(app, 'node_modules', dep)), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules', dep), join(app, 'node_modules', dep));
    }
    const examples = readmeExamples();
    for (const [name, code] of examples) {
      let text = code.replaceAll(README_MIRROR, env.mirror.url).replaceAll(README_RPM, 'bash.rpm');
      // the fixture packages are signed with the fixture key, not CentOS's
      if (name === 'assemble') text = text.replace(`mirror: '${env.mirror.url}',`, `mirror: '${env.mirror.url}', gpgkeys: ['${FIXTURE_KEY}'],`);
      writeFileSync(join(app, `${name}.mjs`), text + '\n');
    }
    copyFileSync(fixturePackage('el4-updates', 'bash'), join(app, 'bash.rpm'));
  }, 600_000);

  it('the tarball holds what runs and no sources or tests', () => {
    expect(files).toEqual(expect.arrayContaining([
      'package/package.json', 'package/dist/index.js', 'package/dist/index.d.ts', 'package/bin/rootfs-assemble.js',
      'package/repos/centos/4.yaml', 'package/src/assemble/spec/schema.json',
    ]));
    expect(files.filter((f) => f.startsWith('package/test/') || (f.startsWith('package/src/') && f.endsWith('.ts')))).toEqual([]);
  });

  it('the README has the Library examples this test runs', () => {
    expect([...readmeExamples().keys()].sort()).toEqual(['assemble', 'errors', 'inspectRpm', 'low-level', 'planInstall']);
  });

  it('ESM-only: a CommonJS caller can await import(); require() works where Node can require ESM, else ERR_REQUIRE_ESM', async () => {
    writeFileSync(join(app, 'cjs.cjs'), [
      "let required = null;",
      "try { required = { keys: Object.keys(require('rootfs-assemble')).length }; } catch (e) { required = { code: e.code }; }",
      "import('rootfs-assemble').then((m) => console.log(JSON.stringify({ required, requireModule: process.features.require_module === true, keys: Object.keys(m).length,",
      "  types: ['assemble', 'planInstall', 'inspectRpm', 'RfsError', 'loadRepos', 'poolFor', 'solveWithFilelists', 'nevraOf', 'readLockfile'].map((n) => typeof m[n]) })));",
    ].join('\n'));
    const r = await node(app, ['--no-warnings', 'cjs.cjs'], childEnv());
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { required: { keys?: number; code?: string }; requireModule: boolean; keys: number; types: string[] };
    expect(out.types).toEqual(Array(9).fill('function'));
    // Node 20.19+ requires ES modules without top-level await; older ones refuse with their own code
    expect(out.required).toEqual(out.requireModule ? { keys: out.keys } : { code: 'ERR_REQUIRE_ESM' });
  });

  it('planInstall and inspectRpm answer what `resolve --json` and `inspect --json` print', async () => {
    writeFileSync(join(app, 'check.mjs'), [
      "import { planInstall, inspectRpm } from 'rootfs-assemble';",
      `const plan = await planInstall({ distro: 'centos:4.9', mirror: ${JSON.stringify(env.mirror.url)}, packages: ['openssh-askpass'], noDefaultPackages: true });`,
      "const rpm = await inspectRpm('bash.rpm');",
      "console.log(JSON.stringify({ plan, rpm }));",
    ].join('\n'));
    const r = await node(app, ['check.mjs'], childEnv());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { plan, rpm } = JSON.parse(r.stdout) as { plan: { packages: (Row & { reason: string })[]; distro: string }; rpm: unknown };

    const resolved = await runCli(['resolve', 'centos:4.9', '--mirror', env.mirror.url, '--no-default-packages', 'openssh-askpass', '--json', ...cache()]);
    expect(resolved.code).toBe(0);
    const rows = JSON.parse(resolved.stdout) as Row[];
    const pick = (p: Row): Row => ({ name: p.name, epoch: p.epoch, version: p.version, release: p.release, arch: p.arch, repo: p.repo });
    expect(plan.packages.map(pick)).toEqual(rows.map(pick));
    expect(plan.distro).toBe('centos:4.9');
    // the file dependency only filelists satisfy was met
    expect(plan.packages.map((p) => p.name)).toEqual(expect.arrayContaining(['openssh-askpass', 'openssh']));

    const inspected = await runCli(['inspect', join(app, 'bash.rpm'), '--json']);
    expect(inspected.code).toBe(0);
    expect(rpm).toEqual(JSON.parse(inspected.stdout));
  }, 300_000);

  it("the README's planInstall, low-level and errors examples give the CLI's answers", async () => {
    const plan = await node(app, ['planInstall.mjs'], childEnv());
    expect(plan.stderr).toBe('');
    const noDefault = JSON.parse((await runCli(['resolve', 'centos:4.9', '--mirror', env.mirror.url, '--no-default-packages', 'openssh-askpass', '--json', ...cache()])).stdout) as Row[];
    expect(plan.stdout.trim().split('\n').map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual(noDefault.map((p) => `${nevra(p)} ${p.repo}`));

    // the issue's path: default set + a package whose requirement only filelists satisfy
    const low = await node(app, ['low-level.mjs'], childEnv());
    expect(low.stderr).toBe('');
    expect(low.code).toBe(0);
    const full = JSON.parse((await runCli(['resolve', 'centos:4.9', '--mirror', env.mirror.url, 'openssh-askpass', '--json', ...cache()])).stdout) as Row[];
    expect(low.stdout.trim().split('\n').sort()).toEqual(full.map((p) => `${nevra(p)} ${p.repo}`).sort());
    expect(full.map((p) => p.name)).toEqual(expect.arrayContaining(['passwd', 'openssh-askpass', 'openssh']));

    const err = await node(app, ['errors.mjs'], childEnv());
    expect(err.code).toBe(0);
    const [first = '', ...message] = err.stdout.split('\n');
    expect(first).toMatch(/^RFS_UNSOLVABLE 6 check package names/);
    expect(message.join('\n')).toContain("no package matches 'no-such-package'");
  }, 300_000);

  it("the README's inspectRpm example reads the package", async () => {
    const r = await node(app, ['inspectRpm.mjs'], childEnv());
    expect(r.stderr).toBe('');
    const cli = JSON.parse((await runCli(['inspect', join(app, 'bash.rpm'), '--json'])).stdout) as { files: unknown[]; checks: { name: string }[] };
    expect(r.stdout.trim()).toBe(`bash-3.0-27.el4.x86_64: ${cli.files.length} files, checks ${cli.checks.map((c) => c.name).join(',')}, 0 warnings, 0 bad digests`);
    expect(cli.checks.length).toBeGreaterThan(0);
  });

  it("the README's assemble example writes the image: tar lists it, rpm reads its rpmdb", async () => {
    const r = await node(app, ['assemble.mjs'], childEnv());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^metadata took \d+ ms$/m);
    expect(r.stderr).toMatch(/^write took \d+ ms$/m);
    const [, count = '', bytes = ''] = /^(\d+) packages, (\d+) bytes, \d+ scriptlets not reproduced$/.exec(r.stdout.trim()) ?? [];
    const tar = join(app, 'c4.tar');
    expect(Number(bytes)).toBe(readFileSync(tar).length);

    const listing = execFileSync('tar', ['-tvf', tar, '--numeric-owner'], { maxBuffer: 1 << 26 }).toString();
    expect(listing).toMatch(/^-rwsr-xr-x 0\/0 .* usr\/libexec\/openssh\/ssh-keysign$/m);
    const root = join(env.dir, 'root');
    mkdirSync(root);
    execFileSync('tar', ['-xf', tar, '-C', root, 'var/lib/rpm']);
    const installed = rpmQuery(root, '/var/lib/rpm', 'bdb_ro', ['-qa', '--qf', '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n']).trim().split('\n').filter((l) => !l.startsWith('gpg-pubkey-')).sort();
    expect(installed.length).toBe(Number(count));
    // the set planned for the same options (epochs aside: rpm's %{VERSION} has none)
    const full = JSON.parse((await runCli(['resolve', 'centos:4.9', '--mirror', env.mirror.url, 'openssh-askpass', '--json', ...cache()])).stdout) as Row[];
    expect(installed).toEqual(full.map((p) => `${p.name}-${p.version}-${p.release}.${p.arch}`).sort());
  }, 600_000);
});
