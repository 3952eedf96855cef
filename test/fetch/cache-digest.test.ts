import { describe, expect, it } from 'vitest';
import { ContentCache } from '../../src/fetch/cache.js';
import { isRfsError } from '../../src/errors/index.js';

describe('ContentCache.pathFor takes only well-formed digests', () => {
  const cache = new ContentCache('/nonexistent/cache');
  it('maps a digest to a path under the cache dir', () => {
    expect(cache.pathFor({ type: 'sha256', value: 'AB'.repeat(32) }, 'Packages/x.rpm')).toBe(`/nonexistent/cache/files/sha256/ab/${'ab'.repeat(32)}-x.rpm`);
  });
  it.each([
    ['../../../../tmp/x', 'sha256'],
    [`${'a'.repeat(62)}/.`, 'sha256'],
    ['a'.repeat(63), 'sha256'],
    ['a'.repeat(64), 'sha1'],
    ['a'.repeat(64), 'crc' as 'sha256'],
  ] as const)('refuses %j (%s) with RFS_METADATA_MALFORMED', (value, type) => {
    let err: unknown;
    try { cache.pathFor({ type, value }, 'x.rpm'); } catch (e) { err = e; }
    expect(isRfsError(err) && err.code).toBe('RFS_METADATA_MALFORMED');
  });
});
