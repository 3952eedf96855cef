// useradd / groupadd / usermod on the image: flags, shadow-utils' id allocation per era, exit codes.
import { describe, expect, it } from 'vitest';
import { emulateScriptlets } from '../../src/scriptlets/index.js';
import { allocate } from '../../src/scriptlets/accounts.js';
import { DAYS, SDE, baseImage, line, pkg, text } from './helpers.js';

function run(t: ReturnType<typeof baseImage>, body: string, kind = 'pre') {
  return emulateScriptlets([pkg({ name: 'p', scripts: [{ kind, body }] })], t, { sourceDateEpoch: SDE });
}

describe('system id allocation (shadow-utils rules from the image login.defs)', () => {
  it('CentOS 4/5/6 login.defs (UID_MIN 500, no SYS_UID_MAX): 499, 498, ...', () => {
    const t = baseImage(5);
    run(t, 'useradd -r -s /sbin/nologin foo\nuseradd -r bar');
    expect(line(t, '/etc/passwd', 'foo')).toBe('foo:x:499:499::/home/foo:/sbin/nologin');
    expect(line(t, '/etc/passwd', 'bar')).toBe('bar:x:498:498::/home/bar:/bin/bash');
    expect(line(t, '/etc/group', 'foo')).toBe('foo:x:499:');
  });
  it('EL7+ login.defs (SYS_UID_MAX 999): 999, 998, ...', () => {
    const t = baseImage(7);
    run(t, 'groupadd -r g1; groupadd -r g2; useradd -r -g g1 u1');
    expect(line(t, '/etc/group', 'g1')).toBe('g1:x:999:');
    expect(line(t, '/etc/group', 'g2')).toBe('g2:x:998:');
    expect(line(t, '/etc/passwd', 'u1')).toBe('u1:x:999:999::/home/u1:/bin/bash');
  });
  it('takes one below the lowest used system id, else the highest free one', () => {
    expect(allocate([999, 500, 998], [201, 999], true)).toBe(499);
    expect(allocate([201, 999], [201, 999], true)).toBe(998);
    expect(allocate([1000, 1001], [1000, 60000], false)).toBe(1002);
    expect(allocate([], [1000, 60000], false, 1500)).toBe(1500);
  });
  it('a user group takes the uid as gid when free', () => {
    const t = baseImage(7);
    run(t, 'groupadd -r other\nuseradd -r -u 48 apache');
    expect(line(t, '/etc/group', 'apache')).toBe('apache:x:48:');
  });
});

