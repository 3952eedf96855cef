// Walks a parsed scriptlet: control flow (if, case, for, while/until, functions), expansion
// ($1, variables, $(( )), globs over the image), redirections into image files, and dispatch
// of each command to its emulation. A command we do not know is recorded as a problem and
// assumed to succeed, so the report names it.
import { ShellSyntaxError, parseShell } from './parse.js';
import type { Node, Redir } from './parse.js';
import type { Word } from './lex.js';
import type { CommandFn, EmulationEnv, RunRecord } from '../context.js';
import { base, joinPath, readText, readTextFollow } from '../context.js';
import { ArithError, evalArith } from './arith.js';
import { Input, readBuiltin } from './input.js';
import { evalTest } from './test-cmd.js';
import { globToRegExp } from '../../util/glob.js';
import { globImage } from './glob.js';
import { braceExpand, expandWord } from './expand.js';
import type { WordPart } from './lex.js';

class ExitSignal {
  constructor(readonly status: number) {}
}
class ReturnSignal {
  constructor(readonly status: number) {}
}
class LoopSignal {
  constructor(readonly kind: 'break' | 'continue', readonly levels: number) {}
}
class Unsupported extends Error {}
/** a bound that stops the whole scriptlet, not just the command (the loop around it would go on) */
class OverBound extends Unsupported {}

/** A variable may hold what a file of the image could (x="$x$x" in a loop doubles past any memory). */
const MAX_VALUE = 64 << 20;
class Vars extends Map<string, string> {
  override set(name: string, value: string): this {
    if (value.length > MAX_VALUE) throw new OverBound(`\$${name} would hold ${value.length} bytes, over the ${MAX_VALUE} byte bound`);
    return super.set(name, value);
  }
}

/** a loop that runs this often is taken for one that never ends (it is reported) */
const MAX_ROUNDS = 10_000;
/** sourced files and image scripts calling each other deeper than this are reported */
const MAX_DEPTH = 16;
/** bash has no limit but the stack; no scriptlet recurses this deep */
const MAX_CALL_DEPTH = 200;

/** commands whose operands are all paths: relative ones are taken from the current directory */
const PATH_ONLY = new Set(['readlink', 'rm', 'rmdir', 'mkdir', 'touch', 'find']);
const PATH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export type CommandLookup = (name: string, argv: string[]) => CommandFn | undefined;

export class ShellRun {
  private vars: Map<string, string> = new Vars();
  private funcs = new Map<string, Node>();
  /** per function call: the values `local` names had before, restored on return */
  private frames: Map<string, string | undefined>[] = [];
  private args: string[];
  private status = 0;
  private cwd = '/';
  /** where standard output goes: captured for $(...) and { ...; } > file, else rpm's log (dropped) */
  private out: string[] | null = null;
  /** set -e */
  private errexit = false;
  /** inside an if/while condition, before && or ||, after !: set -e does not apply there */
  private condDepth = 0;

  constructor(
    private readonly env: EmulationEnv,
    private readonly rec: RunRecord,
    args: string[],
    private readonly lookup: CommandLookup,
    private readonly depth = 0,
  ) {
    this.args = [...args];
  }

  /** Run a script of the image (`#!/bin/sh` programs a scriptlet calls) in a new shell; its output is returned. */
  runProgram(node: Node, stdin: Input, errexit: boolean): { status: number; stdout: string } {
    this.errexit = errexit;
    return this.capture(() => this.runScript(node, stdin));
  }

  /** Run a whole scriptlet; `stdin` is what rpm feeds it (file triggers: the matching paths). Returns its exit status. */
  runScript(node: Node, stdin: string | Input = ''): number {
    try {
      return this.run(node, typeof stdin === 'string' ? new Input(stdin) : stdin);
    } catch (e) {
      if (e instanceof ExitSignal) return e.status;
      if (e instanceof ReturnSignal) return e.status; // `return` outside a function ends a sourced script
      if (e instanceof LoopSignal) return this.status;
      if (e instanceof Unsupported) {
        this.rec.problem(`stopped at ${e.message}`);
        return 0;
      }
      throw e;
    }
  }

