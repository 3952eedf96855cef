// A small image with what `setup`, `shadow-utils` and `filesystem` put in place before other
// packages' scriptlets run, per era: CentOS 4/5/6 (UID_MIN 500, no SYS_UID_*) and EL7+
// (UID_MIN 1000, SYS_UID_MIN 201, SYS_UID_MAX 999).
import { ImageTree } from '../../src/assemble/tree.js';
import type { ScriptletPackage } from '../../src/scriptlets/index.js';

export const SDE = 1_700_000_000; // 2023-11-14, day 19675
export const DAYS = String(Math.floor(SDE / 86400));

const PASSWD = `root:x:0:0:root:/root:/bin/bash
bin:x:1:1:bin:/bin:/sbin/nologin
daemon:x:2:2:daemon:/sbin:/sbin/nologin
adm:x:3:4:adm:/var/adm:/sbin/nologin
lp:x:4:7:lp:/var/spool/lpd:/sbin/nologin
sync:x:5:0:sync:/sbin:/bin/sync
mail:x:8:12:mail:/var/spool/mail:/sbin/nologin
nobody:x:99:99:Nobody:/:/sbin/nologin
`;
const GROUP = `root:x:0:root
bin:x:1:root,bin,daemon
daemon:x:2:root,bin,daemon
sys:x:3:root,bin,adm
adm:x:4:root,adm,daemon
tty:x:5:
lp:x:7:daemon,lp
mail:x:12:mail
wheel:x:10:root
nobody:x:99:
users:x:100:
`;

function loginDefs(era: number): string {
  const uidMin = era >= 7 ? 1000 : 500;
  let s = `MAIL_DIR\t/var/spool/mail\nPASS_MAX_DAYS\t99999\nPASS_MIN_DAYS\t0\nPASS_MIN_LEN\t5\nPASS_WARN_AGE\t7\n`;
  s += `UID_MIN\t\t\t  ${uidMin}\nUID_MAX\t\t\t60000\n`;
  if (era >= 7) s += `SYS_UID_MIN\t\t  201\nSYS_UID_MAX\t\t  999\n`;
  s += `GID_MIN\t\t\t  ${uidMin}\nGID_MAX\t\t\t60000\n`;
  if (era >= 7) s += `SYS_GID_MIN\t\t  201\nSYS_GID_MAX\t\t  999\n`;
  s += `CREATE_HOME\tyes\nUMASK           077\nUSERGROUPS_ENAB yes\n`;
  return s;
}

export function baseImage(era = 7, opts: { shadow?: boolean; systemd?: boolean } = {}): ImageTree {
  const t = new ImageTree(SDE);
  for (const d of ['/tmp', '/etc/skel', '/home', '/var/spool/mail', '/usr/sbin', '/usr/bin', '/root', '/var/lib', '/etc/sysconfig', '/usr/share/info']) t.mkdir(d);
  if (era >= 7) {
    t.symlink('usr/bin', '/bin');
    t.symlink('usr/sbin', '/sbin');
    t.symlink('usr/lib', '/lib');
    t.mkdir('/usr/lib');
  } else {
    for (const d of ['/bin', '/sbin', '/lib']) t.mkdir(d);
  }
  t.writeFile('/etc/passwd', PASSWD);
  t.writeFile('/etc/group', GROUP);
  if (opts.shadow !== false) {
    t.writeFile('/etc/shadow', PASSWD.split('\n').filter(Boolean).map((l) => `${l.split(':')[0]}:*:15000:0:99999:7:::\n`).join(''), { mode: 0 });
    t.writeFile('/etc/gshadow', GROUP.split('\n').filter(Boolean).map((l) => { const f = l.split(':'); return `${f[0]}:::${f[3]}\n`; }).join(''), { mode: 0 });
  }
  t.writeFile('/etc/login.defs', loginDefs(era));
  t.writeFile('/etc/default/useradd', `GROUP=100\nHOME=/home\nINACTIVE=-1\nEXPIRE=\nSHELL=/bin/bash\nSKEL=/etc/skel\n${era >= 5 ? 'CREATE_MAIL_SPOOL=yes\n' : ''}`);
  t.writeFile('/etc/skel/.bashrc', '# .bashrc\n');
  for (const b of ['useradd', 'groupadd', 'usermod']) t.writeFile(`/usr/sbin/${b}`, 'ELF', { mode: 0o755 });
  if (opts.systemd) {
    t.writeFile('/usr/bin/systemctl', 'ELF', { mode: 0o755 });
    t.writeFile('/usr/bin/systemd-sysusers', 'ELF', { mode: 0o755 });
    t.writeFile('/usr/lib/systemd/systemd', 'ELF', { mode: 0o755 });
  }
  return t;
}

export function text(t: ImageTree, p: string): string | undefined {
  const d = t.readFile(p);
  return d === undefined ? undefined : new TextDecoder().decode(d);
}

export function line(t: ImageTree, file: string, name: string): string | undefined {
  return text(t, file)?.split('\n').find((l) => l.split(':')[0] === name);
}

export interface PkgSpec {
  name: string;
  version?: string;
  release?: string;
  scripts?: { kind: string; body: string; prog?: string[] }[];
  triggers?: { kind: string; body: string; on: string }[];
  provides?: { name: string; flags: number; version: string }[];
}

export function pkg(spec: PkgSpec): ScriptletPackage {
  const version = spec.version ?? '1.0';
  const release = spec.release ?? '1';
  return {
    nevra: `${spec.name}-${version}-${release}.x86_64`,
    name: spec.name,
    meta: {
      name: spec.name, epoch: null, version, release,
      provides: spec.provides ?? [],
      scriptlets: (spec.scripts ?? []).map((s) => ({ kind: s.kind, prog: s.prog ?? ['/bin/sh'], body: s.body })),
      triggers: (spec.triggers ?? []).map((t) => ({ kind: t.kind, prog: ['/bin/sh'], body: t.body, conditions: [{ name: t.on, flags: 0, version: '' }] })),
    },
  };
}
