// The keys `inspect` checks signatures against by default: every key the distro definitions ship.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_REPOS_DIR } from '../repos/index.js';

/** paths of the key files in <reposDir>/keys/, sorted */
export function shippedKeyFiles(reposDir: string = DEFAULT_REPOS_DIR): string[] {
  const dir = join(reposDir, 'keys');
  try {
    return readdirSync(dir).sort().map((f) => join(dir, f));
  } catch {
    return [];
  }
}
