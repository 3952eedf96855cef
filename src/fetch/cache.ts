// Content-addressed file cache: a file lives at the path of the checksum the metadata declared,
// so a hit needs no network. Beside each entry a small record ("<entry>.verified") keeps the size,
// mtime, ctime and inode the file had when its checksum was last verified: while they still match,
// a hit is trusted without re-reading the file; any change (a rewrite, touch, truncation, a copy)
// makes the next lookup hash it again, and a file that no longer matches is removed.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { RfsError, untrusted } from '../errors/index.js';
import type { Checksum } from '../types/index.js';
import { digestFile } from '../util/checksum.js';
import { digestProblem } from '../util/href.js';
import { ownerTag } from '../util/owner.js';

const RECORD_SUFFIX = '.verified';

export interface CacheStats {
  /** hits trusted from their verification record (no read) */
  trusted: number;
  /** hits whose content was hashed again (no record, or the file changed since) */
  hashed: number;
  /** entries removed because their content no longer matched */
  rejected: number;
}

/** What identifies the verified version of a file: any write, truncation or copy changes one of these. */
function fingerprint(st: BigIntStats, sum: Checksum): string {
  return JSON.stringify({
    v: 1, sum: `${sum.type}:${sum.value.toLowerCase()}`,
    size: String(st.size), mtimeNs: String(st.mtimeNs), ctimeNs: String(st.ctimeNs), ino: String(st.ino), dev: String(st.dev),
  });
}

export class ContentCache {
  readonly stats: CacheStats = { trusted: 0, hashed: 0, rejected: 0 };
  constructor(readonly dir: string) {}

  pathFor(sum: Checksum, relPath: string): string {
    // The digest becomes path components: only a well-formed one may (metadata checks it first; this is the backstop).
    const why = digestProblem(sum.type, sum.value);
    if (why !== undefined) {
      throw new RfsError('RFS_METADATA_MALFORMED', `caching ${untrusted(relPath)}: checksum ${untrusted(sum.value, 80)} refused: ${why}`, {
        subject: relPath, hint: 'the repository metadata declares a malformed checksum',
      });
    }
    const v = sum.value.toLowerCase();
    const name = basename(relPath).replace(/[^A-Za-z0-9._+-]/g, '_').slice(0, 120);
    return join(this.dir, 'files', sum.type, v.slice(0, 2), `${v}-${name}`);
  }

  /**
   * A fresh temp path on the cache's file system, so the final rename is atomic; named after its
   * owner (util/owner.ts) so a later run removes what a killed one left, never a live run's.
   */
  tempPath(): string {
    const d = join(this.dir, 'tmp');
    mkdirSync(d, { recursive: true });
    return join(d, `${ownerTag()}-${randomBytes(6).toString('hex')}.part`);
  }

  /** The cached path if present and still matching; a mismatching file is removed. */
  async lookup(sum: Checksum, relPath: string, size?: number): Promise<string | undefined> {
    const p = this.pathFor(sum, relPath);
    let st: BigIntStats;
    try { st = statSync(p, { bigint: true }); } catch { return undefined; }
    if (st.isFile() && (size === undefined || st.size === BigInt(size))) {
      if (this.recorded(p) === fingerprint(st, sum)) {
        this.stats.trusted++;
        return p;
      }
      this.stats.hashed++;
      if ((await digestFile(p, sum.type)) === sum.value.toLowerCase()) {
        this.record(p, st, sum);
        return p;
      }
    }
    this.stats.rejected++;
    rmSync(p, { force: true });
    rmSync(p + RECORD_SUFFIX, { force: true });
    return undefined;
  }

  /** Move a temp file whose content was verified against `sum` into place. */
  commit(temp: string, sum: Checksum, relPath: string): string {
    const p = this.pathFor(sum, relPath);
    mkdirSync(join(p, '..'), { recursive: true });
    rmSync(p + RECORD_SUFFIX, { force: true });
    renameSync(temp, p);
    this.record(p, statSync(p, { bigint: true }), sum);
    return p;
  }

  private recorded(p: string): string | undefined {
    try { return readFileSync(p + RECORD_SUFFIX, 'utf8'); } catch { return undefined; }
  }

  /** Written atomically; a record that cannot be written only costs a re-hash next time. */
  private record(p: string, st: BigIntStats, sum: Checksum): void {
    // in tmp/, not beside the entry: a run killed here leaves it where the next run's sweep looks
    let tmp = '';
    try {
      tmp = this.tempPath();
      writeFileSync(tmp, fingerprint(st, sum));
      renameSync(tmp, p + RECORD_SUFFIX);
    } catch {
      if (tmp) rmSync(tmp, { force: true });
    }
  }
}
