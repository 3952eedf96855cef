// Writes repos/definitions.json (the parsed definition files, see src/repos/prebuilt.ts) from the
// built dist/. Run after editing repos/**/*.yaml: npm run definitions
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_REPOS_DIR } from '../dist/repos/load.js';
import { buildPrebuilt, PREBUILT_FILE } from '../dist/repos/prebuilt.js';

writeFileSync(join(DEFAULT_REPOS_DIR, PREBUILT_FILE), buildPrebuilt(DEFAULT_REPOS_DIR));
