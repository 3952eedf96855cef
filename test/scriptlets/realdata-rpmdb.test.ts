// Real installed databases (RHEL 8.0, Fedora 26, Amazon Linux 2023, CBL-Mariner 2.0, SLE 15):
// their packages' scriptlets and file triggers run through the emulation on a skeleton image
// made from their own file lists (empty files, real directories and symlinks). Every
// install-time shell scriptlet must parse (no construct left unmodelled), nothing may throw
// (Mariner's library symlinks climb above / through /lib -> usr/lib), and RHEL 8's real file
// triggers (glibc-common ldconfig, info fix-info-dir, glib2) come out as rpm would run them.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emulateScriptlets } from '../../src/scriptlets/index.js';
import type { ScriptletReport } from '../../src/scriptlets/index.js';
import { ImageTree } from '../../src/assemble/tree.js';
import { Header, packageMeta } from '../../src/rpm/index.js';
import type { PackageMeta } from '../../src/rpm/index.js';
import { readRpmdb } from '../../src/rpmdb/index.js';
import { sharedPath } from '../helpers/realdata.js';

const DBS = sharedPath('realdata/rpmdb');
if (!existsSync(DBS)) console.warn(`skipping the real-rpmdb scriptlet tests: ${DBS} not found`);

async function installed(name: string): Promise<PackageMeta[]> {
  const blobs = await readRpmdb(join(DBS, name));
  return blobs.map((b) => packageMeta(Header.parse(b, { magic: false }))).filter((m) => m.name !== 'gpg-pubkey');
}

function skeleton(metas: PackageMeta[]): ImageTree {
  const t = new ImageTree(1_700_000_000);
  for (const m of metas) {
    for (const f of m.files) {
      const type = f.mode & 0o170000;
      if (t.lstat(f.path)) continue; // shared directories, multilib twins
      if (type === 0o040000) t.mkdir(f.path, { mode: f.mode & 0o7777 });
      else if (type === 0o120000) t.symlink(f.linkTo, f.path);
      else if (type === 0o100000) t.writeFile(f.path, '', { mode: f.mode & 0o7777 });
    }
  }
  return t;
}

async function emulateDb(name: string): Promise<ScriptletReport> {
  const metas = await installed(name);
  const pkgs = metas.map((m) => ({ nevra: `${m.name}-${m.version}-${m.release}.${m.arch}`, name: m.name, meta: m }));
  return emulateScriptlets(pkgs, skeleton(metas), { sourceDateEpoch: 1_700_000_000 });
}

describe.skipIf(!existsSync(DBS))('scriptlets of real installed systems', () => {
  it.each(['rhel-8.0-bdb', 'fedora-26-bdb', 'al2023-sqlite', 'mariner-2.0-sqlite', 'sle15-ndb'])('%s: every install-time shell scriptlet is followed, nothing throws', async (db) => {
    const r = await emulateDb(db);
    expect(r.emulated.length).toBeGreaterThan(5);
    expect(r.skipped.filter((s) => /shell construct not emulated|stopped at/.test(s.reason))).toEqual([]);
  });
  it('rhel-8.0: the file triggers rpm would run after the transaction', async () => {
    const r = await emulateDb('rhel-8.0-bdb');
    const fired = [...r.emulated, ...r.skipped].filter((e) => e.scriptlet.includes('filetrigger')).map((e) => `${e.nevra.replace(/-\d.*$/, '')} ${e.scriptlet}`);
    expect(fired.sort()).toEqual([
      'glib2 transfiletriggerin(/usr/lib64/gio/modules)',
      'glib2 transfiletriggerin(/usr/share/glib-2.0/schemas)',
      'glibc-common transfiletriggerin(/lib /lib64 /usr/lib /usr/lib64)',
      'info transfiletriggerin(/usr/share/info)',
    ]);
    const actions = (s: string) => r.emulated.find((e) => e.scriptlet.startsWith(s))?.actions;
    expect(actions('transfiletriggerin(/lib ')).toEqual(['ldconfig: links and /etc/ld.so.cache are made after the last scriptlet']);
    // the skeleton's info files are empty: fix-info-dir visits each and finds no entry to add
    const info = actions('transfiletriggerin(/usr/share/info)') ?? [];
    expect(info.length).toBeGreaterThan(5);
    for (const a of info) expect(a).toMatch(/^install-info \/usr\/share\/info\/[^/]+\.info\.gz: no dir entry$/);
    expect(actions('transfiletriggerin(/usr/lib64/gio/modules)')).toEqual(['gio-querymodules-64: skipped, GIO loads modules giomodule.cache does not list']);
    expect(r.skipped.find((s) => s.scriptlet === 'transfiletriggerin(/usr/share/glib-2.0/schemas)')?.reason).toBe("glib-compile-schemas: cache not generated (needs the target's binaries)");
  });
});
