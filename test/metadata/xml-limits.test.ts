import { describe, expect, it } from 'vitest';
import { XmlError, XmlLimitError, XmlTokenizer, createSaxTokenizer, type XmlHandler } from '../../src/metadata/index.js';
import type { XmlLimits } from '../../src/metadata/xml.js';
import { PackageGuard } from '../../src/metadata/package-guard.js';
import { primaryParser } from '../../src/metadata/primary.js';
import { PRIMARY } from './repo-builder.js';

/** A handler that keeps all text, as a parser collecting <name> would. */
function keeper(): XmlHandler & { text: (s: string) => void; kept: number } {
  const h = { kept: 0, open() { /* */ }, close() { /* */ }, text(s: string) { h.kept += s.length; } };
  return h;
}

type Make = (h: XmlHandler, l?: Partial<XmlLimits>) => { write(s: string): void; end(): void };
const TOKENIZERS: [string, Make][] = [['fast', (h, l) => new XmlTokenizer(h, l)], ['sax', (h, l) => createSaxTokenizer(h, l)]];

/** Feed `parts()` chunk by chunk; returns the error and how many characters had been written when it came. */
function feedUntilError(tok: { write(s: string): void; end(): void }, parts: Iterable<string>): { err: unknown; written: number } {
  let written = 0;
  try {
    for (const p of parts) { tok.write(p); written += p.length; }
    tok.end();
  } catch (err) {
    return { err, written };
  }
  return { err: undefined, written };
}

function* repeat(head: string, unit: string, times: number, chunk = 1 << 16, tail = ''): Iterable<string> {
  yield head;
  const per = Math.max(1, Math.floor(chunk / unit.length));
  for (let i = 0; i < times; i += per) yield unit.repeat(Math.min(per, times - i));
  yield tail;
}

describe.each(TOKENIZERS)('%s tokenizer bounds', (_name, make) => {
  it('1e6 nested elements: refused at the depth bound, no crash', () => {
    const { err, written } = feedUntilError(make(keeper()), repeat('', '<x>', 1_000_000));
    expect(err).toBeInstanceOf(XmlLimitError);
    expect((err as Error).message).toMatch(/nested deeper than 64 \(limit maxDepth\)/);
    expect(written).toBeLessThan(1 << 17);
  });

  it('a 3 GB text node is refused as it streams, at the text bound', () => {
    const h = keeper();
    const { err, written } = feedUntilError(make(h, { maxText: 1 << 20 }), repeat('<metadata><package><name>', 'n', 3 * 1024 ** 3));
    expect((err as Error).message).toMatch(/text longer than 1048576 characters \(limit maxText\)/);
    expect(written).toBeLessThan((1 << 20) + (1 << 17));
    expect(h.kept).toBeLessThanOrEqual(1 << 20);
  });

  it('a text node the handler does not want counts too', () => {
    const h: XmlHandler = { open() { /* */ }, close() { /* */ }, text() { /* */ }, acceptsText: false };
    const { err } = feedUntilError(make(h, { maxText: 1000 }), ['<a>', 'x'.repeat(1001), '</a>']);
    expect((err as Error).message).toMatch(/limit maxText/);
  });

  it.each([
    ['element name', `<${'n'.repeat(300)}/>`, /element name longer than 256 characters \(limit maxName\)/],
    ['attribute name', `<a ${'n'.repeat(300)}="1"/>`, /attribute name.*longer than 256 characters \(limit maxName\)/],
    ['attribute value', `<a v="${'v'.repeat(70_000)}"/>`, /longer than 65536 characters \(limit maxAttrValue\)/],
    ['attribute count', `<a ${Array.from({ length: 65 }, (_, i) => `a${i}="1"`).join(' ')}/>`, /more than 64 attributes .*\(limit maxAttributes\)/],
    ['element count', `<r>${'<e/>'.repeat(101)}</r>`, /more than 100 elements \(limit maxElements\)/],
    ['NUL', '<a>x\u0000y</a>', /U\+0000 is not allowed/],
    ['ESC', '<a>\u001b[31m</a>', /U\+001b is not allowed/],
    ['U+FFFF', '<a>\uffff</a>', /U\+ffff is not allowed/],
    ['&#0;', '<a>x&#0;y</a>', /not allow|Invalid character entity/],
    ['NUL in an attribute', '<a v="&#x1;"/>', /not allow|Invalid character entity/],
  ])('refuses: %s', (_what, doc, re) => {
    const { err } = feedUntilError(make(keeper(), { maxElements: 100 }), [doc]);
    expect(err).toBeInstanceOf(XmlError);
    expect((err as Error).message).toMatch(re);
  });

  it('accepts tab, CR, LF and non-ASCII text', () => {
    const { err } = feedUntilError(make(keeper()), ['<a>\t\r\n é ✓ 😀</a>']);
    expect(err).toBeUndefined();
  });
});

