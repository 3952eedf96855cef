// Bounded fuzz of the metadata readers: seeded mutations (byte-level and XML-aware) of the fixture
// repos' repomd.xml, primary.xml and filelists.xml, and of a comps document, go through loadRepo
// (repomd, primary, comps) and loadFilelists, the way a build reads a mirror. Mutated files are
// served with honest checksums, so the parsers see them; a mutated repomd.xml is served with the
// repo's real files. Each case must end in success or an RfsError with a stable code, within its
// own time limit, and memory must stay bounded. A failure names the seed and case to replay it
// (RFS_FUZZ_SEED, RFS_FUZZ_CASE).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { RfsError } from '../../src/errors/index.js';
import { loadRepo, type MetadataFetcher } from '../../src/metadata/index.js';
import { decompress } from '../../src/decompress/index.js';
import { concat } from '../../src/util/bytes.js';
import { checksumType } from '../../src/util/checksum.js';
import type { Checksum, RepoConfig } from '../../src/types/index.js';
import { FIXTURE_REPOS, fixtureRepo, fixturesAvailable, type FixtureRepoName } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';
import { REALDATA } from '../rpm/helpers.js';
import { BYTE_MUTATIONS, XML_MUTATIONS, caseRng, expectFuzzVerdict, mutateBytes, mutateXml, outcome, pick, rssMB, type Rng } from './mutate.js';

// The defaults are what the suite runs. RFS_FUZZ_SEED=<n> RFS_FUZZ_CASE=<i> replays one reported case;
// another RFS_FUZZ_SEED or RFS_FUZZ_SCALE=<factor> explores further.
const SEED = Number(process.env.RFS_FUZZ_SEED ?? 0x3e7a_da7a) >>> 0;
const ONLY = process.env.RFS_FUZZ_CASE === undefined ? undefined : Number(process.env.RFS_FUZZ_CASE);
const ITERATIONS = Math.round(300 * Number(process.env.RFS_FUZZ_SCALE ?? 1));
const CASE_TIMEOUT_MS = 8000;
const RSS_GROWTH_MB = 400;
const BASE_URL = 'http://127.0.0.1:9/fuzz/';

interface RepoBase {
  name: FixtureRepoName;
  dir: string;
  repomd: string;
  primary: string;
  filelists: string;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

async function inflate(path: string): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const c of decompress((async function* () { yield new Uint8Array(readFileSync(path)); })())) parts.push(c);
  return dec.decode(concat(parts));
}

async function loadBase(name: FixtureRepoName): Promise<RepoBase> {
  const dir = fixtureRepo(name);
  const files = readdirSync(join(dir, 'repodata'));
  const find = (kind: string): string => join(dir, 'repodata', files.find((f) => new RegExp(`(^|-)${kind}\\.xml\\.(gz|zst|xz|bz2)$`).test(f))!);
  return { name, dir, repomd: readFileSync(join(dir, 'repodata', 'repomd.xml'), 'utf8'), primary: await inflate(find('primary')), filelists: await inflate(find('filelists')) };
}

