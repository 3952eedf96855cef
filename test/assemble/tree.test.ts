import { describe, expect, it } from 'vitest';
import { ImageTree, normalizePath } from '../../src/assemble/tree.js';

describe('ImageTree', () => {
  it('creates parents and walks parents before children in byte order', () => {
    const t = new ImageTree(0);
    t.writeFile('/usr/bin/b', 'b');
    t.writeFile('/usr/bin/a', 'a');
    t.writeFile('/etc/passwd', 'root:x:0:0::/root:/bin/sh\n');
    t.mkdir('/usr/bin/A');
    expect([...t.walk()].map(([p]) => p)).toEqual(['/etc', '/etc/passwd', '/usr', '/usr/bin', '/usr/bin/A', '/usr/bin/a', '/usr/bin/b']);
  });

  it('resolves parent symlinks inside the root, as rpm installs through /lib -> usr/lib', () => {
    const t = new ImageTree(0);
    t.mkdir('/usr/lib');
    t.symlink('usr/lib', '/lib');
    t.writeFile('/lib/libc.so.6', 'x');
    expect(t.exists('/usr/lib/libc.so.6')).toBe(true);
    expect(t.list('/lib')).toEqual(['libc.so.6']);
    // a symlink that climbs above / stays confined to the image
    t.symlink('../../../../etc', '/usr/evil');
    t.writeFile('/usr/evil/x', 'y');
    expect(t.exists('/etc/x')).toBe(true);
  });

  it('follows a link before the `..` after it, as the kernel does (checked against a chroot in image-path.test.ts)', () => {
    const t = new ImageTree(0);
    t.mkdir('/opt/real/dir');
    t.symlink('/opt/real/dir', '/etc/alt');
    t.writeFile('/etc/alt/../file', 'x');
    expect(t.exists('/opt/real/file')).toBe(true);
    expect(t.exists('/etc/file')).toBe(false);
    // inside a link's target too: lib/../usr/share with lib -> usr/lib64 climbs from /usr/lib64,
    // so it is /usr/usr/share (what a real directory tree gives), not /usr/share
    t.mkdir('/usr/lib64');
    t.mkdir('/usr/usr/share');
    t.symlink('usr/lib64', '/lib');
    t.symlink('lib/../usr/share', '/data');
    expect(t.resolveParent('/data/y')).toBe('/usr/usr/share/y');
  });

  it('rejects paths that escape the root and symlink loops', () => {
    expect(() => normalizePath('../etc/passwd')).toThrow(/escapes/);
    const t = new ImageTree(0);
    t.symlink('/b', '/a');
    t.symlink('/a', '/b');
    expect(() => t.writeFile('/a/x', '')).toThrow(/too many levels/);
  });

  it('keeps owner and mode when content is replaced, and removes recursively', () => {
    const t = new ImageTree(0);
    t.writeFile('/etc/shadow', 'root:!!:::::::\n', { mode: 0o400, user: 'root', group: 'root' });
    t.writeFile('/etc/shadow', 'root:!!:1:::::::\n');
    expect(t.lstat('/etc/shadow')).toMatchObject({ type: 'file', mode: 0o400 });
    expect(new TextDecoder().decode(t.readFile('/etc/shadow'))).toBe('root:!!:1:::::::\n');
    t.remove('/etc');
    expect(t.exists('/etc/shadow')).toBe(false);
    expect(t.list('/')).toEqual([]);
  });
});

describe('ImageTree.mkdir', () => {
  it('follows an existing symlink to a directory (/var/lib/rpm -> ../../usr/lib/sysimage/rpm)', () => {
    const t = new ImageTree(0);
    t.mkdir('/usr/lib/sysimage/rpm');
    t.symlink('../../usr/lib/sysimage/rpm', '/var/lib/rpm');
    t.mkdir('/var/lib/rpm');
    t.writeFile('/var/lib/rpm/rpmdb.sqlite', 'x');
    expect(t.lstat('/var/lib/rpm')?.type).toBe('symlink');
    expect(t.list('/usr/lib/sysimage/rpm')).toEqual(['rpmdb.sqlite']);
  });
});