describe('useradd', () => {
  it('writes passwd, shadow ("!!", lastchg from SOURCE_DATE_EPOCH, no aging for -r), group and gshadow', () => {
    const t = baseImage(7);
    const r = run(t, '/usr/sbin/useradd -c "Apache" -u 48 -s /sbin/nologin -r -d /usr/share/httpd apache');
    expect(r.skipped).toEqual([]);
    expect(line(t, '/etc/passwd', 'apache')).toBe('apache:x:48:48:Apache:/usr/share/httpd:/sbin/nologin');
    expect(line(t, '/etc/shadow', 'apache')).toBe(`apache:!!:${DAYS}::::::`);
    expect(line(t, '/etc/gshadow', 'apache')).toBe('apache:!::');
    expect(t.exists('/usr/share/httpd')).toBe(false);
  });
  it('regular users get aging from login.defs, a home from /etc/skel (CREATE_HOME yes) and a mail spool', () => {
    const t = baseImage(7);
    run(t, 'useradd -G wheel,users alice');
    expect(line(t, '/etc/passwd', 'alice')).toBe('alice:x:1000:1000::/home/alice:/bin/bash');
    expect(line(t, '/etc/shadow', 'alice')).toBe(`alice:!!:${DAYS}:0:99999:7:::`);
    expect(line(t, '/etc/group', 'wheel')).toBe('wheel:x:10:root,alice');
    expect(line(t, '/etc/gshadow', 'users')).toBe('users:::alice');
    expect(t.lstat('/home/alice')).toMatchObject({ type: 'dir', mode: 0o700, user: 'alice', group: 'alice' });
    expect(t.lstat('/home/alice/.bashrc')).toMatchObject({ type: 'file', user: 'alice' });
    expect(t.lstat('/var/spool/mail/alice')).toMatchObject({ mode: 0o660, user: 'alice', group: 'mail' });
  });
  it('-M, -N, -g by number, -o, -K, -f, -e', () => {
    const t = baseImage(7);
    const r = run(t, 'useradd -M -N -u 0 -o -K UMASK=022 -f 30 -e 2030-01-01 toor && useradd -g 100 -M bob');
    expect(r.skipped).toEqual([]);
    expect(line(t, '/etc/passwd', 'toor')).toBe('toor:x:0:100::/home/toor:/bin/bash');
    expect(line(t, '/etc/shadow', 'toor')).toBe(`toor:!!:${DAYS}:0:99999:7:30:21915:`);
    expect(line(t, '/etc/passwd', 'bob')).toBe('bob:x:1000:100::/home/bob:/bin/bash');
    expect(t.exists('/home/toor') || t.exists('/home/bob')).toBe(false);
  });
  it('exit codes drive || chains: 9 exists, 4 uid taken, 6 group missing', () => {
    const t = baseImage(7);
    run(t, 'useradd -u 48 -r apache\nuseradd apache || echo again > /tmp/exists\nuseradd -u 48 web || echo 4 > /tmp/uid\nuseradd -g nosuch x || echo 6 > /tmp/group');
    expect(text(t, '/tmp/exists')).toBe('again\n');
    expect(text(t, '/tmp/uid')).toBe('4\n');
    expect(text(t, '/tmp/group')).toBe('6\n');
    expect(line(t, '/etc/passwd', 'x')).toBeUndefined();
  });
  it('without /etc/shadow puts "!!" in passwd, as shadow-utils does', () => {
    const t = baseImage(4, { shadow: false });
    run(t, 'useradd -r -u 28 nscd');
    expect(line(t, '/etc/passwd', 'nscd')).toBe('nscd:x:28:28::/home/nscd:/bin/bash'.replace(':x:', ':!!:'));
    expect(t.exists('/etc/shadow')).toBe(false);
  });
});

describe('groupadd, usermod, gpasswd', () => {
  it('groupadd -f succeeds on an existing group and picks another gid when taken', () => {
    const t = baseImage(7);
    const r = run(t, 'groupadd -f wheel && groupadd -f -g 10 -r mygrp && groupadd -g 10 clash || :');
    expect(r.skipped).toEqual([]);
    expect(line(t, '/etc/group', 'mygrp')).toBe('mygrp:x:999:');
    expect(line(t, '/etc/group', 'clash')).toBeUndefined();
  });
  it('usermod -a -G appends, -G replaces, -s -d -c -L', () => {
    const t = baseImage(7);
    run(t, 'useradd -M joe; usermod -a -G wheel joe; usermod -a -G users joe; usermod -s /sbin/nologin -d /srv -c "Joe" -L joe');
    expect(line(t, '/etc/group', 'wheel')).toBe('wheel:x:10:root,joe');
    expect(line(t, '/etc/group', 'users')).toBe('users:x:100:joe');
    expect(line(t, '/etc/passwd', 'joe')).toBe('joe:x:1000:1000:Joe:/srv:/sbin/nologin');
    expect(line(t, '/etc/shadow', 'joe')?.split(':')[1]).toBe('!!');
    run(t, 'usermod -G users joe');
    expect(line(t, '/etc/group', 'wheel')).toBe('wheel:x:10:root');
  });
  it('gpasswd -a adds a member', () => {
    const t = baseImage(7);
    run(t, 'gpasswd -a daemon tty');
    expect(line(t, '/etc/group', 'tty')).toBe('tty:x:5:daemon');
  });
});

