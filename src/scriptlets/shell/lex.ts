// Tokeniser for the POSIX sh subset rpm scriptlets are written in. Words keep their quoting so
// the interpreter expands `$1` and globs the way sh would; anything we cannot model (command
// substitution, arithmetic) is kept as a part of its own; what cannot be modelled at all is
// marked unsupported so running it is reported, never guessed.

export type WordPart =
  | { kind: 'lit'; text: string; quoted: boolean }
  | { kind: 'var'; name: string; quoted: boolean; op?: string; arg?: string }
  | { kind: 'cmdsub'; src: string; quoted: boolean }
  | { kind: 'arith'; expr: string; quoted: boolean }
  | { kind: 'unsupported'; what: string };

export interface Word {
  parts: WordPart[];
}

export type Token =
  | { t: 'word'; word: Word; raw: string }
  | { t: 'op'; op: string }
  | { t: 'redir'; fd: number | null; op: string }
  | { t: 'heredoc'; fd: number | null; body: string; quoted: boolean }
  | { t: 'nl' };

export class ShellSyntaxError extends Error {}

const META = new Set([' ', '\t', '\n', ';', '&', '|', '<', '>', '(', ')']);
const OPS = ['&&', '||', ';;', '&>', '>>', '>&', '<&', '<<', ';', '&', '|', '(', ')', '<', '>'];

