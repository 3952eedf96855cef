// `rootfs-assemble <distro>:<release> [PKG...] [options]` and `rootfs-assemble build IMAGE.yaml`.
import { readFileSync } from 'node:fs';
import { parseAddFile } from '../../assemble/add-file.js';
import { assemble } from '../../assemble/assemble.js';
import type { AssembleOptions, OutputFormatName } from '../../assemble/options.js';
import type { SpecWarning } from '../../assemble/spec/index.js';
import { specToOptions } from '../../assemble/spec-options.js';
import type { AssembleEvent, RpmdbFlavour } from '../../types/index.js';
import { untrusted, type RfsError } from '../../errors/index.js';
import { resolveKeyName } from '../../util/pgp/index.js';
import { parseCommandArgs, usageError } from '../args.js';
import { BUILD_HELP, UPDATE_HELP } from '../help.js';
import type { CliIO } from '../io.js';
import { checkOutputTarget } from '../../assemble/output/target-check.js';
import { createRenderer, progressMode } from '../progress.js';
import { resetGc, tuneGc } from '../gc-tuning.js';
import { REPO_ARG_OPTIONS, repoOptionsFromValues, splitDistroRef } from '../repo-args.js';
import { SOLVER_ARG_OPTIONS, solverOptionsFromValues } from '../solver-args.js';