  private run(node: Node, stdin: Input): number {
    switch (node.t) {
      case 'list':
        for (const item of node.items) this.status = this.run(item, stdin);
        return this.status;
      case 'andor': {
        const last = node.rest.length - 1;
        let st = this.cond(() => this.run(node.first, stdin));
        node.rest.forEach(({ op, node: next }, i) => {
          if ((op === '&&' && st === 0) || (op === '||' && st !== 0)) st = i === last ? this.run(next, stdin) : this.cond(() => this.run(next, stdin));
        });
        return (this.status = st);
      }
      case 'pipe': {
        let input = stdin;
        let out = '';
        let st = 0;
        for (const cmd of node.cmds) {
          // each part of a pipeline runs in a subshell: variables set there are lost
          const saved = { vars: new Vars(this.vars), cwd: this.cwd };
          const part = (): { status: number; stdout: string } => (node.negate ? this.condR(() => this.simpleOrCompound(cmd, input)) : this.simpleOrCompound(cmd, input));
          const r = node.cmds.length > 1 ? this.subshell(part) : part();
          if (node.cmds.length > 1) { this.vars = saved.vars; this.cwd = saved.cwd; }
          st = r.status;
          out = r.stdout;
          input = new Input(out);
        }
        this.emit(out);
        this.status = node.negate ? (st === 0 ? 1 : 0) : st;
        this.checkErrexit(node.negate);
        return this.status;
      }
      case 'if': {
        for (const c of node.clauses) {
          if (this.cond(() => this.run(c.cond, stdin)) === 0) return (this.status = this.run(c.body, stdin));
        }
        return (this.status = node.otherwise ? this.run(node.otherwise, stdin) : 0);
      }
      case 'for': {
        const items = node.items ? node.items.flatMap((w) => this.expand(w)) : [...this.args];
        const r = this.withRedirs(node.redirs, stdin, (input) => {
          let st = 0;
          for (const v of items) {
            this.vars.set(node.name, v); // items were expanded before the loop
            const o = this.loopBody(() => this.run(node.body, input));
            st = o.status;
            if (o.stop) break;
          }
          return st;
        });
        return (this.status = r);
      }
      case 'while': {
        const r = this.withRedirs(node.redirs, stdin, (input) => {
          let st = 0;
          for (let round = 0; ; round++) {
            if (round >= MAX_ROUNDS) {
              this.rec.problem(`${node.until ? 'until' : 'while'} loop still running after ${MAX_ROUNDS} rounds`);
              break;
            }
            const c = this.cond(() => this.run(node.cond, input));
            if ((c === 0) === node.until) break;
            const o = this.loopBody(() => this.run(node.body, input));
            st = o.status;
            if (o.stop) break;
          }
          return st;
        });
        return (this.status = r);
      }
      case 'func':
        this.funcs.set(node.name, node.body);
        return (this.status = 0);
      case 'case': {
        const subject = this.expand(node.subject, false).join(' ');
        for (const arm of node.arms) {
          if (arm.patterns.some((p) => globToRegExp(this.expand(p, false).join(' ')).test(subject))) {
            return (this.status = this.run(arm.body, stdin));
          }
        }
        return (this.status = 0);
      }
      case 'group':
      case 'simple': {
        const r = this.simpleOrCompound(node, stdin);
        this.emit(r.stdout);
        this.status = r.status;
        if (node.t === 'simple') this.checkErrexit(false);
        return this.status;
      }
    }
  }

  private cond(body: () => number): number {
    this.condDepth++;
    try { return body(); } finally { this.condDepth--; }
  }
  private condR(body: () => { status: number; stdout: string }): { status: number; stdout: string } {
    this.condDepth++;
    try { return body(); } finally { this.condDepth--; }
  }
  /** set -e: a failing command outside a condition ends the shell */
  private checkErrexit(negated: boolean): void {
    if (this.errexit && !negated && this.condDepth === 0 && this.status !== 0) throw new ExitSignal(this.status);
  }

  /** runs a loop body; break/continue for this loop stop here, outer levels travel on */
  private loopBody(body: () => number): { status: number; stop: boolean } {
    try {
      return { status: body(), stop: false };
    } catch (e) {
      if (!(e instanceof LoopSignal)) throw e;
      if (e.levels > 1) throw new LoopSignal(e.kind, e.levels - 1);
      return { status: 0, stop: e.kind === 'break' };
    }
  }

