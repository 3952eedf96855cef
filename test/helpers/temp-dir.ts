// A scratch directory made on first use: suites a -t filter skips never create one (and never
// have to clean one up).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix: string): { readonly dir: string; cleanup: () => void } {
  let dir: string | null = null;
  return {
    get dir(): string {
      dir ??= mkdtempSync(join(tmpdir(), prefix));
      return dir;
    },
    cleanup: () => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
