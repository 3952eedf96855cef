// Every definition checks signatures by default, so every gpgcheck repo must name keys that can
// be had safely: a file in repos/keys/ that parses as an OpenPGP certificate, or an https URL
// (fetched at build time). Which definitions depend on the network for their key is pinned here
// and in repos/README.md, so a change is deliberate.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { keyFilePath, listDistros, loadDistro } from '../../src/repos/index.js';
import { fingerprintHex, readPublicKeys } from '../../src/util/pgp/index.js';

const all = listDistros().map(({ tag }) => ({ tag, ...loadDistro(tag) }));

describe('definition keys', () => {
  it('every repo has gpgcheck on and names at least one key; URLs are https', () => {
    for (const d of all) {
      for (const r of d.repos) {
        expect(r.gpgcheck, `${d.tag} ${r.id}`).toBe(true);
        expect(r.gpgkey?.length, `${d.tag} ${r.id}`).toBeGreaterThan(0);
        for (const k of r.gpgkey ?? []) if (k.includes('://')) expect(k, d.tag).toMatch(/^https:\/\//);
      }
    }
  });

  it('local keys parse, one certificate each, with distinct fingerprints', () => {
    const files = [...new Set(all.flatMap((d) => d.repos.flatMap((r) => r.gpgkey ?? [])).filter((k) => !k.includes('://')))].sort();
    expect(files).toEqual(['RPM-GPG-KEY-CentOS-4', 'RPM-GPG-KEY-CentOS-5', 'RPM-GPG-KEY-CentOS-6', 'RPM-GPG-KEY-CentOS-7']);
    const fps = files.map((f) => {
      const path = keyFilePath(f);
      expect(path, f).toBeDefined();
      const certs = readPublicKeys(readFileSync(path!, 'utf8'));
      expect(certs, f).toHaveLength(1);
      return fingerprintHex(certs[0]!.primary);
    });
    expect(new Set(fps).size).toBe(files.length);
  });

  it('the definitions whose keys come from the network are the known ones', () => {
    const remote = [...new Set(all.filter((d) => d.repos.some((r) => (r.gpgkey ?? []).some((k) => k.includes('://')))).map((d) => d.distro))].sort();
    const local = [...new Set(all.filter((d) => d.repos.every((r) => (r.gpgkey ?? []).every((k) => !k.includes('://')))).map((d) => `${d.distro}:${d.release.split('.')[0]}`))].sort();
    expect(remote).toEqual(['almalinux', 'centos', 'centos-stream', 'fedora', 'rocky', 'ubi']); // centos: only 8
    expect(local).toEqual(['centos:4', 'centos:5', 'centos:6', 'centos:7']);
    expect(all.filter((d) => d.distro === 'centos' && d.repos.some((r) => (r.gpgkey ?? []).some((k) => k.includes('://')))).every((d) => d.release.startsWith('8'))).toBe(true);
  });
});
