#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/ (built by `npm install` through the prepare script), bundled
// into dist/cli-bundle when esbuild is there (scripts/bundle.mjs); dist/cli when it is not, or when
// tsc has rewritten dist/cli since the bundle was made (a developer who ran only tsc).
import { statSync } from 'node:fs';

const mtime = (rel) => statSync(new URL(rel, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1;
const bundled = mtime('../dist/cli-bundle/main.js') >= mtime('../dist/cli/main.js');
// runMain handles signals and crashes itself; this catch is for a dist that fails to load
import(bundled ? '../dist/cli-bundle/main.js' : '../dist/cli/main.js').then(
  ({ runMain }) => runMain(process.argv.slice(2)),
  (err) => {
    process.stderr.write(`rootfs-assemble: error RFS_INTERNAL: cannot load the CLI: ${err?.message ?? err}\n`);
    if (process.env.RFS_DEBUG && err?.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 70;
  },
);
