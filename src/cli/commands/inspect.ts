import { RfsError } from '../../errors/index.js';
import { openRpm, type RpmPackage } from '../../rpm/index.js';
import type { Dep } from '../../types/index.js';
import type { CliIO } from '../io.js';

const USAGE = 'usage: rootfs-assemble inspect FILE.rpm [--json] [--no-verify] [--header-only]';

/** `inspect FILE.rpm [--json]`: one package's metadata (and digest checks) as JSON or a summary. */
export async function inspectCommand(argv: string[], io: CliIO): Promise<number> {
  const flags = new Set(argv.filter((a) => a.startsWith('-')));
  const files = argv.filter((a) => !a.startsWith('-'));
  for (const f of flags) {
    if (f === '-h' || f === '--help') {
      io.stdout.write(USAGE + '\n');
      return 0;
    }
    if (!['--json', '--no-verify', '--header-only'].includes(f)) throw new RfsError('RFS_USAGE', `inspect: unknown option ${f}`, { hint: USAGE });
  }
  const file = files[0];
  if (file === undefined || files.length > 1) throw new RfsError('RFS_USAGE', 'inspect: expected exactly one package file', { hint: USAGE });
  const path = file.startsWith('/') ? file : `${io.cwd}/${file}`;
  const pkg = await openRpm(path, { verify: !flags.has('--no-verify'), headerOnly: flags.has('--header-only'), subject: file });
  const out = toJson(pkg);
  if (flags.has('--json')) io.stdout.write(JSON.stringify(out, null, 2) + '\n');
  else io.stdout.write(summary(pkg));
  return 0;
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
  const lines = [
    `${m.name}-${evr}.${m.arch}: ${m.summary}`,
    `  format v${m.formatVersion}, payload ${m.payloadFormat}/${m.payloadCompressor}, ${m.files.length} files, ${m.size} bytes installed`,
    `  requires ${m.requires.length}, provides ${m.provides.length}, conflicts ${m.conflicts.length}, obsoletes ${m.obsoletes.length}`,
    `  scriptlets: ${m.scriptlets.map((s) => `${s.kind} (${s.prog.join(' ')})`).join(', ') || 'none'}`,
    `  checks: ${pkg.checks.map((c) => c.name).join(', ') || 'none'}`,
  ];
  return lines.join('\n') + '\n';
}
