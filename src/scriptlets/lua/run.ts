// Runs a `<lua>` scriptlet body the way rpm's embedded Lua would, over the image. Anything
// the interpreter cannot reproduce stops the script and becomes the scriptlet's reported
// problem (nothing after that point is applied); a Lua error is the scriptlet failing, as
// rpm reports it.
import type { CommandFn, EmulationEnv, RunRecord } from '../context.js';
import { ChildExit, DEFAULT_LIMITS, Interp } from './interp.js';
import type { Limits } from './interp.js';
import { baseLib } from './lib-base.js';
import { installOsLibs } from './lib-posix.js';
import { stringLib } from './lib-string.js';
import { LuaSyntaxError, parseLua } from './parser.js';
import { LuaAbort, LuaError, LuaTable, fromBytes, toBytes } from './values.js';
import type { LuaValue } from './values.js';

export interface LuaRunOptions {
  /** the scriptlet's arguments; rpm >= 4.? passes them as `arg`, older ones not at all */
  args?: string[];
  /** os.execute: runs a command line with the shell emulator, returns its status */
  runShell?: (cmd: string) => number;
  limits?: Limits;
}

export interface LuaOutcome { status: number; output: string }

export function runLua(body: string, env: EmulationEnv, rec: RunRecord, lookup: (name: string, argv: string[]) => CommandFn | undefined, opts: LuaRunOptions = {}): LuaOutcome {
  let output = '';
  let chunk;
  try {
    chunk = parseLua(toBytes(body));
  } catch (e) {
    // a body nested past the parser's stack (20k parentheses) is as unreadable as a syntax error
    if (e instanceof RangeError) {
      rec.problem('lua syntax error: the script nests too deep');
      return { status: 0, output };
    }
    if (!(e instanceof LuaSyntaxError)) throw e;
    rec.problem(`lua syntax error: ${fromBytes(e.message)}`);
    return { status: 0, output };
  }
  const interp = new Interp(opts.limits ?? DEFAULT_LIMITS);
  const modules = new Map<string, LuaValue>();
  baseLib(interp, (s) => { output += s; });
  const string = stringLib(interp);
  interp.globals.set('string', string);
  modules.set('string', string);
  interp.stringMeta.set('__index', string);
  for (const name of ['table', 'math']) modules.set(name, interp.globals.get(name));
  const runShell = opts.runShell ?? ((cmd: string) => { throw new LuaAbort(`os.execute("${cmd}") is not emulated`); });
  const { closeAll } = installOsLibs(interp, { env, rec, lookup, runShell, out: (s) => { output += s; } }, modules);
  interp.onChildFallthrough = () => rec.problem('a posix.fork child went on past its block without exec');
  interp.onChildError = (e) => rec.problem(`the posix.fork child failed: ${fromBytes(e.message)}`);
  if (opts.args) {
    const arg = new LuaTable();
    opts.args.forEach((a, i) => arg.set(i + 1, a));
    interp.globals.set('arg', arg);
  }
  try {
    interp.run(chunk, (opts.args ?? []).map(toBytes));
    closeAll();
    return { status: 0, output };
  } catch (e) {
    if (e instanceof LuaError) {
      closeAll();
      // rpm reports a Lua error as the scriptlet failing; the message says why
      rec.problem(`lua error: ${fromBytes(e.message)}`);
      return { status: 1, output };
    }
    if (e instanceof LuaAbort) {
      rec.problem(`lua: ${fromBytes(e.message)}`);
      return { status: 0, output };
    }
    if (e instanceof ChildExit) {
      rec.problem('posix.fork child outlived its function');
      return { status: 0, output };
    }
    if (e instanceof RangeError) {
      rec.problem('lua: the script nests too deep');
      return { status: 0, output };
    }
    throw e;
  }
}
