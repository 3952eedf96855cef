// The CLI contract (issue 12): usage errors are RFS_USAGE exit 2 naming the word with a
// suggestion, --version, complete help per command, dispatch, dnf's reading of package
// arguments, tag suggestions, -o checked before any network work, -q and --json-progress.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILD_OPTIONS } from '../../src/cli/commands/assemble.js';
import { INSPECT_OPTIONS } from '../../src/cli/commands/inspect.js';
import { LIST_OPTIONS } from '../../src/cli/commands/list.js';
import { RESOLVE_OPTIONS } from '../../src/cli/commands/resolve.js';
import { DOWNLOAD_OPTIONS } from '../../src/cli/commands/download.js';
import { INFO_OPTIONS, PROVIDES_OPTIONS, SEARCH_OPTIONS } from '../../src/cli/commands/queries.js';
import { REPOQUERY_OPTIONS } from '../../src/cli/commands/repoquery.js';
import { fixturesAvailable } from '../helpers/fixtures.js';
import { BIN, ROOT, isRoot, runCli, useFixtureMirror } from '../e2e/helpers.js';

const avail = fixturesAvailable();
if (!avail.ok) console.warn(`[cli usage] fixture-mirror tests skipped: ${avail.reason}`);

function expectUsage(r: { code: number; stderr: string }, word: string, suggestion?: string): void {
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('RFS_USAGE');
  expect(r.stderr).not.toContain('RFS_INTERNAL');
  expect(r.stderr).toContain(word);
  if (suggestion) expect(r.stderr).toContain(suggestion);
}

describe('usage errors', () => {
  it('a mistyped long option names it and the nearest option', async () => {
    expectUsage(await runCli(['centos:4.9', '--mirro', 'http://x/']), 'unknown option --mirro', 'did you mean --mirror?');
    expectUsage(await runCli(['centos:4.9', '-mirror', 'http://x/']), '-mirror', 'did you mean --mirror?');
    expectUsage(await runCli(['resolve', 'centos:7', 'bash', '--jsn']), 'resolve: unknown option --jsn', 'did you mean --json?');
    expectUsage(await runCli(['inspect', 'x.rpm', '--jsno']), 'inspect: unknown option --jsno', 'did you mean --json?');
    expectUsage(await runCli(['list', '--jsn']), 'list: unknown option --jsn', 'did you mean --json?');
  });
  it('an unknown short option lists the short ones', async () => {
    expectUsage(await runCli(['centos:4.9', '-x']), 'unknown option -x', 'the short options are -o -j -q -h');
  });
  it('a missing value and a value given to a switch', async () => {
    expectUsage(await runCli(['centos:4.9', '--jobs']), 'option --jobs needs a value');
    expectUsage(await runCli(['centos:4.9', '-j']), 'option --jobs needs a value');
    expectUsage(await runCli(['centos:4.9', '--weak-deps=yes']), 'option --weak-deps is a switch', 'or --no-weak-deps');
  });
  it('a solver option error points at the help of the command given', async () => {
    const r = await runCli(['resolve', 'centos:7', 'bash', '--best', '--nobest']);
    expectUsage(r, '--best and --nobest contradict each other', 'run rootfs-assemble help resolve');
    expect(r.stderr).not.toContain('help build');
    expectUsage(await runCli(['centos:7', 'bash', '--best', '--nobest']), '--best and --nobest', 'run rootfs-assemble help build');
  });
  it('--layers: a word is not a number, and the range is checked once, with the format', async () => {
    expectUsage(await runCli(['centos:7', '--format', 'oci-archive', '-o', '/nonexistent-dir/x.tar', '--layers', 'many']), "--layers: expected a whole number, got 'many'");
    for (const n of ['0', '1000']) expectUsage(await runCli(['centos:7', '--format', 'oci-archive', '--layers', n]), `--layers: expected 1..`);
  });
  it('a build option given to resolve says why it is not one', async () => {
    expectUsage(await runCli(['resolve', 'centos:7', 'bash', '--nodocs']), '--nodocs is not an option of resolve');
  });
  it('a mistyped command is suggested, not built', async () => {
    expectUsage(await runCli(['reslove', 'centos:7', 'bash']), 'unknown command reslove', 'did you mean resolve?');
    expectUsage(await runCli(['help', 'reslove']), 'help: no command reslove', 'did you mean resolve?');
  });
  it('--json-progress turns a usage error into one error event', async () => {
    const r = await runCli(['centos:4.9', '--json-progress', '--mirro', 'x']);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({ kind: 'error', code: 'RFS_USAGE', message: 'unknown option --mirro', subject: '--mirro', hint: expect.stringContaining('--mirror'), exitCode: 2 });
  });
});

