// Word expansion as sh does it: parameters (with ${x:-y} forms), $(...) and $(( )) through the
// running shell, field splitting of unquoted results, and globbing over the image of unquoted
// patterns (a pattern that matches nothing stays as written).
import type { Word } from './lex.js';
import { globToRegExp } from '../../util/glob.js';

/** What expansion needs from the running shell. */
export interface ExpandContext {
  param(name: string): string | undefined;
  substitute(src: string): string;
  arith(expr: string): string;
  glob(pattern: string): string[];
  /** the word after an operator (${x:-word}, ${x#word}): its parameters expanded */
  word(src: string): string;
  /** the error that stops the scriptlet at a construct we do not follow */
  unsupported(what: string): Error;
}

/** Expand a word into fields; `split` false keeps it one field (assignments, redirections, case). */
export function expandWord(word: Word, split: boolean, sh: ExpandContext): string[] {
  const fields: string[] = [''];
  let globbable = false;
  let sawQuoted = false;
  const pattern: string[] = [''];
  // unquoted expansions split into fields; their text never globs
  const addExpanded = (text: string, quoted: boolean): void => {
    if (!quoted && split) {
      const pieces = text.split(/[ \t\n]+/);
      fields[fields.length - 1] += pieces[0]!;
      pattern[pattern.length - 1] += pieces[0]!;
      for (const p of pieces.slice(1)) { fields.push(p); pattern.push(p); }
    } else {
      fields[fields.length - 1] += text;
      if (split) pattern[pattern.length - 1] += text.replace(/[*?[\]\\]/g, '\\$&'); // only split words glob
    }
  };
  for (const part of word.parts) {
    if (part.kind === 'unsupported') throw sh.unsupported(part.what);
    let text: string;
    if (part.kind === 'cmdsub') {
      if (part.quoted) sawQuoted = true;
      addExpanded(sh.substitute(part.src), part.quoted);
      continue;
    }
    if (part.kind === 'arith') {
      if (part.quoted) sawQuoted = true;
      addExpanded(sh.arith(part.expr), part.quoted);
      continue;
    }
    if (part.kind === 'lit') {
      text = part.text;
      if (part.quoted) sawQuoted = true;
      else if (/[*?[]/.test(text)) globbable = true;
      fields[fields.length - 1] += text;
      pattern[pattern.length - 1] += part.quoted ? text.replace(/[*?[\]\\]/g, '\\$&') : text;
      continue;
    }
    const v = sh.param(part.name);
    const arg = (): string => sh.word(part.arg ?? '');
    if (part.op === undefined) text = v ?? '';
    else if (part.op === 'len') text = String([...(v ?? '')].length);
    else if (/^(##?|%%?|\/\/?)$/.test(part.op)) text = trimOrReplace(v ?? '', part.op, part.arg ?? '', sh);
    else if (part.op.startsWith(':') && (v === undefined || v === '')) text = part.op.endsWith('-') || part.op.endsWith('=') ? arg() : '';
    else if (!part.op.startsWith(':') && v === undefined) text = part.op === '-' || part.op === '=' ? arg() : '';
    else text = part.op.endsWith('+') ? arg() : v ?? '';
    if (part.quoted) sawQuoted = true;
    addExpanded(text, part.quoted);
  }
  const out = fields.filter((f, i) => f !== '' || (sawQuoted && i === 0 && fields.length === 1));
  if (!globbable || !split) return out;
  return out.flatMap((f, i) => {
    const matches = sh.glob(pattern[i] ?? f);
    return matches.length ? matches : [f];
  });
}

/** ${v#p} ${v##p} ${v%p} ${v%%p} (shortest/longest prefix/suffix) and bash's ${v/p/r} ${v//p/r} */
function trimOrReplace(v: string, op: string, rawArg: string, sh: ExpandContext): string {
  if (op[0] === '/') {
    const slash = rawArg.search(/(^|[^\\])\//);
    const cut = slash < 0 ? -1 : rawArg[slash] === '/' ? slash : slash + 1;
    const pat = sh.word(cut < 0 ? rawArg : rawArg.slice(0, cut));
    const repl = cut < 0 ? '' : sh.word(rawArg.slice(cut + 1));
    if (pat === '' || pat[0] === '#' || pat[0] === '%') throw sh.unsupported(`parameter expansion with an anchored or empty pattern: /${rawArg}`);
    const re = globToRegExp(pat);
    let out = '';
    let i = 0;
    let replaced = false;
    while (i < v.length) {
      let hit = -1;
      if (!(replaced && op === '/')) for (let end = v.length; end > i; end--) if (re.test(v.slice(i, end))) { hit = end; break; }
      if (hit < 0) { out += v[i]; i++; continue; }
      out += repl;
      i = hit;
      replaced = true;
    }
    return out;
  }
  const re = globToRegExp(sh.word(rawArg));
  const n = v.length;
  if (op === '#') { for (let k = 0; k <= n; k++) if (re.test(v.slice(0, k))) return v.slice(k); }
  else if (op === '##') { for (let k = n; k >= 0; k--) if (re.test(v.slice(0, k))) return v.slice(k); }
  else if (op === '%') { for (let k = n; k >= 0; k--) if (re.test(v.slice(k))) return v.slice(0, k); }
  else for (let k = 0; k <= n; k++) if (re.test(v.slice(k))) return v.slice(0, k);
  return v;
}

/** More words than any scriptlet writes: {a,b}{a,b}... doubles with each group. */
export const MAX_BRACE_WORDS = 10_000;

/** bash brace expansion of an unquoted word: a{b,c}d -> abd acd (nested and repeated groups) */
export function braceExpand(text: string): string[] {
  const out: string[] = [];
  braceInto(text, out);
  return out;
}

function braceInto(text: string, out: string[]): void {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') { i++; continue; }
    if (text[i] !== '{') continue;
    let depth = 0;
    const commas: number[] = [];
    let end = -1;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (c === '\\') { j++; continue; }
      if (c === '{') depth++;
      else if (c === '}' && --depth === 0) { end = j; break; }
      else if (c === ',' && depth === 1) commas.push(j);
    }
    if (end < 0) break;
    if (commas.length === 0) continue; // {} and {x} stay as written
    const pre = text.slice(0, i);
    const post = text.slice(end + 1);
    let from = i + 1;
    for (const c of [...commas, end]) { braceInto(pre + text.slice(from, c) + post, out); from = c + 1; }
    return;
  }
  if (out.length >= MAX_BRACE_WORDS) throw new RangeError(`brace expansion of more than ${MAX_BRACE_WORDS} words`);
  out.push(text);
}