  /** a compound command with redirections: `done < file`, `done > file` */
  private withRedirs(redirs: Redir[], stdin: Input, body: (input: Input) => number): number {
    if (redirs.length === 0) return body(stdin);
    const text = this.redirInput(redirs);
    const input = text === undefined ? stdin : new Input(text);
    const r = this.capture(() => body(input));
    this.emit(this.redirOutput(redirs, r.stdout));
    return r.status;
  }

  /** a pipeline part: `exit` ends only its subshell (output it wrote before is dropped) */
  private subshell(body: () => { status: number; stdout: string }): { status: number; stdout: string } {
    const saved = this.out;
    try {
      return body();
    } catch (e) {
      if (e instanceof ExitSignal) return { status: e.status, stdout: '' };
      throw e;
    } finally {
      this.out = saved;
    }
  }

  private emit(text: string): void {
    if (text !== '' && this.out) this.out.push(text);
  }

  /** Run `body` with its standard output captured. */
  private capture(body: () => number): { status: number; stdout: string } {
    const saved = this.out;
    this.out = [];
    try {
      const status = body();
      return { status, stdout: this.out.join('') };
    } finally {
      this.out = saved;
    }
  }

  /** $(...): a subshell whose output, minus trailing newlines, becomes the word */
  private substitute(src: string): string {
    let node: Node;
    try {
      node = parseShell(src);
    } catch (e) {
      if (e instanceof ShellSyntaxError) throw new Unsupported(`command substitution $(${src}): ${e.message}`);
      throw e;
    }
    const saved = { vars: new Vars(this.vars), cwd: this.cwd };
    try {
      const r = this.capture(() => {
        try {
          return this.run(node, Input.empty);
        } catch (e) {
          if (e instanceof ExitSignal) return e.status;
          throw e;
        }
      });
      this.status = r.status;
      return r.stdout.replace(/\n+$/, '');
    } finally {
      this.vars = saved.vars;
      this.cwd = saved.cwd;
    }
  }

  private simpleOrCompound(node: Node, stdin: Input): { status: number; stdout: string } {
    if (node.t === 'group') {
      const text = this.redirInput(node.redirs);
      const input = text === undefined ? stdin : new Input(text);
      const saved = { vars: new Vars(this.vars), cwd: this.cwd };
      const r = this.capture(() => {
        try {
          return this.run(node.body, input);
        } catch (e) {
          if (node.subshell && e instanceof ExitSignal) return e.status;
          throw e;
        }
      });
      if (node.subshell) {
        this.vars = saved.vars;
        this.cwd = saved.cwd;
      }
      return { status: r.status, stdout: this.redirOutput(node.redirs, r.stdout) };
    }
    if (node.t !== 'simple') {
      const r = this.capture(() => this.run(node, stdin));
      return r;
    }
    let argv: string[];
    const temp = new Map<string, string>();
    try {
      argv = node.words.flatMap((w) => this.expand(w));
      for (const a of node.assigns) {
        const value = this.expand(a.value, false).join(' '); // may run $(...), which swaps this.vars
        if (node.words.length > 0) temp.set(a.name, value); // VAR=x cmd: the variable is only for cmd
        else this.vars.set(a.name, value);
      }
    } catch (e) {
      if (!(e instanceof Unsupported) || e instanceof OverBound) throw e;
      this.rec.problem(`${e.message} in: ${node.line}`);
      return { status: 0, stdout: '' };
    }
    const text = this.redirInput(node.redirs);
    const input = text === undefined ? stdin : new Input(text);
    const r = argv.length ? this.exec(argv, input, temp) : { status: 0, stdout: '' };
    return { status: r.status, stdout: this.redirOutput(node.redirs, r.stdout) };
  }

  private callFunction(body: Node, args: string[], stdin: Input): { status: number; stdout: string } {
    if (this.frames.length >= MAX_CALL_DEPTH) throw new Unsupported(`functions nested deeper than ${MAX_CALL_DEPTH} calls`);
    const saved = this.args;
    this.args = args;
    this.frames.push(new Map());
    try {
      return this.capture(() => {
        try {
          return this.run(body, stdin);
        } catch (e) {
          if (e instanceof ReturnSignal) return e.status;
          throw e;
        }
      });
    } finally {
      this.args = saved;
      for (const [k, v] of this.frames.pop()!) {
        if (v === undefined) this.vars.delete(k);
        else this.vars.set(k, v);
      }
    }
  }

