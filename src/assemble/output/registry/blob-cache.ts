// Which repositories of a registry this tool has pushed each blob to (as containers/image's blob
// info cache): a blob missing from the target repo but known in another one of the same registry
// is mounted (POST ?mount=&from=) instead of uploaded again. Kept as JSON in the cache folder;
// a lost or unreadable file only costs uploads.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

type Known = Record<string, Record<string, string[]>>;

/** repos per blob kept per registry; the newest come first */
const MAX_REPOS = 8;

export class BlobLocations {
  private known: Known = {};

  constructor(private readonly file: string | undefined) {
    if (!file) return;
    try {
      const v: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) this.known = v as Known;
    } catch { /* none yet, or unreadable: start empty */ }
  }

  /** Other repos of `registry` known to hold `digest`. */
  reposFor(registry: string, digest: string, except: string): string[] {
    const repos = this.known[registry]?.[digest];
    return Array.isArray(repos) ? repos.filter((r) => typeof r === 'string' && r !== except) : [];
  }

  record(registry: string, repo: string, digests: Iterable<string>): void {
    const reg = (this.known[registry] ??= {});
    for (const d of digests) reg[d] = [repo, ...(reg[d] ?? []).filter((r) => r !== repo)].slice(0, MAX_REPOS);
  }

  save(): void {
    if (!this.file) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(this.known));
      renameSync(tmp, this.file);
    } catch { /* a cache that cannot be written only costs uploads next time */ }
  }
}
