// --platform names to the arches a multi-arch build makes, and the per-arch document names.
import { describe, expect, it } from 'vitest';
import { perArchPath, platformOf, resolvePlatforms } from '../../src/assemble/platforms.js';

describe('resolvePlatforms', () => {
  it('maps platforms and rpm arches, deduplicated, in platform order whatever the given order', () => {
    expect(resolvePlatforms(['linux/s390x,linux/arm64/v8', 'aarch64', 'linux/amd64', 'linux/386', 'linux/arm/v7', 'ppc64le'], null)).toEqual([
      { platform: 'linux/386', arch: 'i686' }, { platform: 'linux/amd64', arch: 'x86_64' }, { platform: 'linux/arm/v7', arch: 'armv7hl' },
      { platform: 'linux/arm64', arch: 'aarch64' }, { platform: 'linux/ppc64le', arch: 'ppc64le' }, { platform: 'linux/s390x', arch: 's390x' },
    ]);
  });
  it("with a definition: its own arch names (i386, armhfp), and only those it lists", () => {
    expect(resolvePlatforms(['linux/386', 'linux/amd64'], ['x86_64', 'i386'])).toEqual([{ platform: 'linux/386', arch: 'i386' }, { platform: 'linux/amd64', arch: 'x86_64' }]);
    expect(resolvePlatforms(['linux/arm/v7'], ['armhfp'])).toEqual([{ platform: 'linux/arm/v7', arch: 'armhfp' }]);
    expect(() => resolvePlatforms(['linux/arm64'], ['x86_64', 'i386'])).toThrow(expect.objectContaining({ code: 'RFS_USAGE', hint: 'known: linux/386, linux/amd64' }));
    expect(() => resolvePlatforms(['s390x'], ['x86_64'])).toThrow(expect.objectContaining({ code: 'RFS_USAGE', subject: 's390x' }));
  });
  it('refuses unknown platforms, two arches of one platform, and an empty list', () => {
    expect(() => resolvePlatforms(['windows/amd64'], null)).toThrow(/unknown platform/);
    expect(() => resolvePlatforms(['i686', 'i586'], null)).toThrow(/i686 and i586 are both linux\/386/);
    expect(() => resolvePlatforms([','], null)).toThrow(/no platform given/);
  });
  it('names platforms as docker does', () => {
    expect(['x86_64', 'aarch64', 'armv7hl', 'i686', 's390x'].map(platformOf)).toEqual(['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/386', 'linux/s390x']);
  });
});

describe('perArchPath', () => {
  it('puts the arch before the last extension', () => {
    expect(perArchPath('lock.json', 'x86_64')).toBe('lock.x86_64.json');
    expect(perArchPath('/a/b.c/sbom.spdx.json', 'aarch64')).toBe('/a/b.c/sbom.spdx.aarch64.json');
    expect(perArchPath('out/lock', 's390x')).toBe('out/lock.s390x');
  });
});
