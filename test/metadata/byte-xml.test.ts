// The byte tokenizer against sax: the same events for a generic handler and the same pool from
// the primary parser, however the bytes are cut (inside tags, entities and UTF-8 sequences).
import { describe, expect, it } from 'vitest';
import { ByteXmlTokenizer } from '../../src/metadata/byte-xml.js';
import { createSaxTokenizer, primaryParser, materialize, type XmlHandler } from '../../src/metadata/index.js';
import { PRIMARY } from './repo-builder.js';

type Ev = [string, string, Record<string, string>?];
function recorder(): { h: XmlHandler; events: Ev[] } {
  const events: Ev[] = [];
  let text = '';
  let depth = 0;
  const flush = (): void => { if (text && depth > 0) events.push(['text', text]); text = ''; };
  return {
    events,
    h: {
      open: (n, a) => { flush(); depth++; events.push(['open', n, { ...a }]); },
      close: (n) => { flush(); depth--; events.push(['close', n]); },
      text: (s) => { text += s; },
    },
  };
}

function feedBytes(tok: ByteXmlTokenizer, doc: string, size: number): void {
  const b = Buffer.from(doc, 'utf8');
  for (let i = 0; i < b.length; i += size) tok.writeBytes(b.subarray(i, i + size));
  tok.end();
}

const DOC = `\ufeff<?xml version="1.0"?>
<!-- comment with <tags> -->
<root a="1" b='two &amp; three' c="&lt;x&gt; &#65;&#x42; é✓">
  <e/><e x="y"/><é k = "v" />
  text &amp; more &quot;quoted&quot; &#233;t&#xe9; é ✓ 😀
  <![CDATA[raw <stuff> & things ✓]]>
  <rpm:entry name="(foo &gt;= 1.0 if bar)" flags="GE"/>
</root>
`;

// odd but valid entries, repeated (the second sight of the same bytes takes the cached path) and non-ASCII text
const ODD = PRIMARY
  .replace('<rpm:entry name="/bin/sh"/>', `<rpm:entry name='/bin/sh'/><rpm:entry name="(a &gt;= 1 if b &amp; c)" flags="EQ" epoch="0" ver="1"/><rpm:entry   name="bash"  flags="EQ" epoch="0" ver="3.0" rel="27.el4" /><rpm:entry name="a>b" flags="LT" ver="2"/><rpm:entry name="a>b" flags="LT" ver="2"/><rpm:entry name="é😀" pre="1"/><rpm:entry name="é😀" pre="1"/>`)
  .replace('The GNU Bourne Again shell &amp; friends', 'Die GNU-Shell für Bourne &amp; Co. ✓');

describe('ByteXmlTokenizer', () => {
  it.each([1, 2, 3, 7, 64, 1 << 20])('gives the events sax gives, in %i-byte chunks', (size) => {
    const want = recorder();
    const sax = createSaxTokenizer(want.h);
    sax.write(DOC.slice(1)); sax.end();
    const got = recorder();
    feedBytes(new ByteXmlTokenizer(got.h), DOC, size);
    expect(got.events).toEqual(want.events);
  });

  it.each([1, 3, 7, 4096])('builds the pool sax builds from primary.xml, in %i-byte chunks', (size) => {
    const a = primaryParser();
    feedBytes(new ByteXmlTokenizer(a.machine), ODD, size);
    const b = primaryParser();
    const sax = createSaxTokenizer(b.machine);
    sax.write(ODD); sax.end();
    const got = materialize(a.finish(), 'r');
    expect(got).toEqual(materialize(b.finish(), 'r'));
    expect(got[0]!.summary).toBe('Die GNU-Shell für Bourne & Co. ✓');
    expect(got[0]!.provides.map((d) => d.name)).toContain('é😀');
  });

  it.each([
    ['U+FFFE split over two chunks', '<a>x\ufffey</a>', /U\+fffe is not allowed/],
    ['U+FFFF at the end', '<a>x</a>\uffff', /U\+ffff is not allowed/],
    ['a control character in a repeated entry', '<r><e a="1"/><e a="1\u0001"/></r>', /U\+0001 is not allowed/],
    ['a mismatched close', '<a><b></a>', /closes <b>/],
    ['a second root', '<a/><b/>', /second root/],
    ['an unquoted attribute', '<a b=1/>', /unquoted attribute/],
    ['a truncated document', '<a><b>', /not closed/],
  ])('refuses %s', (_what, doc, re) => {
    for (const size of [1, 2, 5, 1000]) expect(() => feedBytes(new ByteXmlTokenizer(recorder().h), doc, size)).toThrow(re);
  });
});
