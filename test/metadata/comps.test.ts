import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseComps, parseCompsAll, parseModules } from '../../src/metadata/index.js';
import { filterModular, type LoadedRepo } from '../../src/metadata/index.js';
import type { RepoPackage } from '../../src/types/index.js';
import { sharedPath } from '../helpers/realdata.js';

const SRC = { url: 'file:///x', repo: 'r' };

describe('comps', () => {
  it('reads package types, conditional and langonly (old comps)', async () => {
    const g = await parseComps(`<?xml version="1.0"?><comps>
<group><id>core</id><name>Core</name><name xml:lang="de">Kern</name><default>true</default><uservisible>false</uservisible>
<packagelist><packagereq type="mandatory">bash</packagereq><packagereq>coreutils</packagereq><packagereq type="default">yum</packagereq>
<packagereq type="optional">kudzu</packagereq><packagereq type="conditional" requires="kernel">kernel-utils</packagereq></packagelist></group>
<group><id>japanese-support</id><name>Japanese Support</name><langonly>ja</langonly><packagelist/></group>
<category><id>base-system</id></category></comps>`, SRC);
    expect(g).toEqual([
      { id: 'core', name: 'Core', mandatory: ['bash', 'coreutils'], default: ['yum'], optional: ['kudzu'], conditional: [{ name: 'kernel-utils', requires: 'kernel' }] },
      { id: 'japanese-support', name: 'Japanese Support', mandatory: [], default: [], optional: [], conditional: [], langonly: 'ja' },
    ]);
  });
  it('malformed comps name the repo', async () => {
    await expect(parseComps('<comps><group>', SRC)).rejects.toThrow(/parsing comps of repo r/);
  });
  it('reads environments: grouplist and optionlist, the untranslated name', async () => {
    const c = await parseCompsAll(`<?xml version="1.0"?><comps>
<group><id>core</id><name>Core</name><packagelist><packagereq>bash</packagereq></packagelist></group>
<environment><id>minimal-environment</id><name>Minimal Install</name><name xml:lang="de">Minimale Installation</name>
<display_order>3</display_order><grouplist><groupid>core</groupid></grouplist>
<optionlist><groupid>guest-agents</groupid><groupid default="true">standard</groupid></optionlist></environment>
<environment><id>empty</id><name>Empty</name></environment></comps>`, SRC);
    expect(c.groups.map((g) => g.id)).toEqual(['core']);
    expect(c.environments).toEqual([
      { id: 'minimal-environment', name: 'Minimal Install', groups: ['core'], options: ['guest-agents', 'standard'] },
      { id: 'empty', name: 'Empty', groups: [], options: [] },
    ]);
  });
  const FEDORA = sharedPath('realdata/comps/fedora_comps.xml');
  it.skipIf(!existsSync(FEDORA))('reads a real Fedora comps file', async () => {
    const g = await parseComps(readFileSync(FEDORA, 'utf8'), SRC);
    expect(g.length).toBe(227);
    expect(g.find((x) => x.id === 'core')?.mandatory.length).toBeGreaterThan(5);
  });
});

const pkg = (name: string, version: string, release: string, repo = 'app'): RepoPackage => ({
  name, epoch: 0, version, release, arch: 'x86_64', repo, location: `${name}.rpm`, checksum: { type: 'sha256', value: name + version },
  packageSize: 1, installedSize: 1, summary: '', sourcerpm: '', buildtime: 0, license: '', vendor: '', group: '',
  provides: [], requires: [], conflicts: [], obsoletes: [], recommends: [], suggests: [], supplements: [], enhances: [], files: [],
});

describe('modules', () => {
  const yaml = `---
document: modulemd
version: 2
data:
  name: postgresql
  stream: "10"
  version: 8010020191119000000
  context: 4a8e0ba1
  arch: x86_64
  artifacts:
    rpms:
    - postgresql-0:10.6-1.module_el8.x86_64
    - postgresql-0:10.6-1.module_el8.src
...
---
document: modulemd
version: 2
data:
  name: postgresql
  stream: "12"
  version: 8020020200101000000
  context: 4a8e0ba1
  arch: x86_64
  artifacts:
    rpms:
    - postgresql-0:12.1-2.module_el8.x86_64
...
---
document: modulemd-defaults
version: 1
data:
  module: postgresql
  stream: "10"
  profiles:
    "10": [server]
...
`;
  it('parses streams and defaults', () => {
    const m = parseModules(yaml, SRC);
    expect(m.streams.map((s) => `${s.name}:${s.stream}`)).toEqual(['postgresql:10', 'postgresql:12']);
    expect(m.defaults).toEqual([{ name: 'postgresql', stream: '10', profiles: { 10: ['server'] } }]);
  });
  const repo = (packages: RepoPackage[], hotfix = false): LoadedRepo => ({
    config: { id: hotfix ? 'hot' : 'app', enabled: true, ...(hotfix ? { moduleHotfixes: true } : {}) }, baseUrls: [], packages, groups: [],
    modules: hotfix ? null : parseModules(yaml, SRC), hasFilelists: false, loadFilelists: async () => [], hasUpdateinfo: false, loadUpdateinfo: async () => [], revision: '', primaryChecksum: { type: 'sha256', value: '' }, repomdChecksum: { type: 'sha256', value: '' },
  });
  it('keeps the default stream, hides other streams and same-named non-modular packages', () => {
    const r = repo([pkg('postgresql', '10.6', '1.module_el8'), pkg('postgresql', '12.1', '2.module_el8'), pkg('postgresql', '9.6', '1.el8'), pkg('bash', '4.4', '1')]);
    const hot = repo([pkg('postgresql', '10.7', '1.hotfix', 'hot')], true);
    filterModular([r, hot]);
    expect(r.packages.map((p) => `${p.name}-${p.version}`)).toEqual(['postgresql-10.6', 'bash-4.4']);
    expect(hot.packages.length).toBe(1); // module_hotfixes repos are not filtered
    const e = repo([pkg('postgresql', '10.6', '1.module_el8'), pkg('postgresql', '12.1', '2.module_el8')]);
    filterModular([e], { enable: ['postgresql:12'] });
    expect(e.packages.map((p) => p.version)).toEqual(['12.1']);
  });
  it('malformed YAML names the repo', () => {
    expect(() => parseModules('---\ndocument: [\n', SRC)).toThrow(/modules.yaml of repo r/);
  });
});
