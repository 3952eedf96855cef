// Which emulation handles which command name (by basename, so /usr/sbin/useradd works too).
import { alternatives } from './alternatives.js';
import type { CommandFn } from '../context.js';
import { cut, find, mktemp, readlink } from './coreutils.js';
import { expr } from './expr.js';
import { iscsiIname, libgccPostUpgrade, rpmdbStat, shlibsign } from './legacy.js';
import { xmlcatalog } from './xmlcatalog.js';
import { chmod, chown, grep, install, ln, mkdir, mvcp, rm, rmdir, touch } from './fscmds.js';
import { sed } from './sed.js';
import { tmpfiles } from './tmpfiles.js';
import {
  CACHE_TOOLS, buildLocaleArchive, cacheTool, caLegacy, fixInfoDir, glibcPostUpgrade, installInfo, ldconfig, rpm, updateCaTrust, which,
} from './misc.js';
import { chkconfig, initScriptVerb, systemctl, systemdUpdateHelper } from './services.js';
import { systemdSysusers } from './sysusers.js';
import { getent, id } from './nss.js';
import { gpasswd, groupadd, useradd, usermod } from './useradd.js';

const TABLE: Record<string, CommandFn> = {
  useradd, adduser: useradd, groupadd, addgroup: groupadd, usermod, gpasswd, getent, id,
  'systemd-sysusers': systemdSysusers,
  ldconfig, glibc_post_upgrade: glibcPostUpgrade,
  alternatives, 'update-alternatives': alternatives,
  chkconfig,
  systemctl, 'systemd-update-helper': systemdUpdateHelper,
  'install-info': installInfo, 'fix-info-dir': fixInfoDir,
  'update-ca-trust': updateCaTrust, 'ca-legacy': caLegacy,
  'build-locale-archive': buildLocaleArchive,
  rpm, which, type: which, command: which,
  // SELinux is never enabled while an image is assembled (nor inside most containers)
  selinuxenabled: (_argv, ctx) => { ctx.rec.act('selinuxenabled: no'); return 1; },
  mkdir, ln, chmod, chown, touch, rm, rmdir, mv: mvcp, cp: mvcp, grep, sed, install,
  'systemd-tmpfiles': tmpfiles,
  expr, cut, find, mktemp, readlink,
  xmlcatalog,
  libgcc_post_upgrade: libgccPostUpgrade, rpmdb_stat: rpmdbStat, 'iscsi-iname': iscsiIname, shlibsign,
};

const INIT_VERBS = new Set(['condrestart', 'try-restart', 'restart', 'stop', 'reload', 'condreload', 'status', 'force-reload']);

export function lookupCommand(name: string, argv: string[]): CommandFn | undefined {
  const bare = name.replace(/\.(x86_64|i686|i386|ppc64|ppc64le|s390x|aarch64|ia64|ppc)$/, '');
  const fn = TABLE[name] ?? TABLE[bare];
  if (fn) return fn;
  if (CACHE_TOOLS.has(bare)) return cacheTool;
  const path = argv[0] ?? '';
  if (/^\/etc\/(rc\.d\/)?init\.d\//.test(path) && INIT_VERBS.has(argv[1] ?? '')) return initScriptVerb;
  return undefined;
}
