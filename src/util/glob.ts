// Globs of package names, provides, files and repo ids as dnf matches them: fnmatch(3) without
// flags (glibc, C locale). `*`, `?`, `[...]` with `!`/`^`, ranges and [:class:], and `\` quoting
// the next character; a `[` without its `]` is a plain `[`. A pattern fnmatch can never match
// (a lone trailing `\`, an unknown [:class:]) gives a RegExp that matches nothing.

/** dnf's is_glob_pattern: the pattern has `*`, `?` or `[` */
export const isGlob = (s: string): boolean => /[*?[]/.test(s);

/** The RegExp of an fnmatch pattern, whole-string; `icase` as FNM_CASEFOLD. */
export function globToRegExp(glob: string, icase = false): RegExp {
  const body = patternSource([...glob]);
  return new RegExp(body === null ? '(?!)' : `^${body}$`, icase ? 'isu' : 'su');
}

const lit = (c: string): string => `\\u{${c.codePointAt(0)!.toString(16)}}`;

function patternSource(cs: string[]): string | null {
  let out = '';
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '\\') {
      if (i + 1 === cs.length) return null;
      out += lit(cs[++i]!);
    } else if (c === '[') {
      const b = bracket(cs, i + 1);
      if (b === false) return null;
      if (b === null) out += lit(c);
      else { out += b.re; i = b.end; }
    } else out += lit(c);
  }
  return out;
}

// C-locale members of each class, as RegExp class ranges
const CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', blank: '\\x20\\x09', cntrl: '\\x00-\\x1f\\x7f', digit: '0-9',
  graph: '\\x21-\\x7e', lower: 'a-z', print: '\\x20-\\x7e', punct: '\\x21-\\x2f\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7e',
  space: '\\x09-\\x0d\\x20', upper: 'A-Z', xdigit: '0-9A-Fa-f',
};

/** One bracket member at cs[i] (a `\` quotes the next): the character and where the next member starts. */
function member(cs: string[], i: number): { ch: string; next: number } | null {
  const c = cs[i];
  if (c === undefined) return null;
  if (c !== '\\') return { ch: c, next: i + 1 };
  const q = cs[i + 1];
  return q === undefined ? null : { ch: q, next: i + 2 };
}

/** `[:name:]` at cs[i]: the class's ranges, false for an unknown name, null when it is no class (a plain `[`). */
function charClass(cs: string[], i: number): { ranges: string | false; next: number } | null {
  if (cs[i + 1] !== ':') return null;
  let name = '';
  for (let j = i + 2; j < cs.length; j++) {
    const c = cs[j]!;
    if (c === ':' && cs[j + 1] === ']') return { ranges: CLASSES[name] ?? false, next: j + 2 };
    if (c < 'a' || c > 'z') return null;
    name += c;
  }
  return null;
}

/**
 * The `[...]` whose body starts at cs[start]: its RegExp and the index of its `]`; null when no
 * `]` closes it (the `[` is then a plain character); false when it makes the pattern match nothing.
 */
function bracket(cs: string[], start: number): { re: string; end: number } | null | false {
  let i = start;
  const negate = cs[i] === '!' || cs[i] === '^';
  if (negate) i++;
  let body = '';
  // the first member may be `]` itself
  for (let first = true; ; first = false) {
    if (cs[i] === ']' && !first) return { re: `[${negate ? '^' : ''}${body}]`, end: i };
    const cls = cs[i] === '[' ? charClass(cs, i) : null;
    if (cls) {
      if (cls.ranges === false) return false;
      body += cls.ranges;
      i = cls.next;
      continue;
    }
    const lo = member(cs, i);
    if (!lo) return null;
    if (cs[lo.next] !== '-' || cs[lo.next + 1] === ']') { body += lit(lo.ch); i = lo.next; continue; }
    // a range cut off by the pattern's end fails the whole pattern, as in glibc
    const hi = member(cs, lo.next + 1);
    if (!hi) return false;
    // a range whose end sorts before its start holds nothing
    if (lo.ch.codePointAt(0)! <= hi.ch.codePointAt(0)!) body += `${lit(lo.ch)}-${lit(hi.ch)}`;
    i = hi.next;
  }
}
