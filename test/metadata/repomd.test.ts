import { describe, expect, it } from 'vitest';
import { parseRepomd } from '../../src/metadata/index.js';

const SRC = { url: 'file:///r/repodata/repomd.xml', repo: 'r' };
const SHA256 = 'ABCDEF0123'.padEnd(64, '7');
const data = (inner: string): string => `<repomd><data type="primary">${inner}</data></repomd>`;
const okChecksum = `<checksum type="sha256">${'a'.repeat(64)}</checksum>`;

describe('repomd.xml', () => {
  it('reads records: location, xml:base, checksums, sizes, prefixed elements', async () => {
    const md = await parseRepomd(`<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>1644220800</revision>
  <tags><distro cpeid="cpe:/o:centos-project:centos:9">CentOS Stream 9</distro></tags>
  <data type="primary">
    <checksum type="sha256">${SHA256}</checksum>
    <open-checksum type="sha256">${'99aa'.repeat(16)}</open-checksum>
    <location xml:base="http://mirror.example/os/" href="repodata/abc-primary.xml.gz"/>
    <timestamp>1644220000</timestamp>
    <size>1234</size>
    <open-size>5678</open-size>
  </data>
  <data type="group_gz"><checksum type="sha">${'0f'.repeat(20)}</checksum><location href="repodata/comps.xml.gz"/></data>
</repomd>`, SRC);
    expect(md.revision).toBe('1644220800');
    expect(md.records.get('primary')).toEqual({
      type: 'primary', location: 'repodata/abc-primary.xml.gz', locationBase: 'http://mirror.example/os/',
      checksum: { type: 'sha256', value: SHA256.toLowerCase() }, openChecksum: { type: 'sha256', value: '99aa'.repeat(16) }, size: 1234, openSize: 5678,
    });
    expect(md.records.get('group_gz')).toEqual({ type: 'group_gz', location: 'repodata/comps.xml.gz', checksum: { type: 'sha1', value: '0f'.repeat(20) } });
  });
  it('says which repo and URL when the document is not a repomd', async () => {
    await expect(parseRepomd('<html><body>404</body></html>', SRC)).rejects.toMatchObject({ code: 'RFS_METADATA_MALFORMED', subject: SRC.url, message: expect.stringContaining('repo r: no <repomd> element') });
    await expect(parseRepomd('<repomd><data type="primary">', SRC)).rejects.toMatchObject({ code: 'RFS_METADATA_MALFORMED' });
    await expect(parseRepomd('<repomd><data type="primary"><location href="x"/></data></repomd>', SRC)).rejects.toThrow(/primary: missing checksum/);
  });

  it.each([
    ['a checksum one digit short', `${okChecksum.replace('a'.repeat(64), 'a'.repeat(63))}<location href="x"/>`, /64 hex digits, got 63/],
    ['a non-hex checksum', `<checksum type="sha256">${'g'.repeat(64)}</checksum><location href="x"/>`, /hex digits only/],
    ['a path in the checksum', `<checksum type="sha256">../../../../etc/passwd${'0'.repeat(42)}</checksum><location href="x"/>`, /hex digits only/],
    ['an unknown checksum type', `<checksum type="crc32">${'a'.repeat(8)}</checksum><location href="x"/>`, /unknown checksum type crc32/],
    ['a bad open-checksum', `${okChecksum}<open-checksum type="sha256">abc</open-checksum><location href="x"/>`, /open-checksum abc: a sha256 digest is 64/],
    ['an absolute href', `${okChecksum}<location href="/etc/passwd"/>`, /absolute href/],
    ['a file: href', `${okChecksum}<location href="file:///etc/passwd"/>`, /URL scheme/],
    ['an http href', `${okChecksum}<location href="http://evil.example/x.xml.gz"/>`, /URL scheme/],
    ['an encoded .. href', `${okChecksum}<location href="repodata/%2e%2e/%2E%2E/x"/>`, /'\.\.' segment/],
    ['a non-numeric open-size', `${okChecksum}<location href="x"/><open-size>12e3</open-size>`, /open-size 12e3 is not a byte count/],
  ])('refuses %s', async (_what, inner, re) => {
    await expect(parseRepomd(data(inner), SRC)).rejects.toMatchObject({ code: 'RFS_METADATA_MALFORMED', subject: SRC.url, message: expect.stringMatching(re) });
  });

  it('refuses a NUL, even escaped as &#0;, and names the bound', async () => {
    await expect(parseRepomd(data(`${okChecksum}<location href="x"/>\u0000`), SRC)).rejects.toThrow(/U\+0000 is not allowed/);
    await expect(parseRepomd(data(`${okChecksum}<location href="x&#0;"/>`), SRC)).rejects.toThrow(/&#0; names a character XML does not allow/);
    await expect(parseRepomd(`<repomd>${'<x>'.repeat(100)}`, SRC)).rejects.toThrow(/nested deeper than 16 \(limit maxDepth\)/);
  });

  it('never echoes a hostile long checksum whole', async () => {
    const fail = (xml: string): Promise<Error> => parseRepomd(xml, SRC).then(() => new Error('accepted'), (e: unknown) => e as Error);
    const huge = await fail(data(`<checksum type="sha256">${'f'.repeat(100_000)}</checksum><location href="x"/>`));
    expect(huge.message).toMatch(/text longer than 65536 characters \(limit maxText\)/);
    const long = await fail(data(`<checksum type="sha256">${'f'.repeat(50_000)}</checksum><location href="x"/>`));
    expect(long.message.length).toBeLessThan(300);
    expect(long.message).toContain('(50000 chars)');
  });

});
