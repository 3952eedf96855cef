// resolvePath, the one symlink resolver of the scriptlet layer: loops, the hop bound, `..` past
// the root, relative and absolute targets. Each answer is also checked against the kernel: the
// same tree is written to a host directory and the path is stat(2)ed in a chroot to it
// (unshare -r), where an absolute target and `..` past the root stay inside as in the image.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ImageTree } from '../../src/assemble/tree.js';
import { emulateScriptlets } from '../../src/scriptlets/index.js';
import { MAX_SYMLINK_HOPS, resolvePath } from '../../src/scriptlets/image-path.js';
import { SDE, pkg, text } from './helpers.js';

/** path -> 'dir', file content as { text }, or a symlink target */
const SPEC: [string, 'dir' | { text: string } | string][] = [
  ['/usr', 'dir'], ['/usr/lib', 'dir'], ['/usr/share', 'dir'], ['/etc', 'dir'],
  ['/usr/share/foo', { text: 'hello\n' }], ['/etc/passwd', { text: 'root:x:0:0::/root:/bin/sh\n' }],
  ['/lib', 'usr/lib'],
  // relative to the directory the link is in after /lib -> usr/lib: /usr/share/foo, not /share/foo
  ['/usr/lib/foo', '../share/foo'],
  ['/etc/abs', '/etc/passwd'],
  ['/etc/up', '../../../../etc/passwd'],
  ['/dirlink', 'usr/share'],
  ['/loop1', 'loop2'], ['/loop2', 'loop1'], ['/self', 'self'],
  ['/dangling', '/nowhere'],
  ...Array.from({ length: MAX_SYMLINK_HOPS + 1 }, (_, i): [string, string] => [`/chain${i}`, i === MAX_SYMLINK_HOPS ? '/etc/passwd' : `chain${i + 1}`]),
];

function imageTree(): ImageTree {
  const t = new ImageTree(SDE);
  for (const [p, v] of SPEC) {
    if (v === 'dir') t.mkdir(p);
    else if (typeof v === 'string') t.symlink(v, p);
    else t.writeFile(p, v.text);
  }
  return t;
}

const host = mkdtempSync(join(tmpdir(), 'rfs-image-path-'));
afterAll(() => rmSync(host, { recursive: true, force: true }));
for (const [p, v] of SPEC) {
  if (v === 'dir') mkdirSync(join(host, p));
  else if (typeof v === 'string') symlinkSync(v, join(host, p));
  else writeFileSync(join(host, p), v.text);
}

/** per path: "same" when stat(path) in the chroot is the inode lstat(ours) names, else the errno name */
const KERNEL_CHECK = `
import errno, json, os, sys
root, pairs = sys.argv[1], json.loads(sys.argv[2])
os.chroot(root); os.chdir('/')
out = []
for p, ours in pairs:
    try: st = os.stat(p)
    except OSError as e: out.append(errno.errorcode[e.errno]); continue
    o = os.lstat(ours) if ours else None
    out.append('same' if o and (o.st_dev, o.st_ino) == (st.st_dev, st.st_ino) else 'differs')
print(json.dumps(out))
`;
const canChroot = spawnSync('unshare', ['-r', '/usr/bin/python3', '-c', `import os; os.chroot(${JSON.stringify(host)})`]).status === 0;

function kernel(pairs: [string, string | undefined][]): string[] {
  const r = spawnSync('unshare', ['-r', '/usr/bin/python3', '-c', KERNEL_CHECK, host, JSON.stringify(pairs)], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as string[];
}

const CASES: [string, string | undefined, string][] = [
  ['/lib/foo', '/usr/share/foo', 'same'],
  ['/lib/../share/foo', '/usr/share/foo', 'same'],
  ['/dirlink/../lib', '/usr/lib', 'same'],
  ['/etc/abs', '/etc/passwd', 'same'],
  ['/etc/up', '/etc/passwd', 'same'],
  ['/../../etc/passwd', '/etc/passwd', 'same'],
  ['/chain1', '/etc/passwd', 'same'],
  ['/chain0', undefined, 'ELOOP'],
  ['/loop1', undefined, 'ELOOP'],
  ['/self', undefined, 'ELOOP'],
  ['/dangling', undefined, 'ENOENT'],
  ['/missing/x', undefined, 'ENOENT'],
  ['/etc/passwd/x', undefined, 'ENOTDIR'],
];

describe('resolvePath: symlinks inside the image as the kernel follows them in a chroot', () => {
  const t = imageTree();
  it.each(CASES)('%s -> %s', (path, want) => {
    expect(resolvePath(t, path)).toBe(want);
  });
  it.skipIf(!canChroot)('the kernel agrees on every case (stat in a chroot to the same tree)', () => {
    expect(kernel(CASES.map(([p, w]) => [p, w]))).toEqual(CASES.map((c) => c[2]));
  });
  it('a missing last component is allowed when asked (open with O_CREAT): a dangling link names its target', () => {
    expect(resolvePath(t, '/dangling', { missingLast: true })).toBe('/nowhere');
    expect(resolvePath(t, '/lib/new', { missingLast: true })).toBe('/usr/lib/new');
    expect(resolvePath(t, '/missing/x', { missingLast: true })).toBeUndefined();
  });
});

describe('every scriptlet path reader follows links the same way', () => {
  it('sh test, readlink -f, grep, lua io.open, posix.access/stat/chdir see /lib/foo -> /usr/share/foo and .. after a link', () => {
    const t = imageTree();
    t.writeFile('/usr/bin/true', 'ELF', { mode: 0o755 });
    const sh = '[ -f /lib/foo ] && echo test-f >> /out\nreadlink -f /lib/foo >> /out\ngrep hello /lib/foo >> /out\n[ -e /loop1 ] || echo no-loop >> /out\n';
    const lua = 'local f = io.open("/lib/foo"); local o = io.open("/out2", "w")\n'
      + 'o:write(f:read("*l"), " ", tostring(posix.access("/lib/foo")), " ", tostring(posix.chdir("/lib/../share")), " ", posix.getcwd(), " ", tostring(io.open("/loop1")), " ", posix.stat("/lib/../share/foo", "type"), "\\n"); o:close()';
    const r = emulateScriptlets([pkg({ name: 'p', scripts: [{ kind: 'post', body: sh }, { kind: 'posttrans', body: lua, prog: ['<lua>'] }] })], t, { sourceDateEpoch: SDE });
    expect(r.skipped).toEqual([]);
    expect(text(t, '/out')).toBe('test-f\n/usr/share/foo\nhello\nno-loop\n');
    expect(text(t, '/out2')).toBe('hello 0 0 /usr/share nil regular\n');
  });
});
