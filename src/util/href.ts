// What a mirror may name: digests, hrefs and xml:base values in repodata are checked here
// before they become cache paths or URLs. Each check returns the reason a value is refused
// (undefined = fine); callers wrap it into their own error with the value via untrusted().
import type { ChecksumType } from '../types/index.js';

/** hex length of each digest type */
export const DIGEST_HEX_LENGTH: Readonly<Record<ChecksumType, number>> = {
  md5: 32, sha1: 40, sha224: 56, sha256: 64, sha384: 96, sha512: 128,
};

const HEX = /^[0-9a-fA-F]+$/;

/** Why `value` is not a `type` digest (hex of exactly that type's length), or undefined. */
export function digestProblem(type: string, value: string): string | undefined {
  const want = (DIGEST_HEX_LENGTH as Record<string, number | undefined>)[type];
  if (want === undefined) return 'unknown checksum type';
  if (value.length !== want) return `a ${type} digest is ${want} hex digits, got ${value.length} characters`;
  if (!HEX.test(value)) return `a ${type} digest is hex digits only`;
  return undefined;
}

// C0 controls, DEL, backslash: never in a createrepo href, and each has a trick (NUL cuts, \ is / on some servers)
// eslint-disable-next-line no-control-regex
const BAD_CHARS = /[\x00-\x1f\x7f\\]/;
const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;
export const MAX_HREF_LENGTH = 4096;

/** Why `href` is not a plain relative path inside its repo, or undefined. */
export function hrefProblem(href: string): string | undefined {
  if (href === '') return 'empty href';
  if (href.length > MAX_HREF_LENGTH) return `href longer than ${MAX_HREF_LENGTH} characters`;
  if (BAD_CHARS.test(href)) return 'control character or backslash in href';
  if (SCHEME.test(href)) return 'href has a URL scheme (only paths relative to the repo are allowed)';
  if (href.startsWith('/')) return 'absolute href (only paths relative to the repo are allowed)';
  let decoded: string;
  try { decoded = decodeURIComponent(href); } catch { return 'malformed percent-encoding in href'; }
  // %2e%2e, %2f, %5c and %00 reach a server decoded: judge the decoded form too
  if (BAD_CHARS.test(decoded)) return 'encoded control character or backslash in href';
  if (decoded.startsWith('/')) return 'absolute href (encoded)';
  if (decoded.split('/').some((seg) => seg === '..')) return "'..' segment in href";
  return undefined;
}

/** Where a repo's files may come from: origins (scheme://host:port) and whether local files are allowed. */
export interface RepoOrigins { origins: ReadonlySet<string>; local: boolean }

function originOf(u: URL): string {
  return `${u.protocol}//${u.host}`.toLowerCase();
}

/**
 * The origins a repo may use: those of the user's own config (baseurl, mirrorlist, metalink)
 * and of the mirrors in use. Local files only when the user's config itself names a file: URL.
 */
export function repoOrigins(configured: readonly string[], mirrors: readonly string[]): RepoOrigins {
  const origins = new Set<string>();
  let local = false;
  for (const s of [...configured, ...mirrors]) {
    let u: URL;
    try { u = new URL(s); } catch { continue; }
    if (u.protocol === 'file:') { if (configured.includes(s)) local = true; continue; }
    origins.add(originOf(u));
  }
  return { origins, local };
}

/** Is `url` one the repo may read (same origin as its mirrors, file: only for a local repo)? */
export function urlProblem(url: string, allowed: RepoOrigins): string | undefined {
  let u: URL;
  try { u = new URL(url); } catch { return 'not an absolute URL'; }
  if (u.protocol === 'file:') return allowed.local ? undefined : 'a file: URL in a remote repo';
  if (!['http:', 'https:', 'ftp:'].includes(u.protocol)) return `scheme ${u.protocol} is not allowed`;
  if (u.username || u.password) return 'credentials in the URL';
  if (!allowed.origins.has(originOf(u))) return 'another host than the repo (only the repo\'s own mirrors are allowed)';
  return undefined;
}

/** Why an xml:base value may not be used for this repo, or undefined. */
export function baseProblem(base: string, allowed: RepoOrigins): string | undefined {
  if (base.length > MAX_HREF_LENGTH) return `xml:base longer than ${MAX_HREF_LENGTH} characters`;
  if (BAD_CHARS.test(base)) return 'control character or backslash in xml:base';
  const why = urlProblem(base, allowed);
  return why === undefined ? undefined : `xml:base: ${why}`;
}
