import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sharedPath } from '../helpers/realdata.js';

export const REALDATA = sharedPath('realdata');
export const RPMS = join(REALDATA, 'rpms');
export const HAVE_REALDATA = existsSync(RPMS);
export const HAVE_RPM = spawnSync('rpm', ['--version']).status === 0;
export const HAVE_RPM2CPIO = spawnSync('sh', ['-c', 'command -v rpm2cpio && command -v cpio']).status === 0;

if (!HAVE_REALDATA) console.warn(`[test/rpm] skipping real-data tests: ${REALDATA} is absent`);
if (!HAVE_RPM) console.warn('[test/rpm] skipping comparisons with rpm: rpm is not installed');

export function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
}

export function packageFiles(): string[] {
  return HAVE_REALDATA ? walk(RPMS).filter((f) => !f.endsWith('.cpio')) : [];
}

const DEP = (p: string, tag: string): string => `[${p}\\t%{${tag}NAME}\\t%{${tag}FLAGS}\\t%{${tag}VERSION}\\n]`;
const QF =
  'N\\t%{NAME}\\nE\\t%{EPOCH}\\nV\\t%{VERSION}\\nR\\t%{RELEASE}\\nA\\t%{ARCH}\\nS\\t%{SOURCERPM}\\n' +
  DEP('requires', 'REQUIRE') + DEP('provides', 'PROVIDE') + DEP('conflicts', 'CONFLICT') + DEP('obsoletes', 'OBSOLETE') +
  '[F\\t%{FILENAMES}\\t%{FILEMODES}\\t%{LONGFILESIZES}\\t%{FILEUSERNAME}\\t%{FILEGROUPNAME}\\t%{FILEDIGESTS}\\t%{FILELINKTOS}\\t%{FILEFLAGS}\\t%{FILEMTIMES}\\n]';

export interface RpmQuery {
  ok: boolean;
  stderr: string;
  tags: Record<string, string>;
  deps: Record<string, { name: string; flags: number; version: string }[]>;
  files: string[][];
}

/** What Debian's rpm says about a package file (rpm -qp --qf), parsed. */
export function rpmQuery(file: string): RpmQuery {
  const r = spawnSync('rpm', ['-qp', '--dbpath', '/tmp/rfs-test-rpmdb', '--nosignature', '--qf', QF, file], { maxBuffer: 1 << 28 });
  const out: RpmQuery = { ok: r.status === 0, stderr: r.stderr.toString(), tags: {}, deps: { requires: [], provides: [], conflicts: [], obsoletes: [] }, files: [] };
  for (const line of r.stdout.toString('utf8').split('\n')) {
    if (!line) continue;
    const [k, ...rest] = line.split('\t');
    if (k === 'F') out.files.push(rest);
    else if (k && k in out.deps) out.deps[k]!.push({ name: rest[0]!, flags: Number(rest[1]), version: rest[2] === '(none)' ? '' : rest[2]! });
    else if (k) out.tags[k] = rest.join('\t');
  }
  return out;
}

export function rpm2cpio(file: string): Buffer | null {
  try {
    return execFileSync('rpm2cpio', [file], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}
