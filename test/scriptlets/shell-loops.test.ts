// while/until loops, `read`, shell functions and $(( )) arithmetic, on scriptlets of the
// shapes distros ship. Each result is what sh would leave in the image; anything the loop
// cannot determine is reported.
import { describe, expect, it } from 'vitest';
import { emulateScriptlets, runBody } from '../../src/scriptlets/index.js';
import { RunRecord } from '../../src/scriptlets/context.js';
import { SDE, baseImage, line, pkg, text } from './helpers.js';

const run = (t: ReturnType<typeof baseImage>, body: string) =>
  emulateScriptlets([pkg({ name: 'p', scripts: [{ kind: 'post', body }] })], t, { sourceDateEpoch: SDE });

// PLD Linux sh.spec %post and %preun (rpm scriptlets as shipped): a `while read` over /etc/shells
const PLD_SH_POST = `if [ ! -f /etc/shells ]; then
	echo "/bin/sh" >> /etc/shells
else
	while read SHNAME; do
	        if [ "$SHNAME" = "/bin/sh" ]; then
        	        HAS_SH=1
	        fi
	done < /etc/shells
	[ -n "$HAS_SH" ] || echo "/bin/sh" >> /etc/shells
fi
`;
const PLD_SH_PREUN = `if [ "$1" = "0" ]; then
	while read SHNAME; do
		[ "$SHNAME" = "/bin/sh" ] || echo "$SHNAME"
	done < /etc/shells > /etc/shells.new
	mv -f /etc/shells.new /etc/shells
fi
`;

describe('while read', () => {
  it('PLD sh %post: adds /bin/sh once, reading /etc/shells line by line', () => {
    const t = baseImage(7);
    t.writeFile('/etc/shells', '/bin/bash\n');
    expect(run(t, PLD_SH_POST).skipped).toEqual([]);
    expect(text(t, '/etc/shells')).toBe('/bin/bash\n/bin/sh\n');
    run(t, PLD_SH_POST);
    expect(text(t, '/etc/shells')).toBe('/bin/bash\n/bin/sh\n');
  });
  it('PLD sh %preun ($1 = 0): the loop output redirected after done, then moved into place', () => {
    const t = baseImage(7);
    t.writeFile('/etc/shells', '/bin/sh\n/bin/bash\n/bin/zsh\n');
    const rec = new RunRecord();
    const st = runBody(['/bin/sh'], PLD_SH_PREUN, 'sh', ['0'], { fs: t, now: SDE, pubkeys: [], installed: new Set() }, rec);
    expect([st, rec.problems]).toEqual([0, []]);
    expect(text(t, '/etc/shells')).toBe('/bin/bash\n/bin/zsh\n');
    expect(t.exists('/etc/shells.new')).toBe(false);
  });
  it('over a here-document, splitting fields on $IFS; the last name takes the rest', () => {
    const t = baseImage(7);
    const r = run(t, `while read user uid home comment; do
  getent passwd $user >/dev/null || useradd -r -u $uid -d $home -s /sbin/nologin -c "$comment" $user
done <<EOF
svc1 301 /var/lib/svc1 First service
svc2   302   /var/lib/svc2   Second  one
EOF
while IFS=: read name gid; do groupadd -g "$gid" "$name"; done <<'EOF'
g1:401
g2:402
EOF
`);
    expect(r.skipped).toEqual([]);
    expect(line(t, '/etc/passwd', 'svc1')).toBe('svc1:x:301:301:First service:/var/lib/svc1:/sbin/nologin');
    expect(line(t, '/etc/passwd', 'svc2')).toBe('svc2:x:302:302:Second  one:/var/lib/svc2:/sbin/nologin');
    expect([line(t, '/etc/group', 'g1'), line(t, '/etc/group', 'g2')]).toEqual(['g1:x:401:', 'g2:x:402:']);
  });
  it('at the end of a pipeline (a subshell: its variables do not come back); an unterminated last line read from a file is skipped as sh does', () => {
    const t = baseImage(7);
    t.writeFile('/etc/app.list', '# comment\nalpha\nbeta\ngamma');
    const r = run(t, `N=0
grep -v '^#' /etc/app.list | while read item; do
  mkdir -p /var/lib/app/$item
  N=1
done
echo "N=$N" > /tmp/n
while read item; do echo "$item" >> /tmp/direct; done < /etc/app.list
`);
    expect(r.skipped).toEqual([]);
    expect(t.list('/var/lib/app')).toEqual(['alpha', 'beta', 'gamma']); // grep ends every line it prints
    expect(text(t, '/tmp/n')).toBe('N=0\n');
    expect(text(t, '/tmp/direct')).toBe('# comment\nalpha\nbeta\n');
  });
  it('until, break and continue (with a level count)', () => {
    const t = baseImage(7);
    const r = run(t, `i=0
until [ $i -ge 10 ]; do
  i=$((i + 1))
  [ $i -eq 2 ] && continue
  [ $i -eq 5 ] && break
  echo $i >> /tmp/seq
done
for a in x y; do for b in 1 2; do [ $b = 2 ] && continue 2; echo $a$b >> /tmp/nest; done; done
`);
    expect(r.skipped).toEqual([]);
    expect(text(t, '/tmp/seq')).toBe('1\n3\n4\n');
    expect(text(t, '/tmp/nest')).toBe('x1\ny1\n');
  });
});

