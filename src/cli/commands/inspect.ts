import { resolve as resolvePath } from 'node:path';
import { RfsError, untrusted } from '../../errors/index.js';
import { shippedKeyFiles } from '../../assemble/known-keys.js';
import { resolveKeyName } from '../../util/pgp/index.js';
import { inspectRpm, type ReportSignature, type ReportWarning, type RpmReport } from '../../rpm/index.js';
import { parseCommandArgs, usageError } from '../args.js';
import { INSPECT_HELP } from '../help.js';
import type { CliIO } from '../io.js';

export const INSPECT_OPTIONS = {
  json: { type: 'boolean' },
  'no-verify': { type: 'boolean' },
  'header-only': { type: 'boolean' },
  strict: { type: 'boolean' },
  gpgkey: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * `inspect FILE.rpm [--json]`: one package's metadata, digest checks, signatures (checked against
 * repos/keys/ and --gpgkey), archive listing, and a warning for every name the unpacker would
 * refuse or that is odd; --strict makes those, and a BAD signature, exit 5.
 */
export async function inspectCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals: files } = parseCommandArgs('inspect', argv, INSPECT_OPTIONS);
  if (values.help) {
    io.stdout.write(INSPECT_HELP);
    return 0;
  }
  const file = files[0];
  if (file === undefined || files.length > 1) throw usageError('inspect', 'inspect: expected exactly one package file', files[1]);
  const path = resolvePath(io.cwd, file);
  const gpgkeys = [...shippedKeyFiles(), ...(values.gpgkey ?? []).map((k) => resolveKeyName(k, io.cwd))];
  const report = await inspectRpm(path, {
    verify: !values['no-verify'], headerOnly: values['header-only'] === true, subject: file, gpgkeys,
    // an https --gpgkey is fetched as the build fetches it (loaded only then)
    fetchKey: async (url, maxBytes) => {
      const { Fetcher, defaultCacheDir } = await import('../../fetch/fetcher.js');
      return new Fetcher({ cacheDir: defaultCacheDir(io.env), env: io.env, ...(io.signal ? { signal: io.signal } : {}) }).fetchBytes(url, { maxBytes });
    },
  });
  if (values.json) io.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else io.stdout.write(summary(report) + signatureSummary(report) + inspectionSummary(report));
  if (values.strict) strictCheck(report, file);
  return 0;
}

// the report's warning and payload names are already escaped (untrusted()) by inspectRpm
const WHERE: Record<ReportWarning['where'], string> = { header: 'header path', payload: 'archive entry', symlink: 'symlink', hardlink: 'hard link' };
const findingLine = (f: ReportWarning): string =>
  `${f.severity} ${WHERE[f.where]}${f.index >= 0 ? ` (file ${f.index})` : ''} "${f.name}": ${f.reason}`;
const mismatches = (r: RpmReport): NonNullable<RpmReport['payload']> => (r.payload ?? []).filter((m) => m.digestOk === false);

function inspectionSummary(r: RpmReport): string {
  const lines: string[] = [];
  if (r.payload) {
    const checked = r.payload.filter((m) => m.digestOk !== null).length;
    lines.push(`  payload: ${r.payload.length} archive members, ${checked} file digests checked`);
    const bad = mismatches(r);
    if (bad.length) lines.push(`  content digest mismatch: ${bad.length} file(s), first "${bad[0]!.name}"`);
  }
  const n = r.warnings.length + r.warningsNotShown;
  if (n) {
    lines.push(`  warnings (${n}):`);
    for (const f of r.warnings) lines.push(`    ${findingLine(f)}`);
    if (r.warningsNotShown) lines.push(`    ... and ${r.warningsNotShown} more`);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

function signatureLine(s: ReportSignature): string {
  const what = `${s.covers} ${s.version !== null ? `V${s.version} ` : ''}${s.algorithm ? `${s.algorithm}/${s.hash}` : 'unreadable'} signature${s.keyId ? `, key ID ${s.keyId}` : ''}`;
  if (s.verdict === 'verified' && s.key) return `${what}: verified with ${s.key.file ?? s.key.fingerprint} (${untrusted(s.key.userId ?? 'no user id', 200)})`;
  if (s.verdict === 'unknown-key') return `${what}: unknown key (not in repos/keys/ nor --gpgkey)`;
  return `${what}: ${s.verdict === 'bad' ? 'BAD' : s.verdict}${s.reason ? ` (${untrusted(s.reason, 300)})` : ''}`;
}

function signatureSummary(r: RpmReport): string {
  if (r.signatures.length === 0) return '  signatures: none (the package is not signed)\n';
  return [`  signatures (${r.signatures.length}):`, ...r.signatures.map((s) => `    ${signatureLine(s)}`)].join('\n') + '\n';
}

function strictCheck(r: RpmReport, file: string): void {
  const first = r.warnings[0];
  if (first) {
    const n = r.warnings.length + r.warningsNotShown;
    throw new RfsError('RFS_UNSAFE_PATH', `inspecting package: ${n} unsafe or odd name(s), first ${findingLine(first)}`, {
      subject: file, hint: 'the package is hostile or corrupt; without --strict inspect only lists these',
    });
  }
  const bad = mismatches(r)[0];
  if (bad) {
    throw new RfsError('RFS_RPM_DIGEST_MISMATCH', `inspecting package: content of "${bad.name}" does not match the header's file digest`, {
      subject: file, hint: 'the package is corrupt or was modified',
    });
  }
  const badSig = r.signatures.find((s) => s.verdict === 'bad');
  if (badSig) {
    throw new RfsError('RFS_RPM_SIGNATURE', `inspecting package: ${badSig.covers} ${badSig.algorithm}/${badSig.hash} signature, key ID ${badSig.keyId}, is BAD: ${badSig.reason}`, {
      subject: file, hint: 'the package was modified after signing or is corrupt',
    });
  }
}

function summary(m: RpmReport): string {
  const evr = `${m.epoch !== null ? `${m.epoch}:` : ''}${m.version}-${m.release}`;
  // header strings are the packager's: escaped, so no terminal control sequence gets through
  const lines = [
    `${untrusted(`${m.name}-${evr}.${m.arch}`, 300)}: ${untrusted(m.summary, 300)}`,
    `  format v${m.formatVersion}, payload ${untrusted(m.payloadFormat, 40)}/${untrusted(m.payloadCompressor, 40)}, ${m.files.length} files, ${m.size} bytes installed`,
    `  requires ${m.requires.length}, provides ${m.provides.length}, conflicts ${m.conflicts.length}, obsoletes ${m.obsoletes.length}`,
    `  scriptlets: ${m.scriptlets.map((s) => `${s.kind} (${untrusted(s.prog.join(' '), 200)})`).join(', ') || 'none'}`,
    `  checks: ${m.checks.map((c) => c.name).join(', ') || 'none'}`,
  ];
  return lines.join('\n') + '\n';
}