describe('--version and help', () => {
  it('--version prints package.json\'s version', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`rootfs-assemble ${pkg.version}\n`);
  });
  const commands: [string, Record<string, { type: string; short?: string }>][] = [
    ['build', BUILD_OPTIONS], ['resolve', RESOLVE_OPTIONS], ['inspect', INSPECT_OPTIONS], ['list', LIST_OPTIONS],
    ['search', SEARCH_OPTIONS], ['info', INFO_OPTIONS], ['provides', PROVIDES_OPTIONS], ['repoquery', REPOQUERY_OPTIONS], ['download', DOWNLOAD_OPTIONS],
  ];
  for (const [cmd, options] of commands) {
    it(`help ${cmd} and ${cmd} --help list every option the command accepts`, async () => {
      const a = await runCli(['help', cmd]);
      const b = await runCli([cmd, '--help']);
      expect(a.code).toBe(0);
      expect(b).toEqual(a);
      for (const [name, o] of Object.entries(options)) {
        expect(a.stdout, `--${name}`).toMatch(new RegExp(`--${name}\\b`));
        if (o.short) expect(a.stdout, `-${o.short}`).toContain(`-${o.short}, --${name}`);
      }
    });
  }
  it('the top-level help lists the commands and main options', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const w of ['resolve', 'inspect', 'list', 'build', 'search', 'info', 'provides', 'repoquery', 'download', '--output', '--mirror', '--repofrompath', '--version', 'help COMMAND']) expect(r.stdout).toContain(w);
    expect(r.stdout).not.toMatch(/see --help/);
  });
});

