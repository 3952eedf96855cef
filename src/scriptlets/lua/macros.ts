// rpm.expand: the directory macros every rpm since 4.4 defines the same way, plus what the
// scriptlet rpm.define'd. Anything else is the target's own macro files, which are not read:
// the script stops and is reported rather than guessing.
import { LuaAbort } from './values.js';

const STANDARD: Record<string, string> = {
  _prefix: '/usr', _exec_prefix: '%{_prefix}', _bindir: '%{_exec_prefix}/bin', _sbindir: '%{_exec_prefix}/sbin',
  _libexecdir: '%{_exec_prefix}/libexec', _datadir: '%{_prefix}/share', _sysconfdir: '/etc',
  _sharedstatedir: '/var/lib', _localstatedir: '/var', _includedir: '%{_prefix}/include',
  _infodir: '%{_datadir}/info', _mandir: '%{_datadir}/man', _docdir: '%{_datadir}/doc',
  _initddir: '%{_sysconfdir}/rc.d/init.d', _rpmconfigdir: '/usr/lib/rpm', _var: '/var', _tmppath: '%{_var}/tmp',
  _dbpath: '%{_var}/lib/rpm', nil: '',
};

export function expandMacros(s: string, defined: Map<string, string>, depth = 0): string {
  if (depth > 16) throw new LuaAbort('rpm.expand: macro recursion too deep');
  const value = (name: string): string | undefined => defined.get(name) ?? STANDARD[name];
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '%') { out += c; continue; }
    const n = s[i + 1];
    if (n === '%') { out += '%'; i++; continue; }
    if (n === '{') {
      let level = 1;
      let j = i + 2;
      for (; j < s.length && level; j++) { if (s[j] === '{') level++; else if (s[j] === '}') level--; }
      if (level) throw new LuaAbort(`rpm.expand: unterminated %{ in ${s}`);
      const inner = s.slice(i + 2, j - 1);
      i = j - 1;
      const m = /^(!?\?)?([A-Za-z_]\w*)(?::([\s\S]*))?$/.exec(inner);
      if (!m) throw new LuaAbort(`rpm.expand: %{${inner}} is not emulated`);
      const [, cond, name = '', alt] = m;
      const v = value(name);
      if (cond === '?') out += v === undefined ? '' : alt !== undefined ? expandMacros(alt, defined, depth + 1) : expandMacros(v, defined, depth + 1);
      else if (cond === '!?') out += v === undefined && alt !== undefined ? expandMacros(alt, defined, depth + 1) : '';
      else if (v !== undefined && alt === undefined) out += expandMacros(v, defined, depth + 1);
      else throw new LuaAbort(`rpm.expand: %{${inner}} comes from the target's macro files, which are not read`);
      continue;
    }
    const m = /^[A-Za-z_]\w*/.exec(s.slice(i + 1));
    if (!m) { out += c; continue; }
    const v = value(m[0]);
    if (v === undefined) throw new LuaAbort(`rpm.expand: %${m[0]} comes from the target's macro files, which are not read`);
    out += expandMacros(v, defined, depth + 1);
    i += m[0].length;
  }
  return out;
}
