// The CLI as a handful of files (dist/cli-bundle) next to the module tree tsc wrote (dist/): Node
// resolves, reads and compiles ~300 small ES modules in a build otherwise, ~10-15 % of a small
// image's CPU (bench/RESULTS-startup.md). Dynamic imports stay separate chunks, so what a run does
// not use is still not loaded; packages in node_modules stay outside. The library (dist/index.js)
// is not bundled. Without esbuild (an install without dev dependencies) the CLI runs from dist/cli.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/cli-bundle');
rmSync(out, { recursive: true, force: true });
let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  process.stderr.write('bundle: esbuild is not installed; the CLI runs from dist/cli\n');
  process.exit(0);
}
await esbuild.build({
  entryPoints: [join(root, 'dist/cli/main.js')], outdir: out, bundle: true, splitting: true, format: 'esm',
  platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning', legalComments: 'none',
});