  private exec(argv: string[], stdin: Input, temp: Map<string, string> = new Map()): { status: number; stdout: string } {
    const name = argv[0]!;
    const fn = this.funcs.get(name);
    if (fn) return this.callFunction(fn, argv.slice(1), stdin);
    const count = (a: string | undefined, dflt: number): number => (a === undefined ? dflt : /^\d+$/.test(a) ? Number(a) : NaN);
    switch (name) {
      case 'exit':
        throw new ExitSignal(argv[1] === undefined ? this.status : Number(argv[1]) || 0);
      case 'return':
        throw new ReturnSignal(argv[1] === undefined ? this.status : Number(argv[1]) || 0);
      case 'break': case 'continue': {
        const n = count(argv[1], 1);
        if (!(n >= 1)) throw new Unsupported(`${argv.join(' ')}`);
        throw new LoopSignal(name, n);
      }
      case 'shift': {
        const n = count(argv[1], 1);
        if (!(n >= 0) || n > this.args.length) return { status: 1, stdout: '' };
        this.args = this.args.slice(n);
        return { status: 0, stdout: '' };
      }
      case 'read': {
        const r = readBuiltin(argv, stdin, temp.get('IFS') ?? this.vars.get('IFS') ?? ' \t\n');
        for (const p of r.problems) this.rec.problem(p);
        for (const [k, v] of r.assign) this.vars.set(k, v);
        return { status: r.status, stdout: '' };
      }
      case 'local': {
        const frame = this.frames[this.frames.length - 1];
        for (const a of argv.slice(1)) {
          const eq = a.indexOf('=');
          const n = eq > 0 ? a.slice(0, eq) : a;
          if (frame && !frame.has(n)) frame.set(n, this.vars.get(n));
          if (eq > 0) this.vars.set(n, a.slice(eq + 1));
          else if (frame) this.vars.delete(n);
        }
        return { status: 0, stdout: '' };
      }
      case ':': case 'true': return { status: 0, stdout: '' };
      case 'false': return { status: 1, stdout: '' };
      case 'export': case 'readonly':
        for (const a of argv.slice(1)) {
          const eq = a.indexOf('=');
          if (eq > 0) this.vars.set(a.slice(0, eq), a.slice(eq + 1));
        }
        return { status: 0, stdout: '' };
      case 'unset':
        for (const a of argv.slice(1)) this.vars.delete(a);
        return { status: 0, stdout: '' };
      case 'set': {
        let i = 1;
        for (; i < argv.length; i++) {
          const a = argv[i]!;
          if (a === '--') { i++; this.args = argv.slice(i); break; }
          if (!/^[-+][a-zA-Z]+$/.test(a)) { this.args = argv.slice(i); break; } // set a b: new positional parameters
          if (a === '-o' || a === '+o') { this.rec.problem(`set ${a} ${argv[i + 1] ?? ''} is not emulated`); i++; continue; }
          if (a.includes('e')) this.errexit = a[0] === '-';
          const other = a.slice(1).replace(/[exv]/g, ''); // -x and -v only print
          if (other) this.rec.problem(`set ${a[0]}${other} is not emulated`);
        }
        return { status: 0, stdout: '' };
      }
      case 'eval': {
        const src = argv.slice(1).join(' ');
        let node: Node;
        try {
          node = parseShell(src);
        } catch (e) {
          if (e instanceof ShellSyntaxError) throw new Unsupported(`eval ${src}: ${e.message}`);
          throw e;
        }
        return this.capture(() => this.run(node, stdin));
      }
      case '.': case 'source':
        return this.source(argv, stdin);
      case 'umask': case 'trap': case 'wait': case 'sync':
        return { status: 0, stdout: '' };
      case 'cd':
        this.cwd = joinPath(this.cwd, argv[1] ?? '/');
        return { status: this.env.fs.lstat(this.cwd) ? 0 : 1, stdout: '' };
      case '[': case 'test': {
        const args = name === '[' ? argv.slice(1, argv[argv.length - 1] === ']' ? -1 : undefined) : argv.slice(1);
        const v = evalTest(args, this.env.fs, this.cwd);
        if (v === undefined) {
          this.rec.problem(`unsupported test: ${argv.join(' ')}`);
          return { status: 1, stdout: '' };
        }
        return { status: v ? 0 : 1, stdout: '' };
      }
      case 'echo': {
        let a = argv.slice(1);
        let nl = true;
        while (a[0] === '-n' || a[0] === '-e' || a[0] === '-E') { if (a[0] === '-n') nl = false; a = a.slice(1); }
        return { status: 0, stdout: a.join(' ') + (nl ? '\n' : '') };
      }
      case 'cat': {
        if (argv.length === 1 || argv[1] === '-') return { status: 0, stdout: stdin.rest() };
        const texts = argv.slice(1).map((p) => readText(this.env.fs, this.abs(p)));
        return { status: texts.some((t) => t === undefined) ? 1 : 0, stdout: texts.join('') };
      }
    }
    const cmd = this.lookup(base(name), argv);
    if (!cmd) {
      const script = this.imageScript(name);
      if (script) return this.runImageScript(script, argv, stdin);
      this.rec.problem(`unhandled command: ${argv.join(' ')}`);
      return { status: 0, stdout: '' };
    }
    // a command that reads its standard input takes all of it
    const io = { get stdin(): string { return stdin.rest(); } };
    // commands see image paths absolute: ./x always, any relative argument of those that only take paths
    const paths = PATH_ONLY.has(base(name)) && this.cwd !== '/';
    const r = cmd(argv.map((a, i) => (i > 0 && !a.startsWith('-') && (a.startsWith('./') || (paths && !a.startsWith('/'))) ? this.abs(a) : a)), { env: this.env, rec: this.rec, io });
    return typeof r === 'number' ? { status: r, stdout: '' } : { status: r.status, stdout: r.stdout ?? '' };
  }

