// The one set of path rules (src/rpm/paths.ts) the payload reader enforces and inspect reports.
import { describe, expect, it } from 'vitest';
import {
  archiveKey, archiveNameProblem, headerPathProblem, openRpm, symlinkTargetProblem,
} from '../../src/rpm/index.js';
import { isRfsError } from '../../src/errors/index.js';
import { craftRpm } from './craft.js';

const long = (n: number): string => 'a'.repeat(n);

describe('header paths', () => {
  it.each([
    ['/../../etc/x', 'unsafe', 'escapes / after normalisation'],
    ['/usr/../../etc/x', 'unsafe', 'escapes / after normalisation'],
    ['/usr/lib/../bin/x', 'unsafe', "'..' segment"],
    ['', 'unsafe', 'empty name'],
    ['/usr/bin/a\nb', 'unsafe', 'control character in name'],
    ['/usr/bin/\x1b[2J', 'unsafe', 'control character in name'],
    ['/usr/bin/x\x7f', 'unsafe', 'control character in name'],
    [`/usr/${long(256)}`, 'unsafe', 'path component longer than 255 characters'],
    [`/${long(200)}/`.repeat(21), 'unsafe', 'name longer than 4096 characters'],
    ['usr/bin/x', 'odd', 'relative path in the header'],
    ['/usr/./bin/x', 'odd', "not normalised ('.', '//' or trailing '/')"],
    ['/usr//bin/x', 'odd', "not normalised ('.', '//' or trailing '/')"],
    ['/usr/bin/', 'odd', "not normalised ('.', '//' or trailing '/')"],
    ['/', 'odd', 'the root directory itself'],
  ])('%j: %s (%s)', (path, severity, reason) => {
    expect(headerPathProblem(path)).toEqual({ severity, reason });
  });

  it.each(['/usr/bin/ls', '/usr/share/doc/a b/ü…', '/etc/..hidden', '/opt/x..y', `/usr/${long(255)}`])('%j is fine', (path) => {
    expect(headerPathProblem(path)).toBeNull();
  });

  it('source packages list bare file names', () => {
    expect(headerPathProblem('hello-2.0.tar.gz', { source: true })).toBeNull();
    expect(headerPathProblem('../hello.spec', { source: true })?.severity).toBe('unsafe');
  });
});

describe('archive names', () => {
  it.each([
    ['../x', 'unsafe'],
    ['./../x', 'unsafe'],
    ['/etc/passwd', 'unsafe'],
    ['.//etc/passwd', 'unsafe'],
    ['./', 'unsafe'],
    ['', 'unsafe'],
    ['./usr/bin/\x1b]0;t\x07', 'unsafe'],
    ['./usr/./bin/x', 'odd'],
    ['./usr//bin/x', 'odd'],
    ['.', 'odd'],
  ])('%j is %s', (name, severity) => {
    expect(archiveNameProblem(name)?.severity).toBe(severity);
  });

  it.each(['./usr/bin/x', 'usr/bin/x', './etc/..hidden'])('%j is fine', (name) => {
    expect(archiveNameProblem(name)).toBeNull();
  });

  it('the payload reader refuses exactly the unsafe ones, with the name escaped', () => {
    expect(archiveKey('./usr/bin/x', 's')).toBe('usr/bin/x');
    try {
      archiveKey('./a/\x1b[31m/../../../x', 's');
      expect.unreachable();
    } catch (e) {
      expect(isRfsError(e) && e.code).toBe('RFS_UNSAFE_PATH');
      expect(String((e as Error).message)).toContain('\\x1b[31m');
      expect(String((e as Error).message)).not.toContain('\x1b');
    }
  });
});

describe('symlink targets', () => {
  it.each([
    ['/usr/lib/x', '../../../etc/shadow', "relative symlink target climbs above / with '..'"],
    ['/usr/lib/x', '', 'symlink with an empty target'],
    ['/usr/lib/x', 'a\nb', 'control character in symlink target'],
  ])('%s -> %j: %s', (path, target, reason) => {
    expect(symlinkTargetProblem(path, target)).toEqual({ severity: 'odd', reason });
  });

  it.each([['/usr/lib/x', '../bin/y'], ['/bin', 'usr/bin'], ['/etc/localtime', '/usr/share/zoneinfo/UTC']])('%s -> %s is fine', (p, t) => {
    expect(symlinkTargetProblem(p, t)).toBeNull();
  });
});

describe('the unpacker (payload entries) applies the same rules to header paths', () => {
  const entries = async (bytes: Uint8Array): Promise<string> => {
    try {
      const pkg = await openRpm(bytes);
      for await (const e of pkg.entries()) for await (const _ of e.content);
      return 'ok';
    } catch (e) {
      return isRfsError(e) ? `${e.code}: ${e.message}` : String(e);
    }
  };

  it('a clean crafted package unpacks', async () => {
    expect(await entries(craftRpm({ files: [{ path: '/usr/bin/x', content: 'hi' }, { path: '/usr/bin/y', linkTo: 'x' }] }))).toBe('ok');
  });

  it.each([
    ['/../../etc/x', 'escapes / after normalisation'],
    ['/usr/bin/a\x1b[2Jb', 'control character in name'],
    [`/usr/${long(300)}`, 'path component longer than 255'],
  ])('header path %j is refused', async (path, reason) => {
    const r = await entries(craftRpm({ files: [{ path, content: 'x' }] }));
    expect(r).toMatch(/^RFS_UNSAFE_PATH: /);
    expect(r).toContain(reason);
    expect(r).not.toContain('\x1b');
  });

  it('an odd (unnormalised) header path is not refused', async () => {
    expect(await entries(craftRpm({ files: [{ path: '/usr//bin/x', content: 'x' }] }))).toBe('ok');
  });
});
