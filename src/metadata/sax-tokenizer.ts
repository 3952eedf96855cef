// The same XmlHandler events from the `sax` package: the reference tokenizer the fast one is
// tested against, and a fallback for documents the fast one refuses.
import sax from 'sax';
import { XmlError, type XmlHandler } from './xml.js';

export interface Tokenizer { write(chunk: string): void; end(): void }

export function createSaxTokenizer(h: XmlHandler): Tokenizer {
  const p = sax.parser(true, { position: false });
  let failure: Error | undefined;
  p.onopentag = (t) => {
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(t.attributes)) attrs[k] = typeof v === 'string' ? v : v.value;
    h.open(t.name, attrs);
  };
  p.onclosetag = (n) => h.close(n);
  p.ontext = (s) => h.text(s);
  p.oncdata = (s) => h.text(s);
  p.onerror = (e) => { failure = new XmlError(e.message.split('\n')[0] ?? e.message); };
  const check = (): void => { if (failure) throw failure; };
  return {
    write(chunk) { p.write(chunk); check(); },
    end() { p.close(); check(); },
  };
}