export const BUILD_OPTIONS = {
  ...REPO_ARG_OPTIONS,
  // repeated --arch is a multi-arch build, as --platform
  arch: { type: 'string', multiple: true },
  platform: { type: 'string', multiple: true },
  output: { type: 'string', short: 'o' },
  format: { type: 'string' },
  layers: { type: 'string' },
  from: { type: 'string' },
  lockfile: { type: 'string' },
  locked: { type: 'string' },
  sbom: { type: 'string' },
  push: { type: 'string' },
  'tls-verify': { type: 'string' },
  'cert-dir': { type: 'string' },
  authfile: { type: 'string' },
  'digest-file': { type: 'string' },
  'no-default-packages': { type: 'boolean' },
  exclude: { type: 'string', multiple: true },
  'weak-deps': { type: 'boolean' },
  'no-weak-deps': { type: 'boolean' },
  ...SOLVER_ARG_OPTIONS,
  nodocs: { type: 'boolean' },
  'install-langs': { type: 'string' },
  gpgcheck: { type: 'boolean' },
  nogpgcheck: { type: 'boolean' },
  gpgkey: { type: 'string', multiple: true },
  profile: { type: 'string', multiple: true },
  user: { type: 'string', multiple: true },
  'add-file': { type: 'string', multiple: true },
  env: { type: 'string', multiple: true },
  label: { type: 'string', multiple: true },
  cmd: { type: 'string' },
  entrypoint: { type: 'string' },
  rpmdb: { type: 'string' },
  'rpmdb-path': { type: 'string' },
  'strict-scriptlets': { type: 'boolean' },
  'run-scriptlets': { type: 'string' },
  'repo-rewrite': { type: 'string' },
  'image-mirror': { type: 'string' },
  'clamp-mtime': { type: 'boolean' },
  'cache-dir': { type: 'string' },
  jobs: { type: 'string', short: 'j' },
  quiet: { type: 'boolean', short: 'q' },
  'json-progress': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const FORMATS: OutputFormatName[] = ['tar', 'oci-archive', 'oci', 'docker-archive', 'dir'];
const FLAVOURS: RpmdbFlavour[] = ['bdb-hash-v8', 'bdb-hash-v9', 'sqlite', 'ndb'];

function usage(message: string): RfsError {
  return usageError('build', message);
}

function runScriptlets(v: string | undefined): { runScriptlets?: 'userns' } {
  if (v === undefined || v === 'off') return {};
  if (v !== 'userns') throw usage(`--run-scriptlets: only 'userns' is supported, got '${v}'`);
  return { runScriptlets: 'userns' };
}

/** --nogpgcheck is dnf's switch; --gpgcheck (the default) only matters against an image spec's gpgcheck: false. */
function gpgcheckOption(on: boolean | undefined, off: boolean | undefined): { gpgcheck?: boolean } {
  if (on && off) throw usage('--gpgcheck and --nogpgcheck contradict each other: give one');
  if (off) return { gpgcheck: false };
  return on ? { gpgcheck: true } : {};
}

function pair(s: string, sep: string, what: string): [string, string] {
  const i = s.indexOf(sep);
  if (i <= 0 || i === s.length - 1) throw usage(`${what}: expected A${sep}B, got '${s}'`);
  return [s.slice(0, i), s.slice(i + 1)];
}

function commandList(s: string): string[] {
  if (s.trim().startsWith('[')) {
    const v: unknown = JSON.parse(s);
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw usage(`expected a JSON array of strings: ${s}`);
    return v as string[];
  }
  return ['/bin/sh', '-c', s];
}

type CliOptions = Omit<AssembleOptions, 'output'> & { output?: AssembleOptions['output']; help?: boolean; quiet?: boolean; jsonProgress?: boolean; spec?: string };

/** Parse argv into the options it sets (nothing more, so an image spec's values survive). */
export function parseAssembleArgs(argv: string[], env: NodeJS.ProcessEnv, cwd = process.cwd()): CliOptions {
  const { values: v, positionals } = parseCommandArgs('build', argv, BUILD_OPTIONS);
  if (v.help) return { help: true };
  const [first, ...pkgs] = positionals;
  const isSpec = first !== undefined && /\.(ya?ml|json)$/.test(first);
  const ref = isSpec ? { packages: pkgs } : splitDistroRef(positionals, repoOptionsFromValues(v));
  const distro = ref.distro;
  const extra = ref.packages;
  const format = v.format as OutputFormatName | undefined;
  if (format && !FORMATS.includes(format)) throw usage(`--format: unknown format '${format}' (${FORMATS.join(', ')})`);
  if (v.rpmdb && !FLAVOURS.includes(v.rpmdb as RpmdbFlavour)) throw usage(`--rpmdb: unknown flavour '${v.rpmdb}' (${FLAVOURS.join(', ')})`);
  const jobs = v.jobs === undefined ? undefined : Number(v.jobs);
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1 || jobs > 64)) throw usage(`--jobs: expected 1..64, got '${v.jobs}'`);
  // the range is checkLayers' (assemble() checks it with the format): here only that it is a number
  if (v.layers !== undefined && !/^\d+$/.test(v.layers)) throw usage(`--layers: expected a whole number, got '${untrusted(v.layers, 40)}'`);
  const layers = v.layers === undefined ? undefined : Number(v.layers);
  const sde = env.SOURCE_DATE_EPOCH;
  if (sde !== undefined && sde !== '' && !/^\d+$/.test(sde)) throw usage(`SOURCE_DATE_EPOCH must be an integer, got '${sde}'`);
  return {
    ...repoOptionsFromValues(v),
    ...archArgs(v.arch, v.platform),
    ...(distro ? { distro } : {}),
    ...(isSpec ? { spec: first } : {}),
    ...(extra.length > 0 ? { packages: extra } : {}),
    ...(v['no-default-packages'] ? { noDefaultPackages: true } : {}),
    ...(v.exclude ? { exclude: v.exclude } : {}),
    ...(v['weak-deps'] ? { weakDeps: true } : v['no-weak-deps'] ? { weakDeps: false } : {}),
    ...solverOptionsFromValues('build', v),
    ...(v.nodocs ? { nodocs: true } : {}),
    ...(v['install-langs'] ? { installLangs: v['install-langs'].split(/[:,]/).filter(Boolean) } : {}),
    ...gpgcheckOption(v.gpgcheck, v.nogpgcheck),
    ...(v.gpgkey ? { gpgkeys: v.gpgkey.map((k) => resolveKeyName(k, cwd)) } : {}),
    ...(v.rpmdb ? { rpmdb: v.rpmdb as RpmdbFlavour } : {}),
    ...(v['rpmdb-path'] ? { rpmdbPath: v['rpmdb-path'] } : {}),
    ...(v.profile ? { profiles: v.profile } : {}),
    ...(v.user ? { users: v.user.map((u) => { const [name, uid] = pair(u, ':', '--user'); if (!/^\d+$/.test(uid)) throw usage(`--user: uid must be a number: ${u}`); return { name, uid: Number(uid) }; }) } : {}),
    ...(v['add-file'] ? { addFiles: v['add-file'].map((f) => { const a = parseAddFile(f); if (!a) throw usage(`--add-file: expected SRC:DEST[:MODE] with an absolute DEST and an octal MODE, got '${f}'`); return a; }) } : {}),
    ...(v.env ? { env: v.env.map((e) => pair(e, '=', '--env').join('=')) } : {}),
    ...(v.label ? { labels: Object.fromEntries(v.label.map((l) => pair(l, '=', '--label'))) } : {}),
    ...(v.cmd ? { cmd: commandList(v.cmd) } : {}),
    ...(v.entrypoint ? { entrypoint: commandList(v.entrypoint) } : {}),
    ...(v['strict-scriptlets'] ? { strictScriptlets: true } : {}),
    ...(runScriptlets(v['run-scriptlets'])),
    ...(v['image-mirror'] !== undefined ? { imageMirror: v['image-mirror'] } : {}),
    ...(v['repo-rewrite'] === 'off' || v['repo-rewrite'] === 'false' ? { repoRewrite: false } : {}),
    ...(v.output || (format && !pushOnly(v.push, v.output, format)) ? { output: { path: v.output ?? defaultOutput(distro, format), ...(format ? { format } : {}) } } : {}),
    ...(layers !== undefined ? { layers } : {}),
    ...(v.from !== undefined ? { from: v.from } : {}),
    ...(v.lockfile ? { lockfile: v.lockfile } : {}),
    ...(v.locked ? { locked: v.locked } : {}),
    ...(v.sbom ? { sbom: v.sbom } : {}),
    ...(v.push !== undefined ? { push: v.push } : {}),
    ...tlsVerifyArg(v['tls-verify']),
    ...(v['cert-dir'] !== undefined ? { certDir: v['cert-dir'] } : {}),
    ...(v.authfile !== undefined ? { authFile: v.authfile } : {}),
    ...(v['digest-file'] !== undefined ? { digestFile: v['digest-file'] } : {}),
    ...(v['clamp-mtime'] ? { clampMtime: true } : {}),
    ...(v['cache-dir'] ? { cacheDir: v['cache-dir'] } : {}),
    ...(jobs !== undefined ? { jobs } : {}),
    ...(sde ? { sourceDateEpoch: Number(sde) } : {}),
    ...(v.quiet ? { quiet: true } : {}),
    ...(v['json-progress'] ? { jsonProgress: true } : {}),
  };
}

