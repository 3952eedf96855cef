#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/cli (built by `npm install` through the prepare script).
// runMain handles signals and crashes itself; this catch is for a dist that fails to load.
import('../dist/cli/main.js').then(
  ({ runMain }) => runMain(process.argv.slice(2)),
  (err) => {
    process.stderr.write(`rootfs-assemble: error RFS_INTERNAL: cannot load the CLI: ${err?.message ?? err}\n`);
    if (process.env.RFS_DEBUG && err?.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 70;
  },
);