/** A small comps: the first groups, category and environment of Fedora's when present, else a hand-made one. */
function compsDoc(): string {
  const real = join(REALDATA, 'comps', 'fedora_comps.xml');
  if (existsSync(real)) {
    const s = readFileSync(real, 'utf8');
    const take = (tag: string, n: number): string => (s.match(new RegExp(`<${tag}>[\\s\\S]*?</${tag}>`, 'g')) ?? []).slice(0, n).join('\n');
    return `<?xml version="1.0" encoding="UTF-8"?>\n<comps>\n${take('group', 4)}\n${take('category', 1)}\n${take('environment', 1)}\n</comps>\n`;
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<comps>
  <group><id>core</id><name>Core</name><name xml:lang="de">Kern</name><description>Smallest possible installation</description>
    <default>true</default><uservisible>false</uservisible>
    <packagelist><packagereq type="mandatory">bash</packagereq><packagereq type="default">coreutils</packagereq>
      <packagereq type="optional">tar</packagereq><packagereq type="conditional" requires="glibc">nscd</packagereq></packagelist></group>
  <environment><id>minimal-environment</id><name>Minimal Install</name><display_order>1</display_order>
    <grouplist><groupid>core</groupid></grouplist><optionlist><groupid>standard</groupid></optionlist></environment>
</comps>
`;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Honest repomd.xml for the files written (plain or gzip: the loader sniffs the codec). */
function repomdFor(files: { type: string; name: string; data: Uint8Array; open: Uint8Array }[]): string {
  const data = files.map((f) => `  <data type="${f.type}">
    <checksum type="sha256">${sha256(f.data)}</checksum>
    <open-checksum type="sha256">${sha256(f.open)}</open-checksum>
    <location href="repodata/${f.name}"/>
    <timestamp>1700000000</timestamp>
    <size>${f.data.length}</size>
    <open-size>${f.open.length}</open-size>
  </data>`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>1700000000</revision>
${data.join('\n')}
</repomd>
`;
}

/** Serves files by repo-relative path, checking the declared checksum as the real Fetcher does. */
class FileFetcher implements MetadataFetcher {
  constructor(private readonly repomd: Uint8Array, private readonly files: Map<string, string>) {}
  resolveMirrors(): Promise<{ baseUrls: string[]; repomdChecksums: Checksum[] }> {
    return Promise.resolve({ baseUrls: [BASE_URL], repomdChecksums: [] });
  }
  fetchBytes(): Promise<Uint8Array> {
    return Promise.resolve(this.repomd);
  }
  fetchFile(urls: string[], relPath: string, expected?: Checksum): Promise<{ path: string; bytes: number; fromCache: boolean; url: string }> {
    const url = `${urls[0] ?? BASE_URL}${relPath}`;
    const path = this.files.get(relPath);
    if (!path) return Promise.reject(new RfsError('RFS_HTTP_STATUS', `fetching ${url}: HTTP 404`, { subject: url }));
    const bytes = readFileSync(path);
    if (expected) {
      const type = checksumType(expected.type);
      if (!type || createHash(type).update(bytes).digest('hex') !== expected.value.toLowerCase()) {
        return Promise.reject(new RfsError('RFS_CHECKSUM_MISMATCH', `fetching ${url}: checksum mismatch`, { subject: url }));
      }
    }
    return Promise.resolve({ path, bytes: bytes.length, fromCache: false, url });
  }
}

type Target = 'repomd' | 'primary' | 'filelists' | 'comps';

function mutateText(rng: Rng, s: string): { text: string; what: string } {
  if (rng() < 0.5) {
    const m = pick(rng, XML_MUTATIONS);
    return { text: mutateXml(rng, s, m), what: m };
  }
  const m = pick(rng, BYTE_MUTATIONS);
  return { text: dec.decode(mutateBytes(rng, enc.encode(s), m)), what: m };
}

const tmp = tempDir('rfs-fuzz-metadata-');
afterAll(() => tmp.cleanup());

/** Write one case's repo and read it as a build would: repomd, primary, comps, then filelists. */
async function runCase(rng: Rng, base: RepoBase, comps: string, caseDir: string): Promise<{ what: string; run: () => Promise<unknown> }> {
  const target = pick(rng, ['repomd', 'primary', 'primary', 'filelists', 'filelists', 'comps'] as const satisfies readonly Target[]);
  const docs: Record<Exclude<Target, 'repomd'>, string> = { primary: base.primary, filelists: base.filelists, comps };
  let what = `${base.name} ${target}`;
  let repomd: string;
  const files = new Map<string, string>();
  if (target === 'repomd') {
    // the repo's real repomd.xml, mutated, over its real files
    const m = mutateText(rng, base.repomd);
    repomd = m.text;
    what += ` ${m.what}`;
    for (const f of readdirSync(join(base.dir, 'repodata'))) files.set(`repodata/${f}`, join(base.dir, 'repodata', f));
  } else {
    const m = mutateText(rng, docs[target]);
    docs[target] = m.text;
    what += ` ${m.what}`;
    const gz = rng() < 0.3;
    const written = (['primary', 'filelists', 'comps'] as const).map((type) => {
      const open = enc.encode(docs[type]);
      const data = gz ? new Uint8Array(gzipSync(open, { level: 1 })) : open;
      const name = `${type}.xml${gz ? '.gz' : ''}`;
      writeFileSync(join(caseDir, name), data);
      files.set(`repodata/${name}`, join(caseDir, name));
      return { type: type === 'comps' ? 'group' : type, name, data, open };
    });
    repomd = repomdFor(written);
  }
  const fetcher = new FileFetcher(enc.encode(repomd), files);
  const repo: RepoConfig = { id: 'fuzz', baseurl: [BASE_URL], enabled: true };
  // both XML tokenizers: the fast one and the reference sax one
  const tokenizer = rng() < 0.7 ? 'fast' : 'sax';
  return {
    what: `${what} (${tokenizer})`,
    run: async () => {
      const loaded = await loadRepo(repo, fetcher, { arch: 'x86_64', cacheDir: join(caseDir, 'cache'), noPoolCache: true, tokenizer });
      await loaded.loadFilelists();
    },
  };
}

const fx = fixturesAvailable();
if (!fx.ok) console.warn(`[test/fuzz/metadata] skipping: ${fx.reason}`);

describe.skipIf(!fx.ok)('metadata reader fuzz', () => {
  it(`${ITERATIONS} mutations of repomd.xml, primary.xml, filelists.xml and comps end in success or an RfsError`, async () => {
    const bases = await Promise.all(FIXTURE_REPOS.map(loadBase));
    const comps = compsDoc();
    const caseDir = join(tmp.dir, 'repodata');
    mkdirSync(caseDir, { recursive: true });
    const rss0 = rssMB();
    let peak = rss0;
    const failures: string[] = [];
    const codes = new Map<string, number>();
    for (let i = ONLY ?? 0; i < (ONLY !== undefined ? ONLY + 1 : ITERATIONS) && failures.length < 5; i++) {
      const rng = caseRng(SEED, i);
      const c = await runCase(rng, pick(rng, bases), comps, caseDir);
      const r = await outcome(c.run, CASE_TIMEOUT_MS);
      const key = r.what.split(':')[0]!;
      codes.set(key, (codes.get(key) ?? 0) + 1);
      if (!r.ok) failures.push(`RFS_FUZZ_SEED=${SEED} RFS_FUZZ_CASE=${i} (${c.what}): ${r.what}`);
      if (i % 50 === 0) peak = Math.max(peak, rssMB());
    }
    peak = Math.max(peak, rssMB());
    if (process.env.RFS_FUZZ_STATS) console.log(JSON.stringify([...codes]));
    expectFuzzVerdict({ failures, codes, rss0, peak, replaying: ONLY !== undefined, minKinds: 2, rssGrowthMB: RSS_GROWTH_MB });
  }, 120_000);
});