export async function assembleCommand(argv: string[], io: CliIO): Promise<number> {
  const cli = parseAssembleArgs(argv, io.env, io.cwd);
  if (cli.help) {
    io.stdout.write(BUILD_HELP);
    return 0;
  }
  let merged: CliOptions = cli;
  let specWarnings: SpecWarning[] = [];
  if (cli.spec) {
    // the spec parser (and yaml) only for builds from a spec file
    const { parseImageSpec } = await import('../../assemble/spec/index.js');
    const parsed = parseImageSpec(readFileSync(cli.spec, 'utf8'), cli.spec);
    specWarnings = parsed.warnings ?? [];
    const spec = specToOptions(parsed);
    // command-line options override the spec file's; packages add up
    merged = { ...spec, ...cli, packages: [...(spec.packages ?? []), ...(cli.packages ?? [])] };
    // the command line's destination replaces the spec's: --push over output, -o over push
    if (cli.push !== undefined && cli.output === undefined) delete merged.output;
    if (cli.output !== undefined && cli.push === undefined) delete merged.push;
    // and its arch choice the spec's: --platform over arch, --arch over platform
    if (cli.platforms !== undefined) delete merged.arch;
    if (cli.arch !== undefined) delete merged.platforms;
  }
  return runBuild(merged, io, specWarnings, defaultOutput(merged.distro, undefined));
}

/**
 * `rootfs-assemble update IMAGE [DISTRO] [NAME...] [options]`: dnf upgrade of the image's
 * packages (NAME... only, when given) from the distro's repos, written as the image plus one layer.
 */
export async function updateCommand(argv: string[], io: CliIO): Promise<number> {
  const [image, ...rest] = argv;
  if (image === '-h' || image === '--help') {
    io.stdout.write(UPDATE_HELP);
    return 0;
  }
  if (image === undefined || image.startsWith('-')) throw usageError('update', 'expected the image to update first: rootfs-assemble update IMAGE [DISTRO] [NAME...] [options]');
  const security = rest.includes('--security');
  const cli = parseAssembleArgs(rest.filter((a) => a !== '--security'), io.env, io.cwd);
  if (cli.help) {
    io.stdout.write(UPDATE_HELP);
    return 0;
  }
  if (cli.spec !== undefined) throw usageError('update', 'an image spec builds an image; update takes the image to update');
  const { packages, ...opts } = cli;
  return runBuild({ ...opts, from: image, upgrade: packages ?? [], ...(security ? { security: true } : {}) }, io, [], updatedName(image));
}

