// Image spec parsing: every option, line:col errors, and agreement with schema.json.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAssembleArgs } from '../../src/cli/commands/assemble.js';
import { DEPRECATED_KEYS, DEPRECATED_REPO_KEYS, SPEC_KEYS, parseImageSpec } from '../../src/assemble/spec/index.js';

const FULL = `# a CentOS 4 image for CI
distro: centos:4.9
arch: i386
packages: [httpd, mod_ssl]
exclude: kernel*
mirror: http://mirror.example/centos/
repofrompath:
  - local,file:///srv/repo
  - { id: extra, url: ./extra-repo }
repo-file: [extra.repo]
enablerepo: [extras]
disablerepo: updates
profile: [init]
user: ["ci:1000", { name: build, uid: 1001 }]
add-file:
  - ./motd:/etc/motd
  - { src: /abs/x, dest: /etc/x }
env: { LANG: C, TZ: UTC }
cmd: [/sbin/my_init, --, httpd, -DFOREGROUND]
entrypoint: echo hi
label: [org.opencontainers.image.title=c4, version=1]
output: out/c4.tar
format: oci-archive
nodocs: true
install-langs: "en:fr"
weak-deps: false
gpgcheck: true
gpgkey: [keys/RPM-GPG-KEY-local, "https://keys.example/RPM-GPG-KEY"]
strict-scriptlets: true
repo-rewrite: false
rpmdb: bdb-hash-v8
rpmdb-path: /usr/lib/sysimage/rpm
clamp-mtime: true
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
      rpmdb: 'bdb-hash-v8', rpmdbPath: '/usr/lib/sysimage/rpm', clampMtime: true, lockfile: '/work/specs/c4.lock.json', sbom: '/work/specs/c4.spdx.json',
    });
  });
  it('add-file takes an optional octal mode, as SRC:DEST:MODE or a mode key; the CLI the same', () => {
    const s = parseImageSpec('distro: centos:4.9\nadd-file:\n  - ./run.sh:/etc/service/app/run:0755\n  - { src: x, dest: /etc/x, mode: "0600" }\n  - ./a:b:/etc/a\n', '/s/i.yaml');
    expect(s.files).toEqual([{ src: '/s/run.sh', dest: '/etc/service/app/run', mode: 0o755 }, { src: '/s/x', dest: '/etc/x', mode: 0o600 }, { src: '/s/a:b', dest: '/etc/a' }]);
    expect(() => parseImageSpec('distro: centos:4.9\nadd-file: [{ src: x, dest: /etc/x, mode: "rwx" }]\n', '/s/i.yaml')).toThrow(/mode must be octal/);
    expect(parseAssembleArgs(['centos:4.9', '--add-file', '/h/run:/etc/service/app/run:0750', '--add-file', '/h/motd:/etc/motd'], {}).addFiles)
      .toEqual([{ src: '/h/run', dest: '/etc/service/app/run', mode: 0o750 }, { src: '/h/motd', dest: '/etc/motd' }]);
    expect(() => parseAssembleArgs(['centos:4.9', '--add-file', '/h/run:etc/run'], {})).toThrow(expect.objectContaining({ code: 'RFS_USAGE' }));
    expect(() => parseAssembleArgs(['centos:4.9', '--add-file', '/h/run:/etc/run:0999'], {})).toThrow(expect.objectContaining({ code: 'RFS_USAGE' }));
  });
  it('accepts JSON too', () => {
    expect(parseImageSpec('{"distro": "centos:7", "packages": ["vim"]}', 'i.json')).toMatchObject({ distro: 'centos:7', packages: ['vim'] });
  });
  it.each([
    ['distro: centos:4.9\npakages: [x]\n', 'image.yaml:2:1', "unknown key 'pakages'"],
    ['distro: centos:4.9\nstrict_scriptlets: yes\n', 'image.yaml:2:1', "did you mean 'strict-scriptlets'"],
    ['distro: centos:4.9\nnodocs: "yes"\n', 'image.yaml:2:9', 'nodocs must be true or false'],
    ['distro: centos:4.9\nuser:\n  - ci:1000\n  - { name: x, uid: -1 }\n', 'image.yaml:4:21', 'uid must be a non-negative integer'],
    ['distro: centos:4.9\noutput: { path: a.tar, format: zip }\n', 'image.yaml:2:32', 'output.format must be one of'],
    ['distro: centos:4.9\noutput: a.tar\nformat: oci-arhive\n', 'image.yaml:3:9', "did you mean 'oci-archive'"],
    ['distro: centos:4.9\nformat: oci\n', 'image.yaml:1:1', "'format' needs 'output'"],
    ['distro: centos:4.9\nprofiles: [init]\nprofile: [minimal]\n', 'image.yaml:3:1', "sets the same option as 'profiles' at image.yaml:2:1"],
    ['distro: centos:4.9\ngpgcheck: true\nnogpgcheck: true\n', 'image.yaml:3:1', "'nogpgcheck' sets the same option as 'gpgcheck'"],
    ['distro: centos:4.9\nrepos: { mirrr: x }\n', 'image.yaml:2:10', "unknown key 'mirrr' (did you mean 'mirror'?)"],
    ['distro: centos:4.9\nprofle: init\n', 'image.yaml:2:1', "did you mean 'profile'"],
    ['distro: centos:4.9\nlabls: [a=b]\n', 'image.yaml:2:1', "did you mean 'label'"],
    ['distro: centos:4.9\nenablrepo: x\n', 'image.yaml:2:1', "did you mean 'enablerepo'"],
    ['distro: centos:4.9\nweird-thing: 1\n', 'image.yaml:2:1', "unknown key 'weird-thing'"],
    ['distro: centos:4.9\nadd-file: [motd]\n', 'image.yaml:2:12', 'must be SRC:DEST'],
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

describe('older key spellings', () => {
  const OLD = `distro: centos:4.9