describe('distro refs and tags', () => {
  it('an unknown tag gets the nearest known tags', async () => {
    const a = await runCli(['centoss:7', 'bash']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('RFS_UNKNOWN_DISTRO');
    expect(a.stderr).toContain('did you mean centos:7?');
    const b = await runCli(['resolve', 'centos:4.10', 'bash']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/did you mean [^\n]*centos:4\.1\b/);
    expect(b.stderr).toMatch(/known centos:4 tags include: [^\n]*centos:4\.9/);
  });
  it('the installed program answers the same (bin/rootfs-assemble.js on dist/)', () => {
    const v = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
    expect(v.status).toBe(0);
    expect(v.stdout).toMatch(/^rootfs-assemble \d+\.\d+\.\d+/);
    const bad = spawnSync(process.execPath, [BIN, 'centos:7', '--mirro', 'x'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('did you mean --mirror?');
  });
  it('the bundled CLI (dist/cli-bundle, what the bin loads) answers as dist/cli: version, distro list, profiles folder', () => {
    const root = ROOT;
    expect(existsSync(join(root, 'dist/cli-bundle/main.js'))).toBe(true);
    const run = (entry: string, args: string[]): string => {
      const script = `const { main } = await import(${JSON.stringify(join(root, entry))}); const out = []; const io = { stdout: { write: (s) => { out.push(s); return true; } }, stderr: { write: (s) => { out.push(s); return true; } }, env: process.env, cwd: process.cwd() }; const code = await main(${JSON.stringify(args)}, io); console.log(code + ' ' + out.join(''));`;
      return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).stdout;
    };
    for (const args of [['--version'], ['list'], ['centos:7', '--profile', 'nosuch', '-o', '/nonexistent/x.tar']]) {
      const bundled = run('dist/cli-bundle/main.js', args);
      expect(bundled).toBe(run('dist/cli/main.js', args));
      expect(bundled).not.toContain('RFS_INTERNAL');
    }
    expect(run('dist/cli-bundle/main.js', ['centos:7', '--profile', 'nosuch', '-o', '/nonexistent/x.tar'])).toContain('known profiles: minimal');
  });
});

describe.skipIf(!avail.ok)('through the fixture mirror', () => {
  const env = useFixtureMirror('rfs-cli-usage-');
  const el7 = (): string[] => ['--repofrompath', `os,${env.mirror.repoUrl('el7-os')}`];
  const cache = (): string[] => ['--cache-dir', join(env.dir, 'cache')];
  type Row = { name: string; epoch: number; version: string; release: string };

  it('name-epoch:version-release is a package, alone and after a distro ref', async () => {
    const a = await runCli(['resolve', ...el7(), 'tar-2:1.26-35.el7', '--json', ...cache()]);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect((JSON.parse(a.stdout) as Row[]).find((p) => p.name === 'tar')).toMatchObject({ epoch: 2, version: '1.26', release: '35.el7' });
    // a tag in any case, the NEVRA with an arch after it
    const b = await runCli(['resolve', 'CentOS:7', '--mirror', env.mirror.url, 'tar-2:1.26-35.el7.x86_64', '--json', ...cache()]);
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
    expect((JSON.parse(b.stdout) as Row[]).map((p) => p.name)).toContain('tar');
  }, 120_000);

  it('-o is checked before any request reaches the mirror', async () => {
    const out = (o: string): string[] => ['centos:7', '--mirror', env.mirror.url, '-o', o, ...cache()];
    mkdirSync(join(env.dir, 'existing'), { recursive: true });
    const before = env.mirror.requests.length;
    const bz = await runCli(out(join(env.dir, 'x.tar.bz2')));
    expectUsage(bz, 'this compression is not written', '.tar.zst');
    expectUsage(await runCli(out(join(env.dir, 'x.img'))), 'unknown extension');
    expectUsage(await runCli(out(join(env.dir, 'existing'))), 'is an existing directory');
    expectUsage(await runCli([...out(join(env.dir, 'x.tar.gz')), '--format', 'oci-archive']), 'compression applies to --format tar only');
    const missing = await runCli(out(join(env.dir, 'no', 'such', 'x.tar')));
    expect(missing.code).toBe(9);
    expect(missing.stderr).toMatch(/RFS_OUTPUT: .*does not exist/);
    if (!isRoot) {
      const ro = join(env.dir, 'readonly');
      mkdirSync(ro);
      chmodSync(ro, 0o500);
      const r = await runCli(out(join(ro, 'x.tar')));
      chmodSync(ro, 0o700);
      expect(r.code).toBe(9);
      expect(r.stderr).toContain('is not writable');
    }
    expect(env.mirror.requests.length).toBe(before);
  });

  it('a leading option means build; -q prints only what went unverified', async () => {
    const repo = join(env.dir, 'el7.repo');
    writeFileSync(repo, `[os]\nname=fixture\nbaseurl=${env.mirror.repoUrl('el7-os')}\ngpgcheck=0\n`);
    const tar = join(env.dir, 'q.tar');
    const r = await runCli(['--repo-file', repo, 'bash', '-q', '-o', tar, ...cache()], { SOURCE_DATE_EPOCH: '1700000000' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^signatures: \d+ package\(s\) from repo os NOT verified/);
    expect(readFileSync(tar).length).toBeGreaterThan(1024);
  }, 300_000);

  it('--json-progress stays JSON lines to the end of a failed build', async () => {
    const r = await runCli([...el7(), 'no-such-package', '--json-progress', '-o', join(env.dir, 'j.tar'), ...cache()]);
    expect(r.code).toBe(6);
    const events = r.stderr.trimEnd().split('\n').map((l) => JSON.parse(l) as { kind: string; code?: string; exitCode?: number });
    expect(events.length).toBeGreaterThan(1);
    expect(events.at(-1)).toMatchObject({ kind: 'error', code: 'RFS_UNSOLVABLE', exitCode: 6, message: expect.stringContaining('no-such-package') });
  }, 120_000);
});
