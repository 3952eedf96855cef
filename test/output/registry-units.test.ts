// The registry push's pure parts: references as docker reads them, auth file lookup as
// containers-auth.json(5) describes it, and WWW-Authenticate parsing.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseChallenge, registryErrors } from '../../src/assemble/output/registry/client.js';
import { findCredentials } from '../../src/assemble/output/registry/credentials.js';
import { parseImageReference } from '../../src/assemble/output/registry/reference.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('parseImageReference', () => {
  it.each([
    ['localhost:5000/app', { registry: 'localhost:5000', repository: 'app', tag: 'latest' }],
    ['docker://registry.example.com/team/app:1.0', { registry: 'registry.example.com', apiHost: 'registry.example.com', repository: 'team/app', tag: '1.0' }],
    ['localhost/app:v2', { registry: 'localhost', repository: 'app', tag: 'v2' }],
    ['ubuntu', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/ubuntu', tag: 'latest' }],
    ['team/app:x', { registry: 'docker.io', repository: 'team/app', tag: 'x' }],
  ])('%s', (input, want) => {
    expect(parseImageReference(input)).toMatchObject(want);
  });
  it.each(['reg.io/App:1', 'reg.io/app@sha256:abc', 'reg.io/app:bad tag', 'reg.io/', 'reg.io/a//b'])('%s is RFS_USAGE', (input) => {
    expect(() => parseImageReference(input)).toThrow(expect.objectContaining({ code: 'RFS_USAGE' }));
  });
});

describe('findCredentials', () => {
  const tmp = tempDir('rfs-authfile-');
  afterAll(() => tmp.cleanup());
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const write = (rel: string, v: unknown): string => {
    const f = join(tmp.dir, rel);
    mkdirSync(join(f, '..'), { recursive: true });
    writeFileSync(f, JSON.stringify(v));
    return f;
  };
  const ref = parseImageReference('reg.example:5000/team/app:1');

  it('the most specific key wins; scheme and trailing /v1/ are ignored', () => {
    const f = write('a.json', { auths: { 'https://reg.example:5000/v1/': { auth: b64('host:pw') }, 'reg.example:5000/team': { auth: b64('team:pw:with:colons') } } });
    expect(findCredentials(ref, {}, f).credentials).toMatchObject({ username: 'team', password: 'pw:with:colons', source: f });
    expect(findCredentials(parseImageReference('reg.example:5000/other/app'), {}, f).credentials?.username).toBe('host');
  });
  it('$REGISTRY_AUTH_FILE alone when set; else XDG_RUNTIME_DIR then ~/.docker/config.json', () => {
    const home = join(tmp.dir, 'home');
    const run = join(tmp.dir, 'run');
    write('home/.docker/config.json', { auths: { 'reg.example:5000': { auth: b64('docker:1') } } });
    expect(findCredentials(ref, { HOME: home }).credentials?.username).toBe('docker');
    write('run/containers/auth.json', { auths: { 'reg.example:5000': { auth: b64('podman:1') } } });
    expect(findCredentials(ref, { HOME: home, XDG_RUNTIME_DIR: run }).credentials?.username).toBe('podman');
    const only = write('only.json', { auths: {} });
    expect(findCredentials(ref, { HOME: home, XDG_RUNTIME_DIR: run, REGISTRY_AUTH_FILE: only })).toEqual({});
    expect(() => findCredentials(ref, { REGISTRY_AUTH_FILE: join(tmp.dir, 'missing.json') })).toThrow(expect.objectContaining({ code: 'RFS_BAD_CONFIG' }));
  });
  it('a credential helper is noticed (not run), and Docker Hub keys match docker.io', () => {
    const f = write('h.json', { credHelpers: { 'reg.example:5000': 'ecr-login' } });
    expect(findCredentials(ref, {}, f)).toEqual({ helperIn: f });
    const hub = write('hub.json', { auths: { 'https://index.docker.io/v1/': { auth: b64('hub:pw') } } });
    expect(findCredentials(parseImageReference('team/app'), {}, hub).credentials?.username).toBe('hub');
  });
  it('an entry that is not base64 user:password is RFS_BAD_CONFIG', () => {
    const f = write('bad.json', { auths: { 'reg.example:5000': { auth: b64('nocolon') } } });
    expect(() => findCredentials(ref, {}, f)).toThrow(expect.objectContaining({ code: 'RFS_BAD_CONFIG' }));
  });
});

describe('WWW-Authenticate and error bodies', () => {
  it('parses a bearer challenge with a quoted comma', () => {
    expect(parseChallenge('Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull,push"')).toEqual({
      scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'reg', scope: 'repository:a/b:pull,push' },
    });
    expect(parseChallenge('Basic realm=x').scheme).toBe('basic');
  });
  it('escapes what the registry says', () => {
    expect(registryErrors('{"errors":[{"code":"DENIED","message":"no\\u001b[31m"}]}')).toBe('DENIED: no\\x1b[31m');
    expect(registryErrors('<html>oops</html>')).toBe('<html>oops</html>');
  });
});

describe('the build command line', () => {
  it('--push alone, with --format oci, and against -o or another format', async () => {
    const { parseAssembleArgs } = await import('../../src/cli/commands/assemble.js');
    expect(parseAssembleArgs(['centos:7', '--push', 'reg.io/a:1', '--tls-verify=false', '--cert-dir', 'd', '--authfile', 'f', '--digest-file', 'x'], {}))
      .toMatchObject({ push: 'reg.io/a:1', tlsVerify: false, certDir: 'd', authFile: 'f', digestFile: 'x' });
    expect(parseAssembleArgs(['centos:7', '--push', 'reg.io/a:1', '--format', 'oci'], {}).output).toBeUndefined();
    expect(() => parseAssembleArgs(['centos:7', '--push', 'reg.io/a:1', '--format', 'tar'], {})).toThrow(expect.objectContaining({ code: 'RFS_USAGE' }));
    expect(() => parseAssembleArgs(['centos:7', '--tls-verify=no'], {})).toThrow(expect.objectContaining({ code: 'RFS_USAGE' }));
    const { pushTargetOf } = await import('../../src/assemble/push-step.js');
    expect(() => pushTargetOf({ push: 'reg.io/a:1', output: { path: 'x.tar' } })).toThrow(/either pushes or writes a file/);
    expect(pushTargetOf({ output: { path: 'docker://reg.io/a:1' } })).toMatchObject({ registry: 'reg.io', repository: 'a', tag: '1' });
    expect(() => pushTargetOf({ output: { path: 'x.tar' }, digestFile: 'd' })).toThrow(/has no image digest/);
    expect(pushTargetOf({ output: { path: 'x', format: 'oci' }, digestFile: 'd' })).toBeUndefined();
  });
});

describe('image spec keys', () => {
  it('push, tls-verify, cert-dir, authfile, digest-file map onto the build options (paths from the spec folder)', async () => {
    const { parseImageSpec } = await import('../../src/assemble/spec/index.js');
    const { specToOptions } = await import('../../src/assemble/spec-options.js');
    const o = specToOptions(parseImageSpec('distro: centos:7\npush: reg.io/a:1\ntls-verify: false\ncert-dir: certs\nauthfile: auth.json\ndigest-file: out.digest\n', '/specs/image.yaml'));
    expect(o).toMatchObject({ push: 'reg.io/a:1', tlsVerify: false, certDir: '/specs/certs', authFile: '/specs/auth.json', digestFile: '/specs/out.digest' });
  });
});