describe('guards', () => {
  it('getent and id answer from the image', () => {
    const t = baseImage(7);
    run(t, 'getent group mail >/dev/null && echo yes > /tmp/a\nid nobody >/dev/null 2>&1 && echo yes > /tmp/b\nid ghost >/dev/null 2>&1 || echo no > /tmp/c\ngetent passwd 0 > /tmp/d');
    expect(text(t, '/tmp/a')).toBe('yes\n');
    expect(text(t, '/tmp/b')).toBe('yes\n');
    expect(text(t, '/tmp/c')).toBe('no\n');
    expect(text(t, '/tmp/d')).toBe('root:x:0:0:root:/root:/bin/bash\n');
  });
  it('grep -q on /etc/passwd (old %pre style)', () => {
    const t = baseImage(4);
    run(t, 'grep -q "^nobody:" /etc/passwd && touch /tmp/hit\ngrep -q ^ghost: /etc/passwd || touch /tmp/miss');
    expect(t.exists('/tmp/hit') && t.exists('/tmp/miss')).toBe(true);
  });
});

describe('a home or base directory that is not absolute is rejected as shadow-utils does', () => {
  it.each([
    ['useradd -r -d home/foo foo', "useradd: invalid home directory 'home/foo'"],
    ['useradd -r -d ../foo foo', "useradd: invalid home directory '../foo'"],
    ['useradd -r -d /home/a:b foo', "useradd: invalid home directory '/home/a:b'"],
    ['useradd -b var foo', "useradd: invalid base directory 'var'"],
  ])('%s: exit 3, no account, reported', (cmd, message) => {
    const t = baseImage(7);
    const r = run(t, `${cmd} || echo $? > /tmp/status`);
    expect(r.skipped[0]?.reason).toBe(message);
    expect(text(t, '/tmp/status')).toBe('3\n');
    expect(line(t, '/etc/passwd', 'foo')).toBeUndefined();
  });
  it('usermod -d with a relative path: exit 3, passwd unchanged', () => {
    const t = baseImage(7);
    const r = run(t, 'usermod -d var/lib/x daemon || echo $? > /tmp/status');
    expect(r.skipped[0]?.reason).toBe('usermod: homedir must be an absolute path');
    expect(text(t, '/tmp/status')).toBe('3\n');
    expect(line(t, '/etc/passwd', 'daemon')).toBe('daemon:x:2:2:daemon:/sbin:/sbin/nologin');
  });
  it('an absolute home with .. in it is taken as given (useradd only checks the leading /)', () => {
    const t = baseImage(7);
    const r = run(t, 'useradd -r -d /var/lib/../lib/foo foo');
    expect(r.skipped).toEqual([]);
    expect(line(t, '/etc/passwd', 'foo')).toBe('foo:x:999:999::/var/lib/../lib/foo:/bin/bash');
  });
});

describe('lookups share one parse of the account files until the image changes', () => {
  it('posix.stat in a loop parses /etc/passwd once; a useradd in between is seen at once', () => {
    const t = baseImage(7);
    let reads = 0;
    const counted = new Proxy(t, {
      get(target, prop) {
        if (prop === 'readFile') return (p: string) => { if (p === '/etc/passwd') reads++; return target.readFile(p); };
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const body = 'local before = posix.getpasswd("foo")\n'
      + 'for i = 1, 50 do assert(posix.stat("/etc/login.defs", "uid") == 0) end\n'
      + 'os.execute("useradd -r foo")\n'
      + 'local o = io.open("/tmp/out", "w"); o:write(tostring(before), " ", posix.getpasswd("foo", "uid"), "\\n"); o:close()';
    const r = emulateScriptlets([pkg({ name: 'p', scripts: [{ kind: 'post', body, prog: ['<lua>'] }] })], counted, { sourceDateEpoch: SDE });
    expect(r.skipped).toEqual([]);
    expect(text(t, '/tmp/out')).toBe('nil 999\n');
    // one parse before useradd, useradd's own read, one parse after it wrote the files
    expect(reads).toBe(3);
  });
});