export function lex(src: string): Token[] {
  const out: Token[] = [];
  const pendingHeredocs: { tok: { t: 'heredoc'; fd: number | null; body: string; quoted: boolean }; delim: string; strip: boolean }[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === ' ' || c === '\t') { i++; continue; }
    if (c === '\\' && src[i + 1] === '\n') { i += 2; continue; }
    if (c === '#') { while (i < n && src[i] !== '\n') i++; continue; }
    if (c === '\n') {
      out.push({ t: 'nl' });
      i++;
      for (const h of pendingHeredocs.splice(0)) {
        const lines: string[] = [];
        for (;;) {
          if (i >= n) throw new ShellSyntaxError(`here-document ${h.delim} is not terminated`);
          const end = src.indexOf('\n', i);
          let line = end < 0 ? src.slice(i) : src.slice(i, end);
          i = end < 0 ? n : end + 1;
          if (h.strip) line = line.replace(/^\t+/, '');
          if (line === h.delim) break;
          lines.push(line);
        }
        h.tok.body = lines.length ? lines.join('\n') + '\n' : '';
      }
      continue;
    }
    // an io number directly before a redirection operator: 2>/dev/null
    const fdMatch = /^(\d)(?=[<>])/.exec(src.slice(i, i + 2));
    const fd = fdMatch ? Number(fdMatch[1]) : null;
    const j = fdMatch ? i + 1 : i;
    const op = OPS.find((o) => src.startsWith(o, j));
    if (op !== undefined && (fd === null || op.startsWith('<') || op.startsWith('>'))) {
      i = j + op.length;
      if (op === '<<') {
        const strip = src[i] === '-';
        if (strip) i++;
        while (src[i] === ' ' || src[i] === '\t') i++;
        const start = i;
        while (i < n && !META.has(src[i]!)) i++;
        const rawDelim = src.slice(start, i);
        const quoted = /['"\\]/.test(rawDelim);
        const tok = { t: 'heredoc' as const, fd, body: '', quoted };
        out.push(tok);
        pendingHeredocs.push({ tok, delim: rawDelim.replace(/['"\\]/g, ''), strip });
      } else if (op === '&>' || op.startsWith('>') || op.startsWith('<')) {
        out.push({ t: 'redir', fd, op });
      } else {
        out.push({ t: 'op', op });
      }
      continue;
    }
    const start = i;
    const parts: WordPart[] = [];
    i = readWord(src, i, parts);
    out.push({ t: 'word', word: { parts }, raw: src.slice(start, i) });
  }
  if (pendingHeredocs.length) throw new ShellSyntaxError('here-document without a body');
  return out;
}

function pushLit(parts: WordPart[], text: string, quoted: boolean): void {
  const last = parts[parts.length - 1];
  if (last?.kind === 'lit' && last.quoted === quoted) last.text += text;
  else parts.push({ kind: 'lit', text, quoted });
}

function readWord(src: string, i: number, parts: WordPart[]): number {
  const n = src.length;
  while (i < n && !META.has(src[i]!)) {
    const c = src[i]!;
    if (c === "'") {
      const end = src.indexOf("'", i + 1);
      if (end < 0) throw new ShellSyntaxError('unterminated single quote');
      pushLit(parts, src.slice(i + 1, end), true);
      i = end + 1;
    } else if (c === '"') {
      i++;
      if (src[i] === '"') pushLit(parts, '', true); // "" is an empty word, not no word
      while (i < n && src[i] !== '"') {
        const d = src[i]!;
        if (d === '\\' && i + 1 < n && '$`"\\\n'.includes(src[i + 1]!)) {
          if (src[i + 1] !== '\n') pushLit(parts, src[i + 1]!, true);
          i += 2;
        } else if (d === '$' || d === '`') {
          i = readDollar(src, i, parts, true);
        } else {
          pushLit(parts, d, true);
          i++;
        }
      }
      if (i >= n) throw new ShellSyntaxError('unterminated double quote');
      i++;
    } else if (c === '\\') {
      if (src[i + 1] === '\n') { i += 2; continue; }
      pushLit(parts, src[i + 1] ?? '', true);
      i += 2;
    } else if (c === '$' || c === '`') {
      i = readDollar(src, i, parts, false);
    } else {
      pushLit(parts, c, false);
      i++;
    }
  }
  return i;
}

/** `$name`, `${name}`, `${name:-x}`, `$1`, `$?`, `$(..)`, `$((..))` and backquotes. */
function readDollar(src: string, i: number, parts: WordPart[], quoted: boolean): number {
  if (src[i] === '`') {
    const end = src.indexOf('`', i + 1);
    if (end < 0) throw new ShellSyntaxError('unterminated backquote');
    parts.push({ kind: 'cmdsub', src: src.slice(i + 1, end).replace(/\\([`$\\])/g, '$1'), quoted });
    return end + 1;
  }
  const next = src[i + 1];
  if (next === '(') {
    let depth = 0;
    let j = i + 1;
    for (; j < src.length; j++) {
      if (src[j] === '(') depth++;
      else if (src[j] === ')' && --depth === 0) break;
    }
    if (j >= src.length) throw new ShellSyntaxError('unterminated $(');
    if (src[i + 2] === '(' && src[j - 1] === ')') parts.push({ kind: 'arith', expr: src.slice(i + 3, j - 1), quoted });
    else parts.push({ kind: 'cmdsub', src: src.slice(i + 2, j), quoted });
    return j + 1;
  }
  if (next === '{') {
    // the closing brace, skipping nested ${...} in the word after the operator
    let depth = 0;
    let end = i + 2;
    for (; end < src.length; end++) {
      if (src[end] === '\\') { end++; continue; }
      if (src[end] === '{') depth++;
      else if (src[end] === '}' && depth-- === 0) break;
    }
    if (end >= src.length) throw new ShellSyntaxError('unterminated ${');
    const inner = src.slice(i + 2, end);
    const len = /^#([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*])$/.exec(inner);
    // ${x:-w} ${x=w} ${x#pat} ${x##pat} ${x%pat} ${x%%pat}, and bash's ${x/pat/repl} ${x//pat/repl}
    const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[#?@*])(?:(:?[-=+?]|##?|%%?|\/\/?)([\s\S]*))?$/.exec(inner);
    if (len) parts.push({ kind: 'var', name: len[1]!, quoted, op: 'len', arg: '' });
    else if (!m) parts.push({ kind: 'unsupported', what: `parameter expansion \${${inner}}` });
    else parts.push({ kind: 'var', name: m[1]!, quoted, ...(m[2] ? { op: m[2], arg: m[3] ?? '' } : {}) });
    return end + 1;
  }
  const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9#?@*$!-])/.exec(src.slice(i + 1));
  if (!m) {
    pushLit(parts, '$', quoted);
    return i + 1;
  }
  parts.push({ kind: 'var', name: m[1]!, quoted });
  return i + 1 + m[1]!.length;
}
