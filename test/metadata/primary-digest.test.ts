// The primary parser's output on real CentOS Stream 9 repodata, pinned: a digest of every
// package's fields, computed with the parser as it was before the speed work (commit 185a1d2).
// Any change to what the parser produces, however it is made faster, shows up here.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { materialize, parseXmlFile, primaryParser } from '../../src/metadata/index.js';
import type { Dep } from '../../src/types/index.js';
import { sharedPath } from '../helpers/realdata.js';

const REAL = sharedPath('realdata/repos');
const ok = existsSync(join(REAL, 'cs9-baseos-20220207')) && existsSync(join(REAL, 'cs9-appstream-20250113'));
if (!ok) console.warn(`skipping primary digest tests: ${REAL} (cs9 BaseOS/AppStream) absent`);

const deps = (d: readonly Dep[]): string => d.map((x) => `${x.name}\u0001${x.flags}\u0001${x.version}`).join('\u0002');

async function digest(repo: string, tokenizer: 'fast' | 'sax'): Promise<{ count: number; sha256: string }> {
  const dir = join(REAL, repo, 'repodata');
  const path = join(dir, readdirSync(dir).find((n) => n.endsWith('-primary.xml.gz')) ?? '');
  const pp = primaryParser();
  await parseXmlFile({ path, url: pathToFileURL(path).href, repo, tokenizer }, pp.machine, 'primary.xml');
  const pkgs = materialize(pp.finish(), repo);
  const h = createHash('sha256');
  h.update(`declared ${pp.declared()} duplicates ${pp.duplicates().join(',')}\n`);
  for (const p of pkgs) {
    h.update([
      p.name, p.epoch, p.version, p.release, p.arch, p.location, p.locationBase ?? '-', p.checksum.type, p.checksum.value,
      p.packageSize, p.installedSize, p.summary, p.sourcerpm, p.buildtime, p.license, p.vendor, p.group,
      deps(p.provides), deps(p.requires), deps(p.conflicts), deps(p.obsoletes),
      deps(p.recommends), deps(p.suggests), deps(p.supplements), deps(p.enhances), p.files.join('\u0002'),
    ].join('\u0000') + '\n');
  }
  return { count: pkgs.length, sha256: h.digest('hex') };
}

describe.skipIf(!ok)('primary.xml parse of real CS9 repodata is unchanged', () => {
  it('BaseOS: same digest with the fast and the sax tokenizer', async () => {
    const want = { count: 1125, sha256: 'bb90067b0f18006a8b97382c8615f7c9e5a762ce24673938106b616c068c40b5' };
    expect(await digest('cs9-baseos-20220207', 'fast')).toEqual(want);
    expect(await digest('cs9-baseos-20220207', 'sax')).toEqual(want);
  }, 60_000);

  it('AppStream', async () => {
    expect(await digest('cs9-appstream-20250113', 'fast')).toEqual({ count: 17649, sha256: '879c3ba0a9394e5bb317bc4f91b42687d5fc2563ecaad17d32e0b8e7c009e61c' });
  }, 60_000);
});
