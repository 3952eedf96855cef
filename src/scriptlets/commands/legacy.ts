// Helpers of the CentOS 4-6 era that scriptlets call by path: libgcc_post_upgrade, rpm's
// rpmdb_stat check, iscsi-iname, NSS's shlibsign.
import { createHash } from 'node:crypto';
import type { CommandCtx, CommandResult } from '../context.js';
import { ldconfig } from './misc.js';

/** gcc's libgcc_post_upgrade.c: exec /sbin/ldconfig when it is executable, else exit 0 */
export function libgccPostUpgrade(_argv: string[], ctx: CommandCtx): number {
  const st = ctx.env.fs.lstat('/sbin/ldconfig');
  if (st === undefined || (st.type !== 'symlink' && (st.mode & 0o111) === 0)) {
    ctx.rec.act('libgcc_post_upgrade: no /sbin/ldconfig in the image, nothing to do');
    return 0;
  }
  return ldconfig(['ldconfig'], ctx);
}

/**
 * rpm's %posttrans runs `rpmdb_stat -e -h /var/lib/rpm` and removes /var/lib/rpm/__db.* when the
 * Berkeley DB environment is stale. A fresh root has no environment (rpmdb_stat fails to open
 * it), so the check finds nothing; with __db files present the answer is not known.
 */
export function rpmdbStat(argv: string[], ctx: CommandCtx): CommandResult {
  const args = argv.slice(1);
  const home = args[args.indexOf('-h') + 1];
  if (!args.includes('-e') || !args.includes('-h') || home === undefined) {
    ctx.rec.problem(`rpmdb_stat ${args.join(' ')}`);
    return { status: 0 };
  }
  // a relative home is opened from the script's working directory, which commands are not given
  if (!home.startsWith('/')) {
    ctx.rec.problem(`rpmdb_stat -h ${home}: the environment directory is not an absolute path`);
    return { status: 0 };
  }
  const env = ctx.env.fs.list(home).filter((f) => f.startsWith('__db.'));
  if (env.length) {
    ctx.rec.problem(`rpmdb_stat: ${home} has a Berkeley DB environment (${env.join(', ')}); its state is not emulated`);
    return { status: 0 };
  }
  ctx.rec.act(`rpmdb_stat: no Berkeley DB environment in ${home} (fresh root)`);
  // what db_stat prints when the environment does not exist (stderr, the scriptlet greps 2>&1)
  return { status: 1, stdout: 'rpmdb_stat: DB_ENV->open: No such file or directory\n' };
}

/**
 * iscsi-iname prints PREFIX:%x%x%x%x%x%x from an MD5 over /dev/urandom, the time and uname. Here
 * the six bytes come from SOURCE_DATE_EPOCH and the transaction's package names: the same image
 * gets the same name (every container of one image shares it, as with any image built by rpm).
 */
export function iscsiIname(argv: string[], ctx: CommandCtx): CommandResult {
  const a = argv.slice(1);
  let prefix = 'iqn.1994-05.com.redhat';
  if (a[0] === '-p' && a[1] !== undefined) prefix = a[1];
  else if (a.length) { ctx.rec.problem(`iscsi-iname ${a.join(' ')}`); return { status: 0 }; }
  const digest = createHash('md5').update(`${ctx.env.now}\n${[...ctx.env.installed].sort().join('\n')}`).digest();
  const name = `${prefix}:${[...digest.subarray(0, 6)].map((b) => b.toString(16)).join('')}`;
  ctx.rec.act(`iscsi-iname: ${name} (derived from SOURCE_DATE_EPOCH and the package set)`);
  return { status: 0, stdout: name + '\n' };
}

/**
 * shlibsign writes NSS's FIPS check file (LIB.chk): a signature of the library made with a key
 * pair it generates at random on each run (DSA; HMAC with a random key in later NSS), so the
 * bytes cannot be reproduced. Packages ship a .chk made at build time, valid for the library as
 * installed (scriptlets re-sign for prelink, which does not run here): when it is there, it stays.
 */
export function shlibsign(argv: string[], ctx: CommandCtx): number {
  const a = argv.slice(1);
  const lib = a[0] === '-i' ? a[1] : undefined;
  if (lib === undefined || a.length !== 2) { ctx.rec.problem(`shlibsign ${a.join(' ')}`); return 0; }
  const chk = lib.replace(/\.so$/, '') + '.chk';
  if (!ctx.env.fs.exists(lib)) return 1;
  if (ctx.env.fs.exists(chk)) ctx.rec.act(`shlibsign ${lib}: ${chk} from the package kept (the library is not prelinked here)`);
  else ctx.rec.problem(`shlibsign ${lib}: ${chk} is signed with a key generated at random, not reproduced (only FIPS mode needs it)`);
  return 0;
}
