// `<lua>` scriptlets: a few whole-body idioms known from real packages (glibc %post, the
// directory-to-symlink %pretrans of the Fedora guidelines, setup's .rpmnew cleanup), then a
// line-by-line reading of straight-line calls (posix.mkdir/symlink/chmod/unlink, os.remove,
// rpm.execute, print). Any other statement makes the whole body reported, nothing applied.
import type { CommandCtx, CommandFn, RunRecord, EmulationEnv } from '../context.js';

export interface LuaOutcome { status: number }

interface Call { fn: string; args: (string | number)[] }

function parseArgs(src: string, vars: Map<string, string>): (string | number)[] | undefined {
  const out: (string | number)[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(0[0-7]*|[1-9]\d*)|([A-Za-z_]\w*))\s*(,|$)/y;
  let pos = 0;
  if (src.trim() === '') return out;
  while (pos < src.length) {
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m) return undefined;
    if (m[4] !== undefined) {
      const v = vars.get(m[4]);
      if (v === undefined) return undefined;
      out.push(v);
    } else if (m[3] !== undefined) out.push(m[3].length > 1 && m[3].startsWith('0') ? parseInt(m[3], 8) : Number(m[3]));
    else out.push((m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1'));
    pos = re.lastIndex;
    if (m[5] === '') break;
  }
  return out;
}

function stripComments(body: string): string[] {
  return body.replace(/--\[(=*)\[[\s\S]*?\]\1\]/g, '').split('\n')
    .map((l) => l.replace(/--.*$/, '').trim())
    .filter((l) => l !== '');
}

export function runLua(body: string, pkgName: string, env: EmulationEnv, rec: RunRecord, lookup: (name: string, argv: string[]) => CommandFn | undefined): LuaOutcome {
  const ctx: CommandCtx = { env, rec, io: { stdin: '' } };
  const programs = [...body.matchAll(/(?:post_exec|rpm\.execute|posix\.exec)\s*\(\s*["']([^"']+)["']/g)].map((m) => m[1]!);
  if (/^glibc(-common)?$/.test(pkgName) && programs.length && programs.every((p) => /\/(ldconfig|iconvconfig(\.\w+)?)$/.test(p))) {
    for (const p of new Set(programs)) {
      const argv = [p];
      lookup(p.slice(p.lastIndexOf('/') + 1), argv)?.(argv, ctx);
    }
    rec.act('glibc %post: fresh install, no multilib libraries to remove and no daemons to restart');
    return { status: 0 };
  }
  if (/\.rpmmoved/.test(body) && /posix\.stat/.test(body)) {
    rec.act('directory-to-symlink %pretrans: on a fresh install the directory does not exist yet');
    return { status: 0 };
  }
  if (/\.rpmnew/.test(body) && /newaliases/.test(body)) {
    if (env.fs.exists('/usr/bin/newaliases')) rec.problem('newaliases: /etc/aliases.db not built');
    else rec.act('setup %post: no .rpmnew files on a fresh install; newaliases is not in the image');
    return { status: 0 };
  }

  const shells = /io\.open\(\s*['"]\/etc\/shells['"]\s*,\s*['"]a\+?['"]\s*\)/.test(body);
  if (shells) {
    // bash/zsh %post (EL7+): append each '/path'..nl literal to /etc/shells when missing
    const wanted = [...body.matchAll(/['"](\/[^'"\s]+)['"]\s*\.\.\s*nl/g)].map((m) => m[1]!);
    const cur = env.fs.readFile('/etc/shells');
    let text = cur ? new TextDecoder().decode(cur) : '';
    for (const w of wanted) {
      const before = `\n${text}\n`;
      if (!before.includes(`\n${w}\n`)) { text += `${w}\n`; rec.act(`/etc/shells += ${w}`); }
    }
    env.fs.writeFile('/etc/shells', text);
    return { status: 0 };
  }
  if (/posix\.uname/.test(body) && /rpm\.vercmp/.test(body) && /kernel too old/.test(body)) {
    rec.act('kernel version check: applies to the host that runs the container, not to the image');
    return { status: 0 };
  }

  const calls: Call[] = [];
  const vars = new Map<string, string>();
  for (const line of stripComments(body)) {
    if (/^return(\s+0)?;?$/.test(line)) break;
    const asg = /^(?:local\s+)?([A-Za-z_]\w*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*;?$/.exec(line);
    if (asg) { vars.set(asg[1]!, (asg[2] ?? asg[3] ?? '').replace(/\\(.)/g, '$1')); continue; }
    const m = /^([A-Za-z_][\w.:]*)\s*\((.*)\)\s*;?$/.exec(line);
    const args = m ? parseArgs(m[2]!, vars) : undefined;
    if (!m || args === undefined) {
      rec.problem(`lua statement not emulated: ${line}`);
      return { status: 0 };
    }
    const fn = m[1]!;
    const known = ['posix.mkdir', 'posix.symlink', 'posix.link', 'posix.chmod', 'posix.unlink', 'posix.rmdir', 'os.remove', 'rpm.execute', 'print', 'io.write', 'io.stdout:write'];
    if (!known.includes(fn) || (fn !== 'print' && !fn.startsWith('io.') && args.length === 0)) {
      rec.problem(`lua statement not emulated: ${line}`);
      return { status: 0 };
    }
    calls.push({ fn, args });
  }
  const fs = env.fs;
  for (const { fn, args } of calls) {
    const [a, b] = args;
    if (fn === 'posix.mkdir' && typeof a === 'string') {
      if (!fs.lstat(a)) { fs.mkdir(a); rec.act(`mkdir ${a}`); }
    } else if (fn === 'posix.symlink' && typeof a === 'string' && typeof b === 'string') {
      if (!fs.lstat(b)) { fs.symlink(a, b); rec.act(`symlink ${b} -> ${a}`); }
    } else if (fn === 'posix.link' && typeof a === 'string' && typeof b === 'string') {
      const data = fs.readFile(a);
      if (data === undefined) { rec.problem(`lua posix.link: ${a} is not a file in the image`); continue; }
      if (!fs.lstat(b)) { const st = fs.lstat(a)!; fs.writeFile(b, data, { mode: st.mode, user: st.user, group: st.group }); rec.act(`link ${b} = ${a}`); }
    } else if (fn === 'posix.chmod' && typeof a === 'string') {
      const mode = typeof b === 'number' ? b : typeof b === 'string' && /^[0-7]+$/.test(b) ? parseInt(b, 8) : undefined;
      if (mode === undefined) { rec.problem(`lua posix.chmod mode ${String(b)}`); continue; }
      if (fs.lstat(a)) { fs.chmod(a, mode); rec.act(`chmod ${mode.toString(8)} ${a}`); }
    } else if ((fn === 'posix.unlink' || fn === 'os.remove' || fn === 'posix.rmdir') && typeof a === 'string') {
      if (fs.lstat(a)) { fs.remove(a); rec.act(`rm ${a}`); }
    } else if (fn === 'rpm.execute') {
      const argv = args.map(String);
      const p = argv[0]!;
      const cmd = lookup(p.slice(p.lastIndexOf('/') + 1), argv);
      if (!cmd) rec.problem(`unhandled command: ${argv.join(' ')}`);
      else cmd(argv, ctx);
    }
  }
  return { status: 0 };
}
