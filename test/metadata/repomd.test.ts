import { describe, expect, it } from 'vitest';
import { parseRepomd } from '../../src/metadata/index.js';

const SRC = { url: 'file:///r/repodata/repomd.xml', repo: 'r' };

describe('repomd.xml', () => {
  it('reads records: location, xml:base, checksums, sizes, prefixed elements', async () => {
    const md = await parseRepomd(`<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>1644220800</revision>
  <tags><distro cpeid="cpe:/o:centos-project:centos:9">CentOS Stream 9</distro></tags>
  <data type="primary">
    <checksum type="sha256">ABCDEF0123</checksum>
    <open-checksum type="sha256">99aa</open-checksum>
    <location xml:base="http://mirror.example/os/" href="repodata/abc-primary.xml.gz"/>
    <timestamp>1644220000</timestamp>
    <size>1234</size>
    <open-size>5678</open-size>
  </data>
  <data type="group_gz"><checksum type="sha">0f0f</checksum><location href="repodata/comps.xml.gz"/></data>
</repomd>`, SRC);
    expect(md.revision).toBe('1644220800');
    expect(md.records.get('primary')).toEqual({
      type: 'primary', location: 'repodata/abc-primary.xml.gz', locationBase: 'http://mirror.example/os/',
      checksum: { type: 'sha256', value: 'abcdef0123' }, openChecksum: { type: 'sha256', value: '99aa' }, size: 1234, openSize: 5678,
    });
    expect(md.records.get('group_gz')).toEqual({ type: 'group_gz', location: 'repodata/comps.xml.gz', checksum: { type: 'sha1', value: '0f0f' } });
  });
  it('says which repo and URL when the document is not a repomd', async () => {
    await expect(parseRepomd('<html><body>404</body></html>', SRC)).rejects.toMatchObject({ code: 'RFS_METADATA_MALFORMED', subject: SRC.url, message: expect.stringContaining('repo r: no <repomd> element') });
    await expect(parseRepomd('<repomd><data type="primary">', SRC)).rejects.toMatchObject({ code: 'RFS_METADATA_MALFORMED' });
    await expect(parseRepomd('<repomd><data type="primary"><location href="x"/></data></repomd>', SRC)).rejects.toThrow(/primary: missing or unknown checksum/);
  });
});
