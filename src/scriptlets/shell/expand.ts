// Word expansion as sh does it: parameters (with ${x:-y} forms), $(...) and $(( )) through the
// running shell, field splitting of unquoted results, and globbing over the image of unquoted
// patterns (a pattern that matches nothing stays as written).
import type { Word } from './lex.js';

/** What expansion needs from the running shell. */
export interface ExpandContext {
  param(name: string): string | undefined;
  substitute(src: string): string;
  arith(expr: string): string;
  glob(pattern: string): string[];
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
      pattern[pattern.length - 1] += text.replace(/[*?[\]\\]/g, '\\$&');
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
    if (part.op === undefined) text = v ?? '';
    else if (part.op.startsWith(':') && (v === undefined || v === '')) text = part.op.endsWith('-') || part.op.endsWith('=') ? part.arg ?? '' : '';
    else if (!part.op.startsWith(':') && v === undefined) text = part.op === '-' || part.op === '=' ? part.arg ?? '' : '';
    else text = part.op.endsWith('+') ? part.arg ?? '' : v ?? '';
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
