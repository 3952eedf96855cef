// Image spec parsing: every option, line:col errors, and agreement with schema.json.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_KEYS, SPEC_KEYS, parseImageSpec } from '../../src/assemble/spec/index.js';

const FULL = `# a CentOS 4 image for CI
distro: centos:4.9
arch: i386
packages: [httpd, mod_ssl]
exclude: kernel*
repos:
  mirror: http://mirror.example/centos/
  repofrompath:
    - local,file:///srv/repo
    - { id: extra, url: ./extra-repo }
  files: [extra.repo]
  enable: [extras]
  disable: updates
profiles: [init]
users: ["ci:1000", { name: build, uid: 1001 }]
files:
  - ./motd:/etc/motd
  - { src: /abs/x, dest: /etc/x }
env: { LANG: C, TZ: UTC }
cmd: [/sbin/my_init, --, httpd, -DFOREGROUND]
entrypoint: echo hi
labels: { org.opencontainers.image.title: c4, version: 1 }
output: { path: out/c4.tar, format: oci-archive }
nodocs: true
install-langs: "en:fr"
weak-deps: false
gpgcheck: true
gpgkey: [keys/RPM-GPG-KEY-local, "https://keys.example/RPM-GPG-KEY"]
strict-scriptlets: true
repo-rewrite: false
rpmdb: bdb-hash-v8
lockfile: c4.lock.json
sbom: c4.spdx.json
`;

function err(text: string): { code: string; subject: string; message: string } {
  try {
    parseImageSpec(text, 'image.yaml');
  } catch (e) {
    return e as { code: string; subject: string; message: string };
  }
  throw new Error('expected an error');
}

describe('parseImageSpec', () => {
  it('maps every option, resolving relative paths against the spec file', () => {
    const s = parseImageSpec(FULL, '/work/specs/image.yaml');
    expect(s).toEqual({
      fileName: '/work/specs/image.yaml', distro: 'centos:4.9', arch: 'i386', packages: ['httpd', 'mod_ssl'], exclude: ['kernel*'],
      repos: {
        mirror: 'http://mirror.example/centos/', repofrompath: [['local', 'file:///srv/repo'], ['extra', '/work/specs/extra-repo']],
        files: ['/work/specs/extra.repo'], enable: ['extras'], disable: ['updates'],
      },
      profiles: ['init'], users: [{ name: 'ci', uid: 1000 }, { name: 'build', uid: 1001 }],
      files: [{ src: '/work/specs/motd', dest: '/etc/motd' }, { src: '/abs/x', dest: '/etc/x' }],
      env: ['LANG=C', 'TZ=UTC'], cmd: ['/sbin/my_init', '--', 'httpd', '-DFOREGROUND'], entrypoint: ['/bin/sh', '-c', 'echo hi'],
      labels: { 'org.opencontainers.image.title': 'c4', version: '1' },
      output: { path: '/work/specs/out/c4.tar', format: 'oci-archive' },
      nodocs: true, installLangs: ['en', 'fr'], weakDeps: false, gpgcheck: true,
      gpgkey: ['/work/specs/keys/RPM-GPG-KEY-local', 'https://keys.example/RPM-GPG-KEY'], strictScriptlets: true, repoRewrite: false,
      rpmdb: 'bdb-hash-v8', lockfile: '/work/specs/c4.lock.json', sbom: '/work/specs/c4.spdx.json',
    });
  });
  it('accepts JSON too', () => {
    expect(parseImageSpec('{"distro": "centos:7", "packages": ["vim"]}', 'i.json')).toMatchObject({ distro: 'centos:7', packages: ['vim'] });
  });
  it.each([
    ['distro: centos:4.9\npakages: [x]\n', 'image.yaml:2:1', "unknown key 'pakages'"],
    ['distro: centos:4.9\nstrict_scriptlets: yes\n', 'image.yaml:2:1', "did you mean 'strict-scriptlets'"],
    ['distro: centos:4.9\nnodocs: "yes"\n', 'image.yaml:2:9', 'nodocs must be true or false'],
    ['distro: centos:4.9\nusers:\n  - ci:1000\n  - { name: x, uid: -1 }\n', 'image.yaml:4:21', 'uid must be a non-negative integer'],
    ['distro: centos:4.9\noutput: { path: a.tar, format: zip }\n', 'image.yaml:2:32', 'output.format must be one of'],
    ['distro: centos:4.9\nfiles: [motd]\n', 'image.yaml:2:9', 'must be SRC:DEST'],
    ['distro: centos\n', 'image.yaml:1:9', 'distro must look like centos:4.9'],
    ['packages: [x]\n', 'image.yaml:1:1', 'name a distro'],
    ['distro: centos:7\ndistro: centos:8\n', 'image.yaml:2:1', 'Map keys must be unique'],
    ['distro: [centos:7\n', 'image.yaml:2:1', ''],
    ['distro: centos:7\nenv: [FOO]\n', 'image.yaml:2:7', 'KEY=VALUE'],
  ])('%j -> %s', (text, where, msg) => {
    const e = err(text);
    expect(e.code).toBe('RFS_BAD_CONFIG');
    expect(e.subject).toBe(where);
    expect(e.message).toContain(msg);
  });
});

describe('schema.json', () => {
  const schema = JSON.parse(readFileSync(resolve(__dirname, '../../src/assemble/spec/schema.json'), 'utf8')) as {
    properties: Record<string, { properties?: Record<string, unknown> }>;
  };
  it('names exactly the keys the parser accepts', () => {
    expect(Object.keys(schema.properties).sort()).toEqual([...SPEC_KEYS].sort());
    expect(Object.keys(schema.properties.repos!.properties!).sort()).toEqual([...REPO_KEYS].sort());
  });
});