  /** `. FILE`: the file of the image runs in this shell (its variables stay set) */
  private source(argv: string[], stdin: Input): { status: number; stdout: string } {
    const file = argv[1];
    if (file === undefined) return { status: 2, stdout: '' };
    const path = file.includes('/') ? this.abs(file) : PATH_DIRS.map((d) => `${d}/${file}`).find((p) => this.env.fs.exists(p));
    const text = path === undefined ? undefined : readTextFollow(this.env.fs, path);
    if (text === undefined) {
      // sh (bash as sh, dash) ends a non-interactive shell when `.` cannot read its file
      this.rec.act(`. ${file}: no such file in the image, the shell exits`);
      throw new ExitSignal(1);
    }
    if (this.depth >= MAX_DEPTH) throw new Unsupported(`. ${file}: sourced files nested deeper than ${MAX_DEPTH}`);
    const node = this.parseOrStop(text, `. ${file}`);
    const saved = this.args;
    if (argv.length > 2) this.args = argv.slice(2);
    try {
      return this.capture(() => {
        try {
          return this.run(node, stdin);
        } catch (e) {
          if (e instanceof ReturnSignal) return e.status; // `return` ends a sourced file
          throw e;
        }
      });
    } finally {
      if (argv.length > 2) this.args = saved;
    }
  }

  private parseOrStop(text: string, what: string): Node {
    try {
      return parseShell(text);
    } catch (e) {
      if (e instanceof ShellSyntaxError) throw new Unsupported(`${what}: ${e.message}`);
      throw e;
    }
  }

  /** a program of the image that is a sh/bash script: its path, text and whether its #! line says -e */
  private imageScript(name: string): { path: string; text: string; errexit: boolean } | undefined {
    const path = name.includes('/') ? this.abs(name) : PATH_DIRS.map((d) => `${d}/${name}`).find((p) => this.env.fs.exists(p));
    if (path === undefined) return undefined;
    const text = readTextFollow(this.env.fs, path);
    const m = text === undefined ? null : /^#!\s*(\/usr)?\/bin\/(sh|bash)([ \t]+-e)?[ \t]*\n/.exec(text);
    if (!m || text === undefined) return undefined;
    return { path, text, errexit: m[3] !== undefined };
  }

