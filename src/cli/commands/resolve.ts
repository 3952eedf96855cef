import { writeFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { solvePlan } from '../../assemble/plan.js';
import { unsolvableError, unsolvableHint } from '../../assemble/solve.js';
import { untrustedLines } from '../../errors/index.js';
// module paths, not barrels: a warm resolve should not load parsers it does not run (yaml, xml2js, sax)
import { defaultCacheDir } from '../../fetch/fetcher.js';
import type { RepoPackage } from '../../types/index.js';
import type { CliIO } from '../io.js';
import { parseCommandArgs } from '../args.js';
import { RESOLVE_HELP } from '../help.js';
import { REPO_ARG_OPTIONS, repoOptionsFromValues, splitDistroRef } from '../repo-args.js';
import { SOLVER_ARG_OPTIONS, solverOptionsFromValues } from '../solver-args.js';

export const RESOLVE_OPTIONS = {
  ...REPO_ARG_OPTIONS,
  json: { type: 'boolean' },
  'weak-deps': { type: 'boolean' },
  'no-weak-deps': { type: 'boolean' },
  ...SOLVER_ARG_OPTIONS,
  exclude: { type: 'string', multiple: true },
  'no-default-packages': { type: 'boolean' },
  profile: { type: 'string', multiple: true },
  'dump-testcase': { type: 'string' },
  'cache-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** build options people try on resolve */
const NOT_RESOLVE_OPTIONS: Record<string, string> = {
  '--nodocs': 'it changes which files are written, not which packages are installed',
  '-o': 'resolve writes no image (--json prints the set)',
  '--output': 'resolve writes no image (--json prints the set)',
};

function evr(p: RepoPackage): string {
  return `${p.epoch ? `${p.epoch}:` : ''}${p.version}-${p.release}`;
}

function table(pkgs: RepoPackage[], requested: Set<RepoPackage>): string {
  const rows = (list: RepoPackage[]): string[][] => list.map((p) => [p.name, p.arch, evr(p), p.repo]);
  const all = rows(pkgs);
  const w = [0, 1, 2, 3].map((i) => Math.max(['Package', 'Arch', 'Version', 'Repo'][i]!.length, ...all.map((r) => r[i]!.length)));
  const line = (r: string[]): string => ` ${r.map((c, i) => c.padEnd(w[i]!)).join('  ')}`.trimEnd();
  const rule = '='.repeat(w.reduce((a, b) => a + b + 2, 1));
  const main = pkgs.filter((p) => requested.has(p));
  const deps = pkgs.filter((p) => !requested.has(p));
  const out = [rule, line(['Package', 'Arch', 'Version', 'Repo']), rule];
  if (main.length) out.push('Installing:', ...rows(main).map(line));
  if (deps.length) out.push('Installing dependencies:', ...rows(deps).map(line));
  out.push('', 'Transaction Summary', rule, `Install  ${pkgs.length} Packages`);
  return out.join('\n') + '\n';
}

export async function resolveCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('resolve', argv, RESOLVE_OPTIONS, NOT_RESOLVE_OPTIONS);
  if (values.help) {
    io.stdout.write(RESOLVE_HELP);
    return 0;
  }
  const repoOptions = repoOptionsFromValues(values);
  const ref = splitDistroRef(positionals, repoOptions);
  // planInstall's own reading of the options (the build's): resolve is its preview
  const { plan, pool, solverRequest: req, solverOptions: opts, result, request } = await solvePlan({
    ...repoOptions,
    ...(ref.distro ? { distro: ref.distro } : {}),
    ...(ref.packages.length ? { packages: ref.packages } : {}),
    ...(values['no-default-packages'] ? { noDefaultPackages: true } : {}),
    ...(values.profile ? { profiles: values.profile } : {}),
    ...(values.exclude ? { exclude: values.exclude } : {}),
    weakDeps: values['weak-deps'] === true && values['no-weak-deps'] !== true,
    ...solverOptionsFromValues('resolve', values),
    cacheDir: values['cache-dir'] ?? defaultCacheDir(io.env),
    ...(io.signal ? { signal: io.signal } : {}),
    // --skip-broken's warnings; the set goes to stdout
    onEvent: (e) => { if (e.kind === 'warning') io.stderr.write(`warning: ${untrustedLines(e.message, 2000)}\n`); },
  });
  const dump = values['dump-testcase'];
  if (dump) writeFileSync(resolvePath(io.cwd, dump), (await import('../../solver/testcase.js')).writeTestcase(pool, req, opts));
  if (!result.ok) {
    throw unsolvableError(result.problems, unsolvableHint(opts, result.problems, '--dump-testcase FILE writes a libsolv testcase'), request.origins);
  }
  if (values.json) {
    io.stdout.write(JSON.stringify(plan.packages.map((p) => ({ name: p.name, epoch: p.epoch, version: p.version, release: p.release, arch: p.arch, repo: p.repo }))) + '\n');
    return 0;
  }
  const pkgs = result.transaction.packages;
  const requested = new Set(pkgs.filter((p) => result.transaction.reasons.get(p)?.startsWith('requested')));
  io.stdout.write(table(pkgs, requested));
  return 0;
}
