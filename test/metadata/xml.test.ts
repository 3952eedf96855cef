import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { XmlTokenizer, createSaxTokenizer, primaryParser, encodeStore, decodeStore, materialize, type XmlHandler } from '../../src/metadata/index.js';
import { PRIMARY } from './repo-builder.js';
import { sharedPath } from '../helpers/realdata.js';

type Ev = [string, string, Record<string, string>?];
function recorder(): { h: XmlHandler; events: Ev[] } {
  const events: Ev[] = [];
  let text = '';
  let depth = 0;
  // sax also reports the whitespace around the root element; documents' content is what counts.
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

function feed(tok: { write(s: string): void; end(): void }, doc: string, size: (i: number) => number): void {
  for (let i = 0, k = 0; i < doc.length; k++) { const n = Math.max(1, size(k)); tok.write(doc.slice(i, i + n)); i += n; }
  tok.end();
}

const DOC = `<?xml version="1.0"?>
<!-- comment with <tags> -->
<root a="1" b='two &amp; three' c="&lt;x&gt; &#65;&#x42;">
  <e/><e x="y"/>
  text &amp; more &quot;quoted&quot; &#233;t&#xe9;
  <![CDATA[raw <stuff> & things]]>
  <rpm:entry name="(foo &gt;= 1.0 if bar)" flags="GE"/>
</root>
`;

describe('XmlTokenizer', () => {
  it('emits the same events as sax, whole or split into 1-byte and random chunks', () => {
    const ref = recorder();
    feed(createSaxTokenizer(ref.h), DOC, () => DOC.length);
    let seed = 7;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return 1 + (seed % 13); };
    for (const size of [() => DOC.length, () => 1, rnd]) {
      const got = recorder();
      feed(new XmlTokenizer(got.h), DOC, size);
      expect(got.events).toEqual(ref.events);
    }
    expect(ref.events).toContainEqual(['open', 'rpm:entry', { name: '(foo >= 1.0 if bar)', flags: 'GE' }]);
  });

  it.each([
    ['<a><b></a>', /closes <b>/],
    ['<a></a><b/>', /second root/],
    ['<a x=1/>', /unquoted/],
    ['<a>&bogus;</a>', /unknown entity/],
    ['<a><b>', /not closed/],
    ['text<a/>', /outside the root/],
    ['', /empty document/],
  ])('rejects %j', (doc, re) => {
    expect(() => feed(new XmlTokenizer(recorder().h), doc, () => 3)).toThrow(re);
  });

  it('primary parse is chunking-independent and round-trips through the pool cache', () => {
    const parse = (size: number) => {
      const pp = primaryParser();
      feed(new XmlTokenizer(pp.machine), PRIMARY, () => size);
      return pp.finish();
    };
    const whole = parse(1 << 20);
    expect(parse(1)).toEqual(whole);
    const back = decodeStore(encodeStore(whole));
    expect(back).toBeDefined();
    expect(materialize(back!, 'r')).toEqual(materialize(whole, 'r'));
    expect(decodeStore(encodeStore(whole).subarray(0, 100))).toBeUndefined();
  });
});

describe('primary fast path for <rpm:entry>', () => {
  it('matches sax on odd but valid entries (single quotes, entities, repeats)', () => {
    const doc = PRIMARY
      .replace('<rpm:entry name="/bin/sh"/>', `<rpm:entry name='/bin/sh'/><rpm:entry name="(a &gt;= 1 if b &amp; c)" flags="EQ" epoch="0" ver="1"/><rpm:entry   name="bash"  flags="EQ" epoch="0" ver="3.0" rel="27.el4" />`)
      .replace('<rpm:entry name="libc.so.6(GLIBC_2.3)"/>', '<rpm:entry name="libc.so.6(GLIBC_2.3)"/><rpm:entry name="libc.so.6(GLIBC_2.3)"/>');
    const run = (tok: 'fast' | 'sax') => {
      const pp = primaryParser();
      feed(tok === 'fast' ? new XmlTokenizer(pp.machine) : createSaxTokenizer(pp.machine), doc, () => 7);
      return materialize(pp.finish(), 'r');
    };
    const fast = run('fast');
    expect(fast).toEqual(run('sax'));
    expect(fast[0]!.provides.map((d) => d.name)).toEqual(['bash', '/bin/sh', '(a >= 1 if b & c)', 'bash']);
    expect(fast[0]!.provides[3]).toBe(fast[0]!.provides[0]); // one shared Dep object
  });
});

const REAL = sharedPath('realdata/repos/cs9-baseos-20220207/repodata');
describe.skipIf(!existsSync(REAL))('fast tokenizer vs sax on real primary.xml', () => {
  it('builds the identical pool', () => {
    const f = readdirSync(REAL).find((n) => n.endsWith('-primary.xml.gz'))!;
    const xml = gunzipSync(readFileSync(join(REAL, f))).toString('utf8');
    const a = primaryParser();
    feed(new XmlTokenizer(a.machine), xml, () => 65536);
    const b = primaryParser();
    feed(createSaxTokenizer(b.machine), xml, () => 65536);
    const sa = a.finish(); const sb = b.finish();
    expect(sa.count).toBe(1125);
    expect(materialize(sa, 'x')).toEqual(materialize(sb, 'x'));
  }, 60_000);
});
