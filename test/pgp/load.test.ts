// loadKeyFile: the one reading of a key name for every command (--gpgkey, a repo's gpgkey, an
// image spec): a path, a file:// URL, a bare name in repos/keys/, https through the caller's
// fetcher; plain http and other schemes refused before anything is fetched.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fingerprintHex, keyLabel, loadKeyFile, readPublicKeys, resolveKeyName } from '../../src/util/pgp/index.js';
import { CENTOS_KEYS } from './helpers.js';

const KEY = join(CENTOS_KEYS, 'RPM-GPG-KEY-CentOS-7');
const fpr = (certs: { primary: Parameters<typeof fingerprintHex>[0] }[]): string[] => certs.map((c) => fingerprintHex(c.primary));
const expected = fpr(readPublicKeys(readFileSync(KEY, 'utf8')));

describe('loadKeyFile', () => {
  it('a path, a file:// URL and a bare name found by findNamed give the same key', async () => {
    expect(expected).toHaveLength(1);
    expect(fpr((await loadKeyFile(KEY)).certs)).toEqual(expected);
    expect(fpr((await loadKeyFile(pathToFileURL(KEY).href)).certs)).toEqual(expected);
    const named = await loadKeyFile('RPM-GPG-KEY-CentOS-7', { findNamed: (n) => join(CENTOS_KEYS, n) });
    expect(fpr(named.certs)).toEqual(expected);
    expect(named.name).toBe('RPM-GPG-KEY-CentOS-7');
  });

  it('https goes through the fetcher with the size bound; without one it is refused', async () => {
    const asked: [string, number][] = [];
    const got = await loadKeyFile('https://example.org/k', { fetchBytes: async (u, max) => { asked.push([u, max]); return readFileSync(KEY); } });
    expect(fpr(got.certs)).toEqual(expected);
    expect(asked).toEqual([['https://example.org/k', 4 << 20]]);
    await expect(loadKeyFile('https://example.org/k')).rejects.toMatchObject({ code: 'RFS_BAD_CONFIG', message: expect.stringContaining('local key files only') });
  });

  it('plain http and other schemes are refused without calling the fetcher', async () => {
    for (const url of ['http://example.org/k', 'HTTP://example.org/k', 'ftp://example.org/k']) {
      await expect(loadKeyFile(url, { fetchBytes: () => { throw new Error('fetched'); } }))
        .rejects.toMatchObject({ code: 'RFS_BAD_CONFIG', message: expect.stringContaining('anything but https') });
    }
  });

  it('a missing file, a remote file URL and a non-key are RFS_BAD_CONFIG naming the key', async () => {
    await expect(loadKeyFile('/nonexistent/key')).rejects.toMatchObject({ code: 'RFS_BAD_CONFIG', subject: '/nonexistent/key' });
    await expect(loadKeyFile('file://host/etc/key')).rejects.toMatchObject({ code: 'RFS_BAD_CONFIG', message: expect.stringContaining('not a local file URL') });
    await expect(loadKeyFile(join(CENTOS_KEYS, '..', 'README.md'))).rejects.toMatchObject({ code: 'RFS_BAD_CONFIG' });
  });
});

describe('resolveKeyName and keyLabel', () => {
  it('relative paths resolve against the base; URLs are kept', () => {
    expect(resolveKeyName('k.asc', '/work/dir')).toBe('/work/dir/k.asc');
    expect(resolveKeyName('/abs/k.asc', '/work/dir')).toBe('/abs/k.asc');
    for (const u of ['https://example.org/k', 'http://example.org/k', 'file:///etc/k', 'file:/etc/k']) expect(resolveKeyName(u, '/work/dir')).toBe(u);
  });
  it('labels local keys by base name, remote ones by URL', () => {
    expect(keyLabel('/a/b/RPM-GPG-KEY-x')).toBe('RPM-GPG-KEY-x');
    expect(keyLabel('file:///a/b/RPM%20KEY')).toBe('RPM KEY');
    expect(keyLabel('https://example.org/k')).toBe('https://example.org/k');
  });
});