describe('shell functions', () => {
  it('definitions, calls with their own $1.., return status, local variables', () => {
    const t = baseImage(7);
    t.writeFile('/etc/shells', '/bin/sh\n');
    const r = run(t, `add_shell() {
    grep -q "^$1\\$" /etc/shells && return 1
    echo "$1" >> /etc/shells
}
function mkstate {
    local dir=/var/lib/$1
    [ -d "$dir" ] || mkdir -p "$dir"
    chmod $2 "$dir"
}
dir=outer
add_shell /bin/bash
add_shell /bin/sh || echo "already there" > /tmp/ret
mkstate demo 0750
echo "$dir $1 $#" > /tmp/after
`);
    expect(r.skipped).toEqual([]);
    expect(text(t, '/etc/shells')).toBe('/bin/sh\n/bin/bash\n');
    expect(text(t, '/tmp/ret')).toBe('already there\n');
    expect(t.lstat('/var/lib/demo')?.mode).toBe(0o750);
    expect(text(t, '/tmp/after')).toBe('outer 1 1\n'); // the scriptlet's own $1 is back after the calls
  });
  it('a function whose output is captured or piped', () => {
    const t = baseImage(7);
    const r = run(t, `names() { echo one; echo two; }\nX=$(names | grep t)\necho "$X" > /tmp/x\nnames > /tmp/all\n`);
    expect(r.skipped).toEqual([]);
    expect([text(t, '/tmp/x'), text(t, '/tmp/all')]).toEqual(['two\n', 'one\ntwo\n']);
  });
});

describe('$(( )) arithmetic', () => {
  it('on known variables and $1, with precedence, comparison, assignment and ++', () => {
    const t = baseImage(7);
    const r = run(t, `BASE=1800
PRIO=$(( BASE + $1 * 10 + (7 % 4) ))
n=5; : $(( n += 2 )); : $((n++))
echo "$PRIO $n $(( n > 7 ? 1 : 0 )) $((0x10 + 010)) $(( -3 / 2 ))" > /tmp/a
`);
    expect(r.skipped).toEqual([]);
    expect(text(t, '/tmp/a')).toBe('1813 8 1 24 -1\n');
  });
  it('a counted loop creating numbered files', () => {
    const t = baseImage(7);
    run(t, 'i=0\nwhile [ $i -lt 3 ]; do touch /tmp/f$i; i=$((i+1)); done\n');
    expect(t.list('/tmp')).toEqual(['f0', 'f1', 'f2']);
  });
  it('expr, the arithmetic of older scriptlets', () => {
    const t = baseImage(5);
    const r = run(t, 'i=0\nwhile [ $i -lt 3 ]; do i=`expr $i + 1`; done\nexpr "$i" \\* 2 > /tmp/e\nexpr 2.6.9-89.EL : \'\\([0-9]*\\.[0-9]*\\)\' >> /tmp/e\nexpr abc : \'a.\' >> /tmp/e\nexpr 0 \\| "" || echo "null $?" >> /tmp/e\n');
    expect(r.skipped).toEqual([]);
    expect(text(t, '/tmp/e')).toBe('6\n2.6\n2\nnull 1\n');
  });
  it('what depends on a target binary is reported, not computed', () => {
    const t = baseImage(7);
    const r = run(t, 'N=$(( $(nproc) * 2 ))\n');
    expect(r.skipped[0]?.reason).toContain('command substitution inside $(( $(nproc) * 2 ))');
  });
});

describe('quoting', () => {
  it('"" is an empty word, not a missing one', () => {
    const t = baseImage(7);
    const r = run(t, '[ "$UNSET" = "" ] && echo empty > /tmp/q\nset -- "" x\necho "$# [$1] $2" >> /tmp/q\n');
    expect(r.skipped).toEqual([]);
    expect(text(t, '/tmp/q')).toBe('empty\n2 [] x\n');
  });
});

describe('scriptlet arguments', () => {
  // measured with Debian's rpm 4.18 installing a package whose %pretrans/%posttrans echo $1:
  // both print 1 (the package count after the transaction), not the 0 of old guides
  it('$1 is 1 for pretrans, pre, post and posttrans on a fresh install', () => {
    const t = baseImage();
    const kinds = ['pretrans', 'pre', 'post', 'posttrans'] as const;
    emulateScriptlets([pkg({ name: 'p', scripts: kinds.map((kind) => ({ kind, body: `echo "${kind} $1" >> /etc/args\n` })) })], t, { sourceDateEpoch: SDE });
    expect(text(t, '/etc/args')).toBe('pretrans 1\npre 1\npost 1\nposttrans 1\n');
  });
});
