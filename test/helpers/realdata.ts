// The one place tests find the real-data corpus (../shared beside the checkout). RFS_NO_SHARED=1
// hides it, so a run with it present still proves every test that needs it skips without it.
import { join, resolve } from 'node:path';

export const SHARED_HIDDEN = process.env.RFS_NO_SHARED === '1';
const REAL_SHARED = resolve(__dirname, '../../../shared');

/** ../shared, or (hidden) a path that does not exist, so every existsSync check says "absent" */
export const SHARED = SHARED_HIDDEN ? `${REAL_SHARED}.hidden-by-RFS_NO_SHARED` : REAL_SHARED;

/** a path under ../shared (which may not exist: check before reading) */
export function sharedPath(rel: string): string {
  return join(SHARED, rel);
}
