// WWW-Authenticate (RFC 7235 section 4.1): a list of challenges, each an auth-scheme followed by
// a token68 or by auth-params, `name = token / quoted-string`, with quoted-pair escapes.
// One left-to-right pass: every step moves the position forward and nothing is re-read, so the
// work is linear in the header's length whatever a hostile registry puts in it.

export interface ParsedChallenge {
  /** lower case, e.g. 'bearer' */
  scheme: string;
  /** names lower case; the first of a repeated name wins */
  params: Record<string, string>;
}

/** RFC 7230 tchar */
function isTchar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || '!#$%&\'*+-.^_`|~'.includes(String.fromCharCode(c));
}

export function parseChallenges(header: string): ParsedChallenge[] {
  const out: ParsedChallenge[] = [];
  const n = header.length;
  let i = 0;
  let current: ParsedChallenge | undefined;
  /** at the start of a list element: a token here not followed by '=' begins a challenge */
  let elementStart = true;
  const skipSpace = (): void => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  const token = (): string => {
    const from = i;
    while (i < n && isTchar(header.charCodeAt(i))) i++;
    return header.slice(from, i);
  };
  const quoted = (): string => {
    const parts: string[] = [];
    let from = ++i; // past the opening quote
    while (i < n && header[i] !== '"') {
      if (header[i] === '\\' && i + 1 < n) {
        parts.push(header.slice(from, i));
        from = i + 1; // the escaped character starts the next run
        i += 2;
      } else {
        i++;
      }
    }
    parts.push(header.slice(from, i));
    if (i < n) i++; // the closing quote (an unclosed string ends with the header)
    return parts.join('');
  };
  while (i < n) {
    skipSpace();
    if (i >= n) break;
    if (header[i] === ',') {
      i++;
      elementStart = true;
      continue;
    }
    const name = token();
    if (name === '') {
      // not a token (a token68's '/', a stray quote...): skip to the next list element
      while (i < n && header[i] !== ',') i++;
      continue;
    }
    skipSpace();
    if (header[i] === '=' && current !== undefined) {
      i++;
      skipSpace();
      const value = header[i] === '"' ? quoted() : token();
      const key = name.toLowerCase();
      if (!Object.hasOwn(current.params, key)) current.params[key] = value;
    } else if (elementStart || current === undefined) {
      current = { scheme: name.toLowerCase(), params: Object.create(null) as Record<string, string> };
      out.push(current);
    }
    // else a bare token inside a challenge (a token68): not a parameter
    elementStart = false;
  }
  return out;
}