describe('fast tokenizer: unfinished markup cannot grow', () => {
  it.each([
    ['a start tag', '<a b="1" ', ' c="2"'],
    ['a comment', '<r><!--', ' blah'],
    ['a CDATA section', '<r><![CDATA[', 'x'],
    ['a processing instruction', '<?pi ', 'x'],
  ])('%s is refused at maxMarkup', (_what, head, unit) => {
    const { err, written } = feedUntilError(new XmlTokenizer(keeper(), { maxMarkup: 100_000 }), repeat(head, unit, 10_000_000));
    expect((err as Error).message).toMatch(/limit max(Markup|Text|AttrValue|Attributes)/);
    expect(written).toBeLessThan(100_000 + (1 << 17));
  });
});

describe('primary parser: duplicates and per-package caps', () => {
  const parse = (doc: string, guard?: PackageGuard): ReturnType<typeof primaryParser> => {
    const pp = primaryParser(guard);
    const tok = new XmlTokenizer(pp.machine);
    tok.write(doc);
    tok.end();
    return pp;
  };
  const [head, rest] = PRIMARY.split('<package type="rpm">', 2) as [string, string];
  const bash = `<package type="rpm">${rest.slice(0, rest.indexOf('</package>') + '</package>'.length)}`;
  const doc = (pkgs: string[]): string => `${head.replace('packages="2"', `packages="${pkgs.length}"`)}${pkgs.join('\n')}</metadata>`;

  it('keeps one of 2,000 identical records and reports the rest', () => {
    const pp = parse(doc(Array.from({ length: 2000 }, () => bash)));
    const st = pp.finish();
    expect(st.count).toBe(1);
    expect(pp.duplicates()).toHaveLength(1999);
    expect(pp.duplicates()[0]).toBe('bash-0:3.0-27.el4.i386');
    expect(st.fileStart[1]! - st.fileStart[0]!).toBe(2);
  });

  it('the same NEVRA with another checksum is a duplicate too; another version is not', () => {
    const other = bash.replace('a'.repeat(40), 'b'.repeat(40));
    const newer = other.replace('rel="27.el4"/>', 'rel="28.el4"/>');
    const pp = parse(doc([bash, other, newer]));
    expect(pp.finish().count).toBe(2);
    expect(pp.duplicates()).toEqual(['bash-0:3.0-27.el4.i386']);
  });

  it('records out of createrepo order (checksum before name) are still deduplicated', () => {
    const cs = /<checksum [^>]*>[^<]*<\/checksum>/.exec(bash)![0];
    const reordered = bash.replace(cs, '').replace('<package type="rpm">', `<package type="rpm">${cs}`);
    expect(reordered.indexOf('<checksum')).toBeLessThan(reordered.indexOf('<name>'));
    const pp = parse(doc([bash, reordered]));
    expect(pp.finish().count).toBe(1);
    expect(pp.duplicates()).toEqual(['bash-0:3.0-27.el4.i386']);
  });


  it('caps deps and files per package and packages per repo', () => {
    expect(() => parse(doc([bash]), new PackageGuard({ packages: 10, deps: 3, files: 100 }))).toThrow(/more than 3 dependency entries \(limit\)/);
    expect(() => parse(doc([bash]), new PackageGuard({ packages: 10, deps: 100, files: 1 }))).toThrow(/more than 1 files \(limit\)/);
    const v2 = bash.replace('a'.repeat(40), 'c'.repeat(40)).replace('rel="27.el4"/>', 'rel="29.el4"/>');
    expect(() => parse(doc([bash, v2]), new PackageGuard({ packages: 1, deps: 100, files: 100 }))).toThrow(/more than 1 packages in one repo/);
  });

  it('refuses a malformed package checksum or href, showing them bounded', () => {
    expect(() => parse(doc([bash.replace('a'.repeat(40), `../../../../etc/${'a'.repeat(24)}`)]))).toThrow(/checksum \.\.\/\.\.\/.* refused: a sha1 digest is hex digits only/);
    expect(() => parse(doc([bash.replace('a'.repeat(40), 'f'.repeat(100_000))]))).toThrow(/\(100000 chars\) refused: a sha1 digest is 40 hex digits/);
    expect(() => parse(doc([bash.replace('href="CentOS/RPMS/', 'href="file:///etc/')]))).toThrow(/location file:\/\/\/etc\/.* refused: href has a URL scheme/);
    expect(() => parse(doc([bash.replace('href="CentOS/RPMS/', 'href="CentOS/%2e%2e/%2e%2e/%2e%2e/')]))).toThrow(/'\.\.' segment/);
  });
});
