// sh patterns (case arms, ${x#p}) match as fnmatch(3) does: bracket classes and a ']' first in a
// bracket, which a hand-rolled translation to RegExp read wrong.
import { describe, expect, it } from 'vitest';
import { ImageTree } from '../../src/assemble/tree.js';
import { emulateScriptlets } from '../../src/scriptlets/index.js';

function out(body: string): string {
  const t = new ImageTree(1_700_000_000);
  t.mkdir('/etc');
  const meta = { name: 'x', version: '1', release: '1', epoch: null, provides: [], triggers: [], scriptlets: [{ kind: 'post', prog: ['/bin/sh'], body }] };
  const r = emulateScriptlets([{ nevra: 'x-1-1.noarch', name: 'x', meta }], t, { sourceDateEpoch: 1_700_000_000 });
  expect(r.skipped).toEqual([]);
  return Buffer.from(t.readFile('/etc/out') ?? new Uint8Array()).toString();
}

describe('sh patterns', () => {
  it('[[:alpha:]] and []x] in case arms', () => {
    expect(out('for w in abc 9z ]q; do case $w in [[:alpha:]]*) echo "$w alpha";; []]*) echo "$w bracket";; *) echo "$w other";; esac; done > /etc/out\n'))
      .toBe('abc alpha\n9z other\n]q bracket\n');
  });
  it('a class in ${x#p}', () => {
    expect(out('v=12ab; echo "${v#[[:digit:]]}" > /etc/out\n')).toBe('2ab\n');
  });
});
