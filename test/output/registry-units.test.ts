// The registry push's pure parts: references as docker reads them, auth file lookup as
// containers-auth.json(5) describes it, and WWW-Authenticate parsing (RFC 7235).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseChallenges } from '../../src/assemble/output/registry/challenge.js';
import { registryErrors } from '../../src/assemble/output/registry/client.js';
import { findCredentials } from '../../src/assemble/output/registry/credentials.js';
import { parseImageReference, referenceText } from '../../src/assemble/output/registry/reference.js';
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
  it.each([
    ['[::1]:5000/app', '[::1]:5000'],
    ['Registry.Example.com/app', 'Registry.Example.com'],
    ['Upper/app', 'Upper'], // docker: a first component with upper case is a host
    ['my-reg.example:443/team/app', 'my-reg.example:443'],
  ])('%s has the host %s', (input, registry) => {
    expect(parseImageReference(input).registry).toBe(registry);
  });
  // the host names a certs.d folder (/etc/containers/certs.d/HOST) and goes into URLs and hints
  it.each([
    ['../../etc/app', /'\.\.' is not a registry host/],
    ['../app', /is not a registry host/],
    ['a..b/app', /is not a registry host/],
    ['.reg.io/app', /is not a registry host/],
    ['-reg.io/app', /is not a registry host/],
    ['reg-.io/app', /is not a registry host/],
    ['reg.io:/app', /is not a registry host/],
    ['reg.io:50x0/app', /is not a registry host/],
    ['reg.io:5000:1/app', /is not a registry host/],
    ['reg_io.example/app', /is not a registry host/],
    ['reg.io:0/app', /port 0 is not 1 to 65535/],
    ['reg.io:65536/app', /port 65536 is not 1 to 65535/],
    ['[::1/app', /is not a registry host/],
    ['ev\u001b[31mil.io/app', /is not a registry host/],
    ['reg.io/app@sha256:zz', /'sha256:zz' is not a digest/],
    [`reg.io/app@sha256:${'a'.repeat(64)}`, /a digest reference cannot be pushed to/],
    [`reg.io/${'a'.repeat(250)}`, /longer than 255 characters/],
    [`reg.io/${'a/'.repeat(600)}a`, /longer than 1024 characters/],
  ])('%s is refused: %s', (input, why) => {
    expect(() => parseImageReference(input)).toThrow(expect.objectContaining({ code: 'RFS_USAGE', message: expect.stringMatching(why) }));
  });
  it('a pull takes REPO[:TAG]@sha256:HEX; other digests are refused', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    expect(parseImageReference(`reg.io/team/app:1@${d}`, { pull: true })).toEqual({ registry: 'reg.io', apiHost: 'reg.io', repository: 'team/app', tag: '1', digest: d });
    expect(referenceText(parseImageReference(`docker://reg.io/app@${d}`, { pull: true }))).toBe(`reg.io/app@${d}`);
    expect(parseImageReference('reg.io/app:2', { pull: true })).not.toHaveProperty('digest');
    expect(() => parseImageReference(`reg.io/app@sha512:${'a'.repeat(128)}`, { pull: true })).toThrow(/is not a sha256 digest/);
    expect(() => parseImageReference(`reg.io/app@sha256:${'A'.repeat(64)}`, { pull: true })).toThrow(/is not a sha256 digest/);
  });
  it('a refused reference is escaped in the message', () => {
    let message = '';
    try { parseImageReference('ev\u001b[31mil.io/app'); } catch (e) { message = (e as Error).message; }
    expect(message).not.toContain('\u001b');
    expect(message).toContain('\\x1b[31m');
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
    expect(parseChallenges('Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull,push"')).toEqual([{
      scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'reg', scope: 'repository:a/b:pull,push' },
    }]);
    expect(parseChallenges('Basic realm=x')[0]?.scheme).toBe('basic');
  });
  it('several challenges in one header, quoted-pair escapes, spaces around =, repeated and odd parameters', () => {
    expect(parseChallenges('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"')).toEqual([
      { scheme: 'newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
      { scheme: 'basic', params: { realm: 'simple' } },
    ]);
    expect(parseChallenges('BEARER  Realm = "a\\\\b" , realm="second", service=reg')).toEqual([{ scheme: 'bearer', params: { realm: 'a\\b', service: 'reg' } }]);
    // a token68 is not a parameter and does not start a challenge; a later list element does
    expect(parseChallenges('Negotiate YII/x+y==, Bearer realm="r"')).toEqual([{ scheme: 'negotiate', params: {} }, { scheme: 'bearer', params: { realm: 'r' } }]);
    expect(parseChallenges('Bearer realm="unclosed')).toEqual([{ scheme: 'bearer', params: { realm: 'unclosed' } }]);
    expect(parseChallenges('Bearer constructor=x,__proto__=y')[0]?.params).toEqual(Object.fromEntries([['constructor', 'x'], ['__proto__', 'y']]));
    expect(parseChallenges('')).toEqual([]);
    expect(parseChallenges(' , ,"x" =')).toEqual([]);
  });
  // The parser moves its position forward on every step and never goes back, so its work is
  // linear in the header's length: 1 MiB of each shape that makes backtracking parsers quadratic
  // (the regex this replaced took minutes on the first) is parsed well within vitest's default
  // 5 s timeout, set here explicitly since the suite's is longer.
  const MIB = 1 << 20;
  it.each([
    ['a run of token characters', `Bearer ${'a'.repeat(MIB)}`],
    ['names without values', `Bearer ${'a='.repeat(MIB / 2)}`],
    ['an unclosed quote of escapes', `Bearer realm="${'\\"'.repeat(MIB / 2)}`],
    ['empty list elements', `Bearer ${', '.repeat(MIB / 2)}realm=x`],
    ['challenges without parameters', 'a,'.repeat(MIB / 2)],
    ['junk characters', `Bearer ${'/"'.repeat(MIB / 2)}`],
  ])('1 MiB of %s is parsed in linear time', (_shape, header) => {
    expect(parseChallenges(header).length).toBeGreaterThan(0);
  }, 5000);
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
