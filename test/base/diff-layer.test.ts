// The build's own layer over a base (--from): what changed since the base was applied, with
// parent directories, whiteouts for removals and the OCI rules for a type change (layer.md).
import { describe, expect, it } from 'vitest';
import { diffLayer, snapshotBase } from '../../src/assemble/base/snapshot.js';
import { diffEntries } from '../../src/assemble/entries.js';
import { OwnerResolver } from '../../src/assemble/owners.js';
import { SpoolReader } from '../../src/assemble/spool.js';
import { ImageTree } from '../../src/assemble/tree.js';
import type { TarEntry } from '../../src/tar/index.js';

const MTIME = 1_700_000_000;

function baseTree(): ImageTree {
  const t = new ImageTree(MTIME);
  const files = ['/bin/a', '/etc/conf', '/etc/mode', '/etc/own', '/etc/same', '/etc/pki/a', '/etc/pki/b', '/opt/old/x',
    '/opt/old/sub/y', '/var/gone', '/srv/d/c', '/srv/s/c', '/srv/f', '/usr/keep'];
  for (const f of files) t.writeFile(f, f.slice(f.lastIndexOf('/') + 1));
  t.put('/bin/b', { type: 'hardlink', mode: 0o644, user: 'root', group: 'root', mtime: MTIME, size: 0, linkTarget: '/bin/a' });
  t.symlink('keep', '/usr/link');
  return t;
}

function build(t: ImageTree): void {
  t.writeFile('/etc/conf', 'changed');
  t.chmod('/etc/mode', 0o600);
  t.chown('/etc/own', 'nobody', 'nobody');
  t.writeFile('/etc/new', 'new');
  t.writeFile('/newdir/deep/file', 'n');
  t.remove('/var/gone');
  t.remove('/opt/old');
  // a directory removed and made again: its old children each get a whiteout
  t.remove('/etc/pki');
  t.writeFile('/etc/pki/a', 'a2');
  // directory -> file, directory -> symlink, file -> directory
  t.remove('/srv/d');
  t.writeFile('/srv/d', 'now a file');
  t.remove('/srv/s');
  t.symlink('/usr', '/srv/s');
  t.remove('/srv/f');
  t.writeFile('/srv/f/in', 'in');
  // the same symlink made again is no change
  t.remove('/usr/link');
  t.symlink('keep', '/usr/link');
  // a new hard link to an unchanged base file, and the base's hard link whose data changed
  t.put('/usr/hard', { type: 'hardlink', mode: 0o644, user: 'root', group: 'root', mtime: MTIME, size: 0, linkTarget: '/usr/keep' });
  t.writeFile('/bin/a', 'A2');
}

describe('diffLayer', () => {
  it('holds new and changed nodes with their parents, and whiteouts for the topmost removed paths', () => {
    const t = baseTree();
    const snap = snapshotBase(t);
    expect(diffLayer(t, snap)).toEqual({ paths: [], whiteouts: [] });
    build(t);
    const d = diffLayer(t, snap);
    expect(d.paths).toEqual([
      '/bin', '/bin/a', '/bin/b',
      '/etc', '/etc/conf', '/etc/mode', '/etc/new', '/etc/own', '/etc/pki', '/etc/pki/a',
      '/newdir', '/newdir/deep', '/newdir/deep/file',
      '/opt',
      '/srv', '/srv/d', '/srv/f', '/srv/f/in', '/srv/s',
      '/usr', '/usr/hard',
      '/var',
    ]);
    // nothing under /opt/old, /srv/d or /srv/s: the whiteout or the replacing entry covers them
    expect(d.whiteouts).toEqual(['/etc/pki/b', '/opt/old', '/var/gone']);
    // a second diff of the same state gives the same layer
    expect(diffLayer(t, snap)).toEqual(d);
  });

  it('sees chmod and chown made in place on the base node', () => {
    const t = baseTree();
    const snap = snapshotBase(t);
    t.chmod('/usr/keep', 0o644); // the same mode: no change
    expect(diffLayer(t, snap).paths).toEqual([]);
    t.chown('/usr/keep', 'root', 'wheel');
    expect(diffLayer(t, snap).paths).toEqual(['/usr', '/usr/keep']);
  });
});

async function entriesOf(t: ImageTree, d: { paths: string[]; whiteouts: string[] }): Promise<TarEntry[]> {
  const owners = new OwnerResolver({ users: new Map([['root', 0], ['nobody', 65534]]), groups: new Map([['root', 0], ['nobody', 65534]]) });
  const out: TarEntry[] = [];
  for (const e of diffEntries(t, d, owners, new SpoolReader())()) out.push(e);
  return out;
}

const bodyText = (e: TarEntry): string => {
  const b = e.body?.();
  return b instanceof Uint8Array ? new TextDecoder().decode(b) : [...(b as Iterable<Uint8Array>)].map((x) => new TextDecoder().decode(x)).join('');
};

describe('diffEntries', () => {
  it('puts each whiteout among its directory\'s children in tar order, as an empty root file of mode 0', async () => {
    const t = baseTree();
    const snap = snapshotBase(t);
    build(t);
    const es = await entriesOf(t, diffLayer(t, snap));
    const at = (p: string): TarEntry => es.find((e) => e.path === p)!;
    expect(es.map((e) => e.path)).toEqual([
      '/bin', '/bin/a', '/bin/b',
      '/etc', '/etc/conf', '/etc/mode', '/etc/new', '/etc/own', '/etc/pki', '/etc/pki/.wh.b', '/etc/pki/a',
      '/newdir', '/newdir/deep', '/newdir/deep/file',
      '/opt', '/opt/.wh.old',
      '/srv', '/srv/d', '/srv/f', '/srv/f/in', '/srv/s',
      '/usr', '/usr/hard',
      '/var', '/var/.wh.gone',
    ]);
    for (const p of ['/etc/pki/.wh.b', '/opt/.wh.old', '/var/.wh.gone']) {
      expect(at(p)).toMatchObject({ type: 'file', mode: 0, uid: 0, gid: 0, uname: 'root', gname: 'root', size: 0, mtime: MTIME });
    }
    // the changed holder is in the layer: the base's link stays a link; the new link to an
    // unchanged base file carries the data itself
    expect(at('/bin/b')).toMatchObject({ type: 'hardlink', linkTarget: '/bin/a' });
    expect(at('/usr/hard')).toMatchObject({ type: 'file', size: 4 });
    expect(bodyText(at('/usr/hard'))).toBe('keep');
    expect(at('/etc/own')).toMatchObject({ uid: 65534, gid: 65534 });
    expect(at('/srv/s')).toMatchObject({ type: 'symlink', linkTarget: '/usr' });
  });
});
