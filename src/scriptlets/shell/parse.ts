// Parser for the scriptlet sh subset: lists, && / ||, pipelines, if/elif/else, for, while,
// until, case, { } and ( ) groups, function definitions, redirections and here-documents.
// Anything else (select, (( )) commands) is rejected with a reason, so the scriptlet is
// reported rather than half-run.
import { ShellSyntaxError, lex } from './lex.js';
import type { Token, Word } from './lex.js';

export type Redir =
  | { op: string; fd: number | null; target: Word }
  | { op: '<<'; fd: number | null; body: string; quoted: boolean };

export type Node =
  | { t: 'list'; items: Node[] }
  | { t: 'andor'; first: Node; rest: { op: '&&' | '||'; node: Node }[] }
  | { t: 'pipe'; negate: boolean; cmds: Node[] }
  | { t: 'simple'; assigns: { name: string; value: Word }[]; words: Word[]; redirs: Redir[]; line: string }
  | { t: 'if'; clauses: { cond: Node; body: Node }[]; otherwise: Node | null }
  /** items null: `for x; do` iterates over the positional parameters */
  | { t: 'for'; name: string; items: Word[] | null; body: Node; redirs: Redir[] }
  | { t: 'while'; until: boolean; cond: Node; body: Node; redirs: Redir[] }
  | { t: 'func'; name: string; body: Node }
  | { t: 'case'; subject: Word; arms: { patterns: Word[]; body: Node }[] }
  | { t: 'group'; body: Node; subshell: boolean; redirs: Redir[] };

export { ShellSyntaxError };

const RESERVED = new Set(['then', 'elif', 'else', 'fi', 'do', 'done', 'esac', '}', 'in']);