  private runImageScript(script: { path: string; text: string; errexit: boolean }, argv: string[], stdin: Input): { status: number; stdout: string } {
    if (this.depth >= MAX_DEPTH) throw new Unsupported(`${script.path}: scripts nested deeper than ${MAX_DEPTH}`);
    const node = this.parseOrStop(script.text, script.path);
    this.rec.act(`ran ${script.path} (a shell script of the image)`);
    const child = new ShellRun(this.env, this.rec, argv.slice(1), this.lookup, this.depth + 1);
    return child.runProgram(node, stdin, script.errexit);
  }

  private abs(p: string): string {
    return p.startsWith('/') ? p : joinPath(this.cwd, p);
  }

  private redirInput(redirs: Redir[]): string | undefined {
    let input: string | undefined;
    for (const r of redirs) {
      if ('body' in r) input = r.quoted ? r.body : this.expandText(r.body);
      else if (r.op === '<' && (r.fd === null || r.fd === 0)) {
        const p = this.expand(r.target, false).join(' ');
        input = p === '/dev/null' ? '' : readText(this.env.fs, this.abs(p)) ?? '';
      }
    }
    return input;
  }

  /** Writes stdout where it is redirected; returns what is left for a pipe. */
  private redirOutput(redirs: Redir[], stdout: string): string {
    let left = stdout;
    for (const r of redirs) {
      if ('body' in r || r.op === '<' || r.op === '>&' || r.op === '<&') continue;
      const fd = r.op === '&>' ? 1 : r.fd ?? 1;
      if (fd !== 1) continue;
      const target = this.expand(r.target, false).join(' ');
      left = '';
      if (target.startsWith('/dev/')) continue;
      const p = this.abs(target);
      const old = r.op === '>>' ? readText(this.env.fs, p) ?? '' : '';
      this.env.fs.writeFile(p, old + stdout);
      this.rec.act(`${r.op === '>>' ? 'appended to' : 'wrote'} ${p}`);
    }
    return left;
  }

  /** $(( expr )): parameters are expanded first, then the expression is evaluated */
  private arith(expr: string): string {
    if (/\$\(|`/.test(expr)) throw new Unsupported(`command substitution inside $((${expr}))`);
    const text = this.expandText(expr);
    try {
      return String(evalArith(text, { get: (n) => this.param(n), set: (n, v) => this.vars.set(n, v) }));
    } catch (e) {
      if (e instanceof ArithError) throw new Unsupported(`arithmetic $((${expr})): ${e.message}`);
      throw e;
    }
  }

  private param(name: string): string | undefined {
    if (/^\d+$/.test(name)) return name === '0' ? '/bin/sh' : this.args[Number(name) - 1];
    if (name === '#') return String(this.args.length);
    if (name === '?') return String(this.status);
    if (name === '@' || name === '*') return this.args.join(' ');
    if (name === '$') return '1';
    return this.vars.get(name);
  }

  private expandText(text: string): string {
    return text.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*|[0-9#?])\}?/g, (_m, n: string) => this.param(n) ?? '');
  }

  /** Expand a word into fields; `split` false keeps it one field (assignments, redirections, case). */
  expand(word: Word, split = true): string[] {
    if (split) {
      // brace expansion first, within one unquoted literal part: a{b,c} $x/{d,e}
      const at = word.parts.findIndex((p) => p.kind === 'lit' && !p.quoted && braceExpand(p.text).length > 1);
      if (at >= 0) {
        const part = word.parts[at] as Extract<WordPart, { kind: 'lit' }>;
        return braceExpand(part.text).flatMap((t) => this.expand({ parts: word.parts.map((p, i) => (i === at ? { ...part, text: t } : p)) }));
      }
    }
    return expandWord(word, split, {
      param: (n) => this.param(n),
      substitute: (src) => this.substitute(src),
      arith: (expr) => this.arith(expr),
      glob: (pattern) => this.glob(pattern),
      word: (src) => this.expandText(src),
      unsupported: (what) => new Unsupported(what),
    });
  }

  /** relative patterns match against the current directory and stay relative */
  private glob(pattern: string): string[] {
    if (pattern.startsWith('/')) return globImage(this.env.fs, pattern);
    const dir = this.cwd === '/' ? '' : this.cwd;
    return globImage(this.env.fs, `${dir.replace(/[*?[\]\\]/g, '\\$&')}/${pattern}`).map((p) => p.slice(dir.length + 1));
  }
}
