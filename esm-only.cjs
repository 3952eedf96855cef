// rootfs-assemble is an ES module: `require('rootfs-assemble')` lands here (package.json
// "exports" require condition) and fails with Node's own code for it, saying what to do instead,
// rather than Node's "No exports main defined". CommonJS callers: `await import('rootfs-assemble')`.
'use strict';
const err = new Error(
  "rootfs-assemble is ESM-only and cannot be require()d: use `const rfs = await import('rootfs-assemble')` " +
    '(works from CommonJS too), or `import { assemble } from "rootfs-assemble"` in an ES module',
);
err.code = 'ERR_REQUIRE_ESM';
throw err;