export function parseShell(src: string): Node {
  const p = new Parser(lex(src));
  const node = p.list(new Set());
  if (!p.atEnd()) throw new ShellSyntaxError(`unexpected ${p.describe()}`);
  return node;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  atEnd(): boolean {
    return this.i >= this.toks.length;
  }
  describe(): string {
    const t = this.toks[this.i];
    if (!t) return 'end of script';
    return t.t === 'word' ? `'${t.raw}'` : t.t === 'op' ? `'${t.op}'` : t.t;
  }
  private peekWord(): string | undefined {
    const t = this.toks[this.i];
    return t?.t === 'word' ? t.raw : undefined;
  }
  private peekOp(): string | undefined {
    const t = this.toks[this.i];
    return t?.t === 'op' ? t.op : undefined;
  }
  private skipNewlines(): void {
    while (this.toks[this.i]?.t === 'nl') this.i++;
  }
  private expectWord(w: string): void {
    this.skipNewlines();
    if (this.peekWord() !== w) throw new ShellSyntaxError(`expected '${w}' but found ${this.describe()}`);
    this.i++;
  }

  /** a sequence of and-or lists, ending at EOF, ')' , ';;' or one of the reserved words in `stop` */
  list(stop: Set<string>): Node {
    const items: Node[] = [];
    for (;;) {
      this.skipNewlines();
      if (this.atEnd()) break;
      const w = this.peekWord();
      if (w !== undefined && stop.has(w)) break;
      const op = this.peekOp();
      if (op === ')' || op === ';;') break;
      items.push(this.andOr());
      const sep = this.peekOp();
      if (sep === ';' || sep === '&') this.i++;
      else if (this.toks[this.i]?.t === 'nl') this.i++;
      else if (!this.atEnd() && sep !== ')' && sep !== ';;' && !(this.peekWord() !== undefined && stop.has(this.peekWord()!))) {
        throw new ShellSyntaxError(`unexpected ${this.describe()}`);
      }
    }
    return { t: 'list', items };
  }

  private andOr(): Node {
    const first = this.pipeline();
    const rest: { op: '&&' | '||'; node: Node }[] = [];
    for (;;) {
      const op = this.peekOp();
      if (op !== '&&' && op !== '||') break;
      this.i++;
      this.skipNewlines();
      rest.push({ op, node: this.pipeline() });
    }
    return rest.length ? { t: 'andor', first, rest } : first;
  }

  private pipeline(): Node {
    let negate = false;
    if (this.peekWord() === '!') { negate = true; this.i++; }
    const cmds = [this.command()];
    while (this.peekOp() === '|') {
      this.i++;
      this.skipNewlines();
      cmds.push(this.command());
    }
    return cmds.length === 1 && !negate ? cmds[0]! : { t: 'pipe', negate, cmds };
  }

  private command(): Node {
    const w = this.peekWord();
    if (w === 'if') return this.ifClause();
    if (w === 'for') return this.forClause();
    if (w === 'case') return this.caseClause();
    if (w === 'while' || w === 'until') return this.whileClause(w === 'until');
    if (w === 'function') {
      this.i++;
      const name = this.peekWord();
      if (name === undefined || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) throw new ShellSyntaxError('function without a name');
      this.i++;
      if (this.peekOp() === '(') this.funcParens();
      return this.funcBody(name);
    }
    if (w === 'select') throw new ShellSyntaxError(`'${w}' is not supported`);
    if (w !== undefined && /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(w) && this.toks[this.i + 1]?.t === 'op' && (this.toks[this.i + 1] as { op: string }).op === '(') {
      this.i++;
      this.funcParens();
      return this.funcBody(w);
    }
    if (w === '{') {
      this.i++;
      const body = this.list(new Set(['}']));
      this.expectWord('}');
      return { t: 'group', body, subshell: false, redirs: this.redirs() };
    }
    if (this.peekOp() === '(') {
      this.i++;
      const body = this.list(new Set());
      this.skipNewlines();
      if (this.peekOp() !== ')') throw new ShellSyntaxError(`expected ')' but found ${this.describe()}`);
      this.i++;
      return { t: 'group', body, subshell: true, redirs: this.redirs() };
    }
    if (w !== undefined && RESERVED.has(w)) throw new ShellSyntaxError(`unexpected '${w}'`);
    return this.simple();
  }

  private redirs(): Redir[] {
    const out: Redir[] = [];
    for (;;) {
      const t = this.toks[this.i];
      if (t?.t === 'heredoc') {
        out.push({ op: '<<', fd: t.fd, body: t.body, quoted: t.quoted });
        this.i++;
      } else if (t?.t === 'redir') {
        const target = this.toks[this.i + 1];
        if (target?.t !== 'word') throw new ShellSyntaxError(`redirection ${t.op} without a target`);
        out.push({ op: t.op, fd: t.fd, target: target.word });
        this.i += 2;
      } else return out;
    }
  }

  private simple(): Node {
    const assigns: { name: string; value: Word }[] = [];
    const words: Word[] = [];
    const redirs: Redir[] = [];
    const raws: string[] = [];
    for (;;) {
      const t = this.toks[this.i];
      if (t?.t === 'word') {
        if (words.length > 0 && t.raw === '(' ) break;
        const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(t.raw);
        if (words.length === 0 && m) {
          assigns.push({ name: m[1]!, value: stripPrefix(t.word, m[0].length) });
        } else words.push(t.word);
        raws.push(t.raw);
        this.i++;
      } else if (t?.t === 'redir' || t?.t === 'heredoc') {
        redirs.push(...this.redirs());
      } else break;
    }
    if (words.length === 0 && assigns.length === 0 && redirs.length === 0) {
      throw new ShellSyntaxError(`unexpected ${this.describe()}`);
    }
    return { t: 'simple', assigns, words, redirs, line: raws.join(' ') };
  }

  private ifClause(): Node {
    this.i++;
    const clauses: { cond: Node; body: Node }[] = [];
    let otherwise: Node | null = null;
    for (;;) {
      const cond = this.list(new Set(['then']));
      this.expectWord('then');
      const body = this.list(new Set(['elif', 'else', 'fi']));
      clauses.push({ cond, body });
      this.skipNewlines();
      const w = this.peekWord();
      this.i++;
      if (w === 'elif') continue;
      if (w === 'else') {
        otherwise = this.list(new Set(['fi']));
        this.expectWord('fi');
      } else if (w !== 'fi') throw new ShellSyntaxError(`expected 'fi' but found ${w ?? 'end of script'}`);
      break;
    }
    return { t: 'if', clauses, otherwise };
  }

  private forClause(): Node {
    this.i++;
    const name = this.peekWord();
    if (name === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ShellSyntaxError('for without a variable name');
    this.i++;
    const items: Word[] = [];
    this.skipNewlines();
    const sawIn = this.peekWord() === 'in';
    if (sawIn) {
      this.i++;
      for (let t = this.toks[this.i]; t?.t === 'word'; t = this.toks[++this.i]) items.push(t.word);
    }
    if (this.peekOp() === ';') this.i++;
    this.expectWord('do');
    const body = this.list(new Set(['done']));
    this.expectWord('done');
    return { t: 'for', name, items: sawIn ? items : null, body, redirs: this.redirs() };
  }

  private whileClause(until: boolean): Node {
    this.i++;
    const cond = this.list(new Set(['do']));
    this.expectWord('do');
    const body = this.list(new Set(['done']));
    this.expectWord('done');
    return { t: 'while', until, cond, body, redirs: this.redirs() };
  }

  private funcParens(): void {
    this.i++;
    if (this.peekOp() !== ')') throw new ShellSyntaxError(`expected ')' after '(' in a function definition but found ${this.describe()}`);
    this.i++;
  }

  private funcBody(name: string): Node {
    this.skipNewlines();
    const w = this.peekWord();
    if (w !== '{' && w !== 'if' && w !== 'for' && w !== 'while' && w !== 'until' && w !== 'case' && this.peekOp() !== '(') {
      throw new ShellSyntaxError(`function ${name} without a compound body`);
    }
    return { t: 'func', name, body: this.command() };
  }

  private caseClause(): Node {
    this.i++;
    const t = this.toks[this.i];
    if (t?.t !== 'word') throw new ShellSyntaxError('case without a subject');
    this.i++;
    this.expectWord('in');
    const arms: { patterns: Word[]; body: Node }[] = [];
    for (;;) {
      this.skipNewlines();
      if (this.peekWord() === 'esac') { this.i++; break; }
      if (this.peekOp() === '(') this.i++;
      const patterns: Word[] = [];
      for (;;) {
        const p = this.toks[this.i];
        if (p?.t !== 'word') throw new ShellSyntaxError('case arm without a pattern');
        patterns.push(p.word);
        this.i++;
        if (this.peekOp() === '|') { this.i++; continue; }
        break;
      }
      if (this.peekOp() !== ')') throw new ShellSyntaxError(`expected ')' in case arm but found ${this.describe()}`);
      this.i++;
      const body = this.list(new Set(['esac']));
      if (this.peekOp() === ';;') this.i++;
      arms.push({ patterns, body });
    }
    return { t: 'case', subject: t.word, arms };
  }
}

function stripPrefix(word: Word, n: number): Word {
  const parts = word.parts.map((p) => ({ ...p }));
  let left = n;
  while (left > 0 && parts.length) {
    const p = parts[0]!;
    if (p.kind !== 'lit') break;
    if (p.text.length <= left) { left -= p.text.length; parts.shift(); }
    else { p.text = p.text.slice(left); left = 0; }
  }
  return { parts };
}
