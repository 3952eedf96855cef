import { RfsError, untrusted } from '../../errors/index.js';
import { inspectRpm, type PathFinding, type RpmInspection, type RpmPackage } from '../../rpm/index.js';
import type { Dep } from '../../types/index.js';
import { parseCommandArgs, usageError } from '../args.js';
import { INSPECT_HELP } from '../help.js';
import type { CliIO } from '../io.js';

const NAME_MAX_SHOWN = 300;

export const INSPECT_OPTIONS = {
  json: { type: 'boolean' },
  'no-verify': { type: 'boolean' },
  'header-only': { type: 'boolean' },
  strict: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * `inspect FILE.rpm [--json]`: one package's metadata, digest checks, archive listing, and a
 * warning for every name the unpacker would refuse or that is odd; --strict makes those exit 5.
 */
export async function inspectCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals: files } = parseCommandArgs('inspect', argv, INSPECT_OPTIONS);
  if (values.help) {
    io.stdout.write(INSPECT_HELP);
    return 0;
  }
  const file = files[0];
  if (file === undefined || files.length > 1) throw usageError('inspect', 'inspect: expected exactly one package file', files[1]);
  const path = file.startsWith('/') ? file : `${io.cwd}/${file}`;
  const ins = await inspectRpm(path, { verify: !values['no-verify'], headerOnly: values['header-only'] === true, subject: file });
  if (values.json) io.stdout.write(JSON.stringify({ ...toJson(ins.pkg), ...inspectionJson(ins) }, null, 2) + '\n');
  else io.stdout.write(summary(ins.pkg) + inspectionSummary(ins));
  if (values.strict) strictCheck(ins, file);
  return 0;
}

const show = (name: string): string => untrusted(name, NAME_MAX_SHOWN);
const WHERE: Record<PathFinding['where'], string> = { header: 'header path', payload: 'archive entry', symlink: 'symlink', hardlink: 'hard link' };
const findingLine = (f: PathFinding): string =>
  `${f.severity} ${WHERE[f.where]}${f.index >= 0 ? ` (file ${f.index})` : ''} "${show(f.name)}": ${f.reason}`;
const mismatches = (ins: RpmInspection): NonNullable<RpmInspection['members']> => (ins.members ?? []).filter((m) => m.digestOk === false);

function inspectionJson(ins: RpmInspection): Record<string, unknown> {
  return {
    warnings: ins.findings.map((f) => ({ where: f.where, index: f.index, name: show(f.name), severity: f.severity, reason: f.reason })),
    warningsNotShown: ins.findingsDropped,
    payload: ins.members?.map((m) => ({ name: show(m.name), index: m.index, size: m.size, digest: m.digest, digestOk: m.digestOk })) ?? null,
  };
}

function inspectionSummary(ins: RpmInspection): string {
  const lines: string[] = [];
  if (ins.members) {
    const checked = ins.members.filter((m) => m.digestOk !== null).length;
    lines.push(`  payload: ${ins.members.length} archive members, ${checked} file digests checked`);
    const bad = mismatches(ins);
    if (bad.length) lines.push(`  content digest mismatch: ${bad.length} file(s), first "${show(bad[0]!.name)}"`);
  }
  const n = ins.findings.length + ins.findingsDropped;
  if (n) {
    lines.push(`  warnings (${n}):`);
    for (const f of ins.findings) lines.push(`    ${findingLine(f)}`);
    if (ins.findingsDropped) lines.push(`    ... and ${ins.findingsDropped} more`);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

function strictCheck(ins: RpmInspection, file: string): void {
  const first = ins.findings[0];
  if (first) {
    const n = ins.findings.length + ins.findingsDropped;
    throw new RfsError('RFS_UNSAFE_PATH', `inspecting package: ${n} unsafe or odd name(s), first ${findingLine(first)}`, {
      subject: file, hint: 'the package is hostile or corrupt; without --strict inspect only lists these',
    });
  }
  const bad = mismatches(ins)[0];
  if (bad) {
    throw new RfsError('RFS_RPM_DIGEST_MISMATCH', `inspecting package: content of "${show(bad.name)}" does not match the header's file digest`, {
      subject: file, hint: 'the package is corrupt or was modified',
    });
  }
}

const dep = (d: Dep): Dep => ({ name: d.name, flags: d.flags, version: d.version });

function toJson(pkg: RpmPackage): Record<string, unknown> {
  const m = pkg.meta;
  return {
    name: m.name,
    epoch: m.epoch,
    version: m.version,
    release: m.release,
    arch: m.arch,
    summary: m.summary,
    license: m.license,
    vendor: m.vendor,
    group: m.group,
    url: m.url,
    buildtime: m.buildtime,
    buildhost: m.buildhost,
    sourcerpm: m.sourcerpm,
    size: m.size,
    rpmVersion: m.rpmVersion,
    formatVersion: m.formatVersion,
    payloadCompressor: m.payloadCompressor,
    payloadFormat: m.payloadFormat,
    fileDigestAlgo: m.fileDigestAlgo,
    requires: m.requires.map(dep),
    provides: m.provides.map(dep),
    conflicts: m.conflicts.map(dep),
    obsoletes: m.obsoletes.map(dep),
    recommends: m.recommends.map(dep),
    suggests: m.suggests.map(dep),
    supplements: m.supplements.map(dep),
    enhances: m.enhances.map(dep),
    files: m.files.map((f) => ({
      path: f.path, mode: f.mode, size: f.size, user: f.user, group: f.group, digest: f.digest,
      linkTo: f.linkTo, flags: f.flags, mtime: f.mtime, ...(f.caps ? { caps: f.caps } : {}), ...(f.rdev ? { rdev: f.rdev } : {}),
    })),
    scriptlets: m.scriptlets.map((s) => ({ kind: s.kind, prog: s.prog, flags: s.flags, bytes: s.body.length })),
    triggers: m.triggers.map((t) => ({ kind: t.kind, prog: t.prog, conditions: t.conditions.map(dep) })),
    checks: pkg.checks,
  };
}

function summary(pkg: RpmPackage): string {
  const m = pkg.meta;
  const evr = `${m.epoch !== null ? `${m.epoch}:` : ''}${m.version}-${m.release}`;
  // header strings are the packager's: escaped, so no terminal control sequence gets through
  const lines = [
    `${untrusted(`${m.name}-${evr}.${m.arch}`, 300)}: ${untrusted(m.summary, 300)}`,
    `  format v${m.formatVersion}, payload ${untrusted(m.payloadFormat, 40)}/${untrusted(m.payloadCompressor, 40)}, ${m.files.length} files, ${m.size} bytes installed`,
    `  requires ${m.requires.length}, provides ${m.provides.length}, conflicts ${m.conflicts.length}, obsoletes ${m.obsoletes.length}`,
    `  scriptlets: ${m.scriptlets.map((s) => `${s.kind} (${untrusted(s.prog.join(' '), 200)})`).join(', ') || 'none'}`,
    `  checks: ${pkg.checks.map((c) => c.name).join(', ') || 'none'}`,
  ];
  return lines.join('\n') + '\n';
}