/** `centos7.tar` -> `centos7-updated.tar`; a reference or layout dir -> its last name */
function updatedName(image: string): string {
  const last = image.replace(/^[a-z-]+:(?!\/\/)/, '').replace(/^docker:\/\//, '').replace(/[@:][^/]*$/, '').split('/').filter(Boolean).pop() ?? 'image';
  return `${last.replace(/\.(tar|tgz|tar\.gz)$/, '') || 'image'}-updated.tar`;
}

async function runBuild(merged: CliOptions, io: CliIO, specWarnings: SpecWarning[], fallbackOutput: string): Promise<number> {
  if (!merged.distro && !merged.repofrompath && !merged.repoFiles) {
    throw usage('no distro given: name one like centos:4.9 (see rootfs-assemble list), or --repofrompath ID,URL');
  }
  const output = merged.output ?? (merged.push ? undefined : { path: fallbackOutput });
  const opts: AssembleOptions & CliOptions = { ...merged, ...(output ? { output } : {}) };
  if (output && !opts.push && !output.path.startsWith('docker://')) checkOutputTarget(output.path, output.format ?? 'tar', io.cwd);
  // progress goes to stderr so `-o -` can stream the image to stdout
  const mode = progressMode({ ...(opts.quiet ? { quiet: true } : {}), ...(opts.jsonProgress ? { json: true } : {}) }, io.stderr);
  const render = createRenderer(mode, io.stderr);
  const onEvent = (e: AssembleEvent): void => {
    tuneGc(e);
    render(e);
  };
  for (const w of specWarnings) render({ kind: 'warning', code: 'RFS_W_SPEC_DEPRECATED', message: w.message, subject: w.subject });
  // signals are the process's (cli/signals.ts): they abort io.signal, and the build unwinds
  try {
    const result = await assemble({ ...opts, hostEnv: io.env, ...(io.signal ? { signal: io.signal } : {}), onEvent, ...(output?.path === '-' ? { stdout: io.stdout } : {}) });
    // the pushed image by digest on stdout, for scripts (cosign sign, CI outputs)
    if (result.pushed && result.digest) io.stdout.write(`${result.pushed.replace(/:[^:/]+$/, '')}@${result.digest}\n`);
    if (result.scriptlets.skipped.length > 0 && mode !== 'json' && mode !== 'quiet') {
      io.stderr.write(`${result.scriptlets.skipped.length} scriptlet(s) not reproduced (listed above; --strict-scriptlets fails on them, --run-scriptlets=userns runs them)\n`);
    }
    return 0;
  } finally {
    resetGc();
    render.finish();
  }
}

/** --push with --format oci and no -o: the format is what a push sends anyway, not a file to write */
function pushOnly(push: string | undefined, output: string | undefined, format: OutputFormatName): boolean {
  if (push === undefined || output !== undefined) return false;
  if (format !== 'oci') throw usage(`--format ${format}: a push sends an OCI image; drop --format`);
  return true;
}

/** one --arch is the target; several, or --platform, a multi-arch build */
function archArgs(arches: string[] | undefined, platforms: string[] | undefined): { arch?: string; platforms?: string[] } {
  if (platforms !== undefined && arches !== undefined) throw usage('--arch with --platform: give the arches as platforms (or --arch repeated)');
  if (platforms !== undefined) return { platforms };
  if (arches === undefined) return {};
  return arches.length === 1 ? { arch: arches[0]! } : { platforms: arches };
}

/** skopeo's --tls-verify=false (a value, not a bare switch: --tls-verify alone is the default) */
function tlsVerifyArg(v: string | undefined): { tlsVerify?: boolean } {
  if (v === undefined) return {};
  if (v === 'true' || v === 'false') return { tlsVerify: v === 'true' };
  throw usage(`--tls-verify: expected true or false, got '${v}'`);
}

function defaultOutput(distro: string | undefined, format: OutputFormatName | undefined): string {
  const base = distro ? distro.replace(/[:/]/g, '-') : 'image';
  return format === 'oci' || format === 'dir' ? base : `${base}.tar`;
}