repos:
  mirror: http://mirror.example/centos/
  files: [extra.repo]
  enable: [extras]
  disable: updates
profiles: [init]
users: ["ci:1000"]
files: [./motd:/etc/motd]
labels: { version: 1 }
output: { path: c4.tar, format: oci-archive }
`;
  const NEW = `distro: centos:4.9
mirror: http://mirror.example/centos/
repo-file: [extra.repo]
enablerepo: [extras]
disablerepo: updates
profile: [init]
user: ["ci:1000"]
add-file: [./motd:/etc/motd]
label: { version: 1 }
output: c4.tar
format: oci-archive
`;
  it('mean what the flag names mean, each with a deprecation warning at its line', () => {
    const old = parseImageSpec(OLD, '/s/image.yaml');
    const { warnings, ...rest } = old;
    expect(rest).toEqual(parseImageSpec(NEW, '/s/image.yaml'));
    expect(parseImageSpec(NEW, '/s/image.yaml').warnings).toBeUndefined();
    expect(warnings?.map((w) => w.message)).toEqual([
      "/s/image.yaml:3:3: 'repos.mirror' is deprecated: write 'mirror' at the top level",
      "/s/image.yaml:4:3: 'repos.files' is deprecated: write 'repo-file' at the top level",
      "/s/image.yaml:5:3: 'repos.enable' is deprecated: write 'enablerepo' at the top level",
      "/s/image.yaml:6:3: 'repos.disable' is deprecated: write 'disablerepo' at the top level",
      "/s/image.yaml:7:1: 'profiles' is deprecated: write 'profile'",
      "/s/image.yaml:8:1: 'users' is deprecated: write 'user'",
      "/s/image.yaml:9:1: 'files' is deprecated: write 'add-file'",
      "/s/image.yaml:10:1: 'labels' is deprecated: write 'label'",
      "/s/image.yaml:11:9: 'output: { path, format }' is deprecated: write 'output: PATH' and 'format: FMT'",
    ]);
    expect(warnings?.[0]?.subject).toBe('/s/image.yaml:3:3');
  });
  it('an old and a new spelling of one option together are an error', () => {
    expect(err('distro: centos:4.9\nmirror: a\nrepos: { mirror: b }\n').message).toContain("'repos.mirror' sets the same option as 'mirror' at image.yaml:2:1");
  });
  it('repo-file or repofrompath stand in for a distro', () => {
    expect(parseImageSpec('repo-file: x.repo\n', '/s/i.yaml').repos).toEqual({ files: ['/s/x.repo'] });
  });
});

describe('all problems at once', () => {
  it('lists every bad key and value of a file, in file order, with file:line:col', () => {
    const e = err(`distro: centos\nprofle: init\nnodocs: "yes"\nuser: [ci, "ok:1", { name: x, uid: -1 }]\nrepos: { enable: x, mirrr: y }\nrpmdb: sqlit\n`);
    expect(e.subject).toBe('image.yaml:1:9');
    expect(e.message.split('\n')).toEqual([
      'reading image spec: 7 problems:',
      "  image.yaml:1:9: distro must look like centos:4.9, got 'centos'",
      "  image.yaml:2:1: unknown key 'profle' (did you mean 'profile'?)",
      '  image.yaml:3:9: nodocs must be true or false',
      '  image.yaml:4:8: user[0] must be NAME:UID',
      '  image.yaml:4:36: uid must be a non-negative integer',
      "  image.yaml:5:21: unknown key 'mirrr' (did you mean 'mirror'?)",
      "  image.yaml:6:8: rpmdb must be one of bdb-hash-v8, bdb-hash-v9, sqlite, ndb (did you mean 'sqlite'?)",
    ]);
  });
  it('reports every YAML syntax error too', () => {
    const e = err('distro: centos:7\ndistro: centos:8\nprofile: a\nprofile: b\n');
    expect(e.message).toContain('2 problems');
    expect(e.message).toContain('image.yaml:2:1');
    expect(e.message).toContain('image.yaml:4:1');
  });
  it('suggests nothing for a word far from every key', () => {
    expect(err('distro: centos:7\nweird-thing: 1\n').message).not.toContain('did you mean');
  });
});

describe('schema.json', () => {
  const schema = JSON.parse(readFileSync(resolve(__dirname, '../../src/assemble/spec/schema.json'), 'utf8')) as {
    properties: Record<string, { deprecated?: boolean; properties?: Record<string, unknown> }>;
  };
  it('names exactly the keys the parser accepts, the older spellings marked deprecated', () => {
    const current = Object.entries(schema.properties).filter(([, v]) => !v.deprecated).map(([k]) => k);
    const old = Object.entries(schema.properties).filter(([, v]) => v.deprecated).map(([k]) => k);
    expect(current.sort()).toEqual([...SPEC_KEYS].sort());
    expect(old.sort()).toEqual([...Object.keys(DEPRECATED_KEYS), 'repos'].sort());
    expect(Object.keys(schema.properties.repos!.properties!).sort()).toEqual(Object.keys(DEPRECATED_REPO_KEYS).sort());
  });
  it('every key but the positionals is a long flag of the build command', () => {
    const unknown = (k: string): string | undefined => {
      try {
        parseAssembleArgs([`--${k}`], {});
      } catch (e) {
        // a flag that wants a value says so; only a flag that does not exist is 'unknown option'
        if (e instanceof Error && /unknown option/i.test(e.message)) return k;
      }
      return undefined;
    };
    expect(unknown('profiles')).toBe('profiles'); // the check can fail
    expect(SPEC_KEYS.filter((k) => k !== 'distro' && k !== 'packages').map(unknown).filter(Boolean)).toEqual([]);
  });
});

describe('dnf solver options', () => {
  it('setopt, skip-broken, best/nobest and module map onto the build options', async () => {
    const { specToOptions } = await import('../../src/assemble/spec-options.js');
    const s = parseImageSpec('distro: centos:8\nsetopt: [install_weak_deps=0, "appstream.priority=10"]\nskip-broken: true\nnobest: true\nmodule: [nodejs:18]\n', 'i.yaml');
    expect(specToOptions(s)).toMatchObject({ setopt: ['install_weak_deps=0', 'appstream.priority=10'], skipBroken: true, best: false, modules: ['nodejs:18'] });
    expect(specToOptions(parseImageSpec('distro: centos:8\nbest: true\n', 'i.yaml')).best).toBe(true);
  });
  it.each([
    ['distro: centos:8\nsetopt: [instal_weak_deps=0]\n', 'image.yaml:2:9', 'did you mean install_weak_deps?'],
    ['distro: centos:8\nmodule: [nodejs:18, nodejs:20]\n', 'image.yaml:2:9', 'two streams of module nodejs'],
    ['distro: centos:8\nbest: true\nnobest: true\n', 'image.yaml:3:1', "'nobest' sets the same option as 'best'"],
  ])('%j -> %s', (text, where, msg) => {
    const e = err(text);
    expect(e.code).toBe('RFS_BAD_CONFIG');
    expect(e.subject).toBe(where);
    expect(e.message).toContain(msg);
  });
});
