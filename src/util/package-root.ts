// The package's own folder (repos/, profiles/, package.json), found by walking up from a module:
// the modules sit at other depths in src/ (tests), dist/ and the CLI's bundle (dist/cli-bundle).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(moduleUrl: string): string {
  if (root !== undefined) return root;
  for (let dir = dirname(fileURLToPath(moduleUrl)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'rootfs-assemble') return (root = dir);
    if (dirname(dir) === dir) throw new Error(`rootfs-assemble: no package.json of rootfs-assemble above ${moduleUrl}`);
  }
}
