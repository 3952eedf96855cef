// The same XmlHandler events from the `sax` package: the reference tokenizer the fast one is
// tested against, and a fallback for documents the fast one refuses. The same XmlLimits apply
// (sax itself caps its internal buffers at 64 KB, flushing text in pieces).
import sax from 'sax';
import { untrusted } from '../errors/index.js';
import { DEFAULT_XML_LIMITS, XmlError, XmlLimitError, checkXmlChars, type XmlHandler, type XmlLimits } from './xml.js';

export interface Tokenizer { write(chunk: string): void; end(): void }

export function createSaxTokenizer(h: XmlHandler, limits: Partial<XmlLimits> = {}): Tokenizer {
  const lim: XmlLimits = { ...DEFAULT_XML_LIMITS, ...limits };
  // position tracking drives sax's own buffer checks (text is flushed every 64 KB): without it a text node grows unchecked
  const p = sax.parser(true, { position: true });
  let failure: Error | undefined;
  let depth = 0;
  let elements = 0;
  let textLen = 0;
  // A bound hit inside a handler stops the parse: later events are ignored, the error is thrown from write().
  const guard = (fn: () => void): void => {
    if (failure) return;
    try { fn(); } catch (e) { failure = e instanceof Error ? e : new XmlError(String(e)); }
  };
  const text = (s: string): void => guard(() => {
    textLen += s.length;
    if (textLen > lim.maxText) throw new XmlLimitError(`text longer than ${lim.maxText} characters (limit maxText)`);
    checkXmlChars(s); // entity-decoded: &#0; shows up here
    h.text(s);
  });
  p.onopentag = (t) => guard(() => {
    if (++depth > lim.maxDepth) throw new XmlLimitError(`elements nested deeper than ${lim.maxDepth} (limit maxDepth)`);
    if (++elements > lim.maxElements) throw new XmlLimitError(`more than ${lim.maxElements} elements (limit maxElements)`);
    if (t.name.length > lim.maxName) throw new XmlLimitError(`element name longer than ${lim.maxName} characters (limit maxName)`);
    const attrs: Record<string, string> = {};
    const entries = Object.entries(t.attributes);
    if (entries.length > lim.maxAttributes) throw new XmlLimitError(`more than ${lim.maxAttributes} attributes on <${untrusted(t.name, 60)}> (limit maxAttributes)`);
    for (const [k, v] of entries) {
      const value = typeof v === 'string' ? v : v.value;
      if (k.length > lim.maxName) throw new XmlLimitError(`attribute name longer than ${lim.maxName} characters (limit maxName)`);
      if (value.length > lim.maxAttrValue) throw new XmlLimitError(`attribute ${untrusted(k, 60)} longer than ${lim.maxAttrValue} characters (limit maxAttrValue)`);
      checkXmlChars(value);
      attrs[k] = value;
    }
    textLen = 0;
    h.open(t.name, attrs);
  });
  p.onclosetag = (n) => guard(() => { depth--; textLen = 0; h.close(n); });
  p.ontext = text;
  p.oncdata = text;
  p.onerror = (e) => { failure ??= new XmlError(untrusted(e.message.split('\n')[0] ?? e.message, 200)); };
  const check = (): void => { if (failure) throw failure; };
  return {
    write(chunk) {
      check();
      checkXmlChars(chunk);
      p.write(chunk);
      check();
    },
    end() { p.close(); check(); },
  };
}
