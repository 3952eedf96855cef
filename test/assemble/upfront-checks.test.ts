// Usage errors of assemble() come before any work: a bad --image-mirror or --layers is refused
// before the cache folder is made, for one arch and for --platform alike, and the bad value is
// escaped in the message.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assemble } from '../../src/assemble/assemble.js';
import type { AssembleOptions } from '../../src/assemble/options.js';
import { checkImageMirror } from '../../src/assemble/image-mirror.js';
import { isRfsError } from '../../src/errors/index.js';
import { tempDir } from '../helpers/temp-dir.js';

const tmp = tempDir('rfs-upfront-');
afterAll(() => tmp.cleanup());

async function refusal(o: Partial<AssembleOptions>): Promise<{ code: string; message: string; cacheMade: boolean }> {
  const cacheDir = join(tmp.dir, `cache-${Math.random().toString(36).slice(2)}`);
  // port 9 (discard): nothing may be fetched before the refusal anyway
  const err: unknown = await assemble({ repofrompath: [['r', 'http://127.0.0.1:9/']], cacheDir, ...o }).then(() => null, (e: unknown) => e);
  if (!isRfsError(err)) throw new Error(`expected an RfsError, got ${String(err)}`);
  return { code: err.code, message: err.message, cacheMade: existsSync(cacheDir) };
}

describe('assemble() refuses bad options first', () => {
  const oci = (): Partial<AssembleOptions> => ({ output: { path: join(tmp.dir, 'x.oci.tar'), format: 'oci-archive' } });

  it('a bad --image-mirror, with and without --platform', async () => {
    for (const extra of [{}, { platforms: ['linux/amd64', 'linux/arm64'] }]) {
      const r = await refusal({ ...oci(), ...extra, imageMirror: 'ftp//nowhere' });
      expect(r).toEqual({ code: 'RFS_USAGE', message: "--image-mirror: not a mirror URL: 'ftp//nowhere'", cacheMade: false });
    }
  });

  it('--layers out of range, or several layers for a one-tree format', async () => {
    expect(await refusal({ ...oci(), platforms: ['linux/amd64'], layers: 0 })).toMatchObject({ code: 'RFS_USAGE', cacheMade: false });
    expect(await refusal({ output: { path: join(tmp.dir, 'x.tar'), format: 'tar' }, layers: 2 })).toMatchObject({ code: 'RFS_USAGE', message: expect.stringContaining('cannot hold layers') as unknown, cacheMade: false });
  });

  it('the image mirror value is escaped in the message', () => {
    let message = '';
    try { checkImageMirror('\x1b[2Jhttp//x\n'); } catch (e) { message = e instanceof Error ? e.message : ''; }
    expect(message).toBe("--image-mirror: not a mirror URL: '\\x1b[2Jhttp//x\\x0a'");
  });
});
