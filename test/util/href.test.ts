import { describe, expect, it } from 'vitest';
import { baseProblem, digestProblem, hrefProblem, repoOrigins, urlProblem } from '../../src/util/href.js';

describe('digestProblem', () => {
  it.each([
    ['md5', 32], ['sha1', 40], ['sha224', 56], ['sha256', 64], ['sha384', 96], ['sha512', 128],
  ] as const)('%s: hex of exactly %i digits, either case', (type, len) => {
    expect(digestProblem(type, 'a'.repeat(len))).toBeUndefined();
    expect(digestProblem(type, 'AbC0'.repeat(len / 4))).toBeUndefined();
    expect(digestProblem(type, 'a'.repeat(len - 1))).toMatch(`${len} hex digits, got ${len - 1}`);
    expect(digestProblem(type, 'a'.repeat(len + 1))).toMatch(`got ${len + 1}`);
    expect(digestProblem(type, `${'a'.repeat(len - 1)}g`)).toMatch(/hex digits only/);
  });
  it('refuses paths, separators and unknown types', () => {
    expect(digestProblem('sha256', `../../${'a'.repeat(58)}`)).toMatch(/hex digits only/);
    expect(digestProblem('sha256', `${'a'.repeat(63)}/`)).toMatch(/hex digits only/);
    expect(digestProblem('crc32', 'abcd1234')).toBe('unknown checksum type');
    expect(digestProblem('sha', 'a'.repeat(40))).toBe('unknown checksum type'); // callers map `sha` to sha1 first
  });
});

describe('hrefProblem', () => {
  it.each([
    'Packages/b/bash-5.1-1.el9.x86_64.rpm', 'repodata/abc-primary.xml.gz', 'CentOS/RPMS/a+b_c-1.0~rc1.rpm',
    'Packages/%2Bplus.rpm', 'x..y/a..rpm', './Packages/x.rpm',
  ])('accepts %s', (h) => expect(hrefProblem(h)).toBeUndefined());
  it.each([
    ['', /empty/],
    ['/etc/passwd', /absolute/],
    ['%2fetc/passwd', /absolute href \(encoded\)/],
    ['../x.rpm', /'\.\.' segment/],
    ['Packages/../../x.rpm', /'\.\.' segment/],
    ['Packages/%2e%2e/%2E%2E/x.rpm', /'\.\.' segment/],
    ['Packages/..%2f..%2fx.rpm', /'\.\.' segment/],
    ['file:///etc/passwd', /scheme/],
    ['http://evil.example/x.rpm', /scheme/],
    ['HTTPS://evil.example/x.rpm', /scheme/],
    ['c:x.rpm', /scheme/],
    ['Packages\\..\\x.rpm', /backslash/],
    ['Packages/%5c..%5cx.rpm', /encoded control character or backslash/],
    ['x.rpm\u0000.txt', /control character/],
    ['x.rpm%00', /encoded control/],
    ['x\nrpm', /control character/],
    ['x%zz.rpm', /percent-encoding/],
    ['a'.repeat(5000), /longer than 4096/],
  ])('refuses %j', (h, re) => expect(hrefProblem(h)).toMatch(re));
});

describe('xml:base and origins', () => {
  const remote = repoOrigins(['https://mirror.example/centos/9/BaseOS/x86_64/os/'], ['https://mirror.example/centos/9/BaseOS/x86_64/os/', 'http://other.example:8080/c9/']);
  const local = repoOrigins(['file:///srv/repo/'], ['file:///srv/repo/']);
  it('a remote repo: its own mirrors only, never file:', () => {
    expect(baseProblem('https://mirror.example/elsewhere/', remote)).toBeUndefined();
    expect(baseProblem('http://OTHER.example:8080/x/', remote)).toBeUndefined();
    expect(baseProblem('http://other.example/x/', remote)).toMatch(/another host/); // port differs
    expect(baseProblem('http://mirror.example/x/', remote)).toMatch(/another host/); // scheme differs
    expect(baseProblem('https://evil.example/x/', remote)).toMatch(/another host/);
    expect(baseProblem('file:///etc/', remote)).toMatch(/file: URL in a remote repo/);
    expect(baseProblem('https://user:pw@mirror.example/x/', remote)).toMatch(/credentials/);
    expect(baseProblem('gopher://mirror.example/x/', remote)).toMatch(/scheme gopher:/);
    expect(baseProblem('//mirror.example/x/', remote)).toMatch(/not an absolute URL/);
    expect(baseProblem('https://mirror.example/\u0000/', remote)).toMatch(/control character/);
  });
  it('a local repo may name local files; remote hosts still not', () => {
    expect(baseProblem('file:///srv/other/', local)).toBeUndefined();
    expect(baseProblem('https://mirror.example/x/', local)).toMatch(/another host/);
  });
  it('file: mirrors a remote mirror list names do not make a repo local', () => {
    const o = repoOrigins(['https://mirrors.example/mirrorlist?repo=os'], ['file:///etc/', 'https://m1.example/os/']);
    expect(o.local).toBe(false);
    expect(urlProblem('file:///etc/passwd', o)).toMatch(/file: URL in a remote repo/);
    expect(urlProblem('https://m1.example/os/x', o)).toBeUndefined();
    expect(urlProblem('https://mirrors.example/x', o)).toBeUndefined(); // the user's own mirrorlist host
  });
});
