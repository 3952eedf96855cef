// Content-addressed file cache: a file lives at the path of the checksum the metadata declared,
// so a hit needs no network and a corrupt or partial file is caught by re-hashing it.
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Checksum } from '../types/index.js';
import { digestFile } from '../util/checksum.js';

export class ContentCache {
  constructor(readonly dir: string) {}

  pathFor(sum: Checksum, relPath: string): string {
    const v = sum.value.toLowerCase();
    const name = basename(relPath).replace(/[^A-Za-z0-9._+-]/g, '_').slice(0, 120);
    return join(this.dir, 'files', sum.type, v.slice(0, 2), `${v}-${name}`);
  }

  /** A fresh temp path on the cache's file system, so the final rename is atomic. */
  tempPath(): string {
    const d = join(this.dir, 'tmp');
    mkdirSync(d, { recursive: true });
    return join(d, `${process.pid}-${randomBytes(6).toString('hex')}.part`);
  }

  /** The cached path if present and still matching; a mismatching file is removed. */
  async lookup(sum: Checksum, relPath: string, size?: number): Promise<string | undefined> {
    const p = this.pathFor(sum, relPath);
    let st;
    try { st = statSync(p); } catch { return undefined; }
    if (!st.isFile() || (size !== undefined && st.size !== size) || (await digestFile(p, sum.type)) !== sum.value.toLowerCase()) {
      rmSync(p, { force: true });
      return undefined;
    }
    return p;
  }

  /** Move a verified temp file into place. */
  commit(temp: string, sum: Checksum, relPath: string): string {
    const p = this.pathFor(sum, relPath);
    mkdirSync(join(p, '..'), { recursive: true });
    renameSync(temp, p);
    return p;
  }
}
