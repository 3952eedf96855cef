// Bounded fuzz of the rpm reader: seeded mutations of real packages (fixture packages of the el4,
// el7 and modern eras, and ../shared/realdata ones when present) go through what `inspect` runs
// (lead, signature and main header, digests, the archive listing with content digests) and the
// unpacker's payload reader. Each case must end in success or an RfsError with a stable code,
// within its own time limit, the two readers must agree on unsafe paths, and memory must stay
// bounded. A failure names the seed and case to replay it (RFS_FUZZ_SEED, RFS_FUZZ_CASE).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { headerPathProblem, inspectPackage, openRpm, type RpmInspection } from '../../src/rpm/index.js';
import { isRfsError } from '../../src/errors/index.js';
import { decompress } from '../../src/decompress/index.js';
import { concat } from '../../src/util/bytes.js';
import { fixtureManifest, fixtureRepo, fixturesAvailable, type FixtureRepoName } from '../helpers/fixtures.js';
import { HAVE_REALDATA, RPMS } from '../rpm/helpers.js';
import { BYTE_MUTATIONS, caseRng, expectFuzzVerdict, int, mutateBytes, outcome, pick, rssMB, setU32, type Rng } from './mutate.js';

// The defaults are what the suite runs. RFS_FUZZ_SEED=<n> RFS_FUZZ_CASE=<i> replays one reported case;
// another RFS_FUZZ_SEED or RFS_FUZZ_SCALE=<factor> explores further.
const SEED = Number(process.env.RFS_FUZZ_SEED ?? 0x5eed_4a11) >>> 0;
const ONLY = process.env.RFS_FUZZ_CASE === undefined ? undefined : Number(process.env.RFS_FUZZ_CASE);
const FIXTURE_ITERATIONS = Math.round(4000 * Number(process.env.RFS_FUZZ_SCALE ?? 1));
const REALDATA_ITERATIONS = Math.round(1600 * Number(process.env.RFS_FUZZ_SCALE ?? 1));
const CASE_TIMEOUT_MS = 5000;
const RSS_GROWTH_MB = 400;

interface Base {
  name: string;
  bytes: Uint8Array;
  /** [start, end) of the signature header, the main header and the payload */
  sig: [number, number];
  hdr: [number, number];
  payload: number;
  /** the decompressed archive, to mutate below the codec */
  cpio: Uint8Array;
}

async function loadBase(name: string, file: string): Promise<Base> {
  const bytes = new Uint8Array(readFileSync(file));
  const pkg = await openRpm(bytes, { subject: name });
  const hdrStart = pkg.payloadOffset - pkg.headerBytes.length;
  const parts: Uint8Array[] = [];
  for await (const c of decompress((async function* () { yield bytes.subarray(pkg.payloadOffset); })())) parts.push(c);
  return { name, bytes, sig: [96, 96 + pkg.signatureBytes.length], hdr: [hdrStart, pkg.payloadOffset], payload: pkg.payloadOffset, cpio: concat(parts) };
}

/** The 32-bit fields of a header: il, dl, and each index entry's tag, type, offset, count. */
function headerField(rng: Rng, b: Uint8Array, [start, end]: [number, number]): number {
  const il = Math.min(new DataView(b.buffer, b.byteOffset).getUint32(start + 8), (end - start - 16) >>> 4);
  if (il === 0 || rng() < 0.2) return start + 8 + 4 * int(rng, 2);
  return start + 16 + 16 * int(rng, il) + 4 * int(rng, 4);
}

/** A newc header field (8 hex digits) set to a boundary value or garbage. */
function cpioField(rng: Rng, cpio: Uint8Array): Uint8Array {
  const starts: number[] = [];
  for (let i = cpio.indexOf(0x30); i >= 0 && starts.length < 5000; i = cpio.indexOf(0x30, i + 1)) {
    if (cpio[i + 1] === 0x37 && cpio[i + 2] === 0x30 && cpio[i + 3] === 0x37 && cpio[i + 4] === 0x30) starts.push(i);
  }
  const out = cpio.slice();
  if (starts.length === 0) return out;
  const at = pick(rng, starts) + 6 + 8 * int(rng, 13);
  const v = pick(rng, ['ffffffff', '7fffffff', '80000000', '00000000', '00000001', '0000ffff', 'zzzzzzzz', '-0000001']);
  out.set(new TextEncoder().encode(v).subarray(0, Math.max(0, Math.min(8, out.length - at))), at);
  return out;
}

/** One mutated package and what was done to it. */
function mutate(rng: Rng, base: Base): { bytes: Uint8Array; what: string; raw: boolean } {
  const kind = pick(rng, ['bytes', 'bytes', 'field32', 'field32', 'cpio', 'cpio-field'] as const);
  if (kind === 'bytes') {
    const m = pick(rng, BYTE_MUTATIONS);
    const region = pick(rng, [[0, 96], base.sig, base.hdr, [base.payload, base.bytes.length], [0, base.bytes.length]] as const);
    return { bytes: mutateBytes(rng, base.bytes, m, region[0], region[1]), what: `${m} in [${region[0]}, ${region[1]})`, raw: false };
  }
  if (kind === 'field32') {
    const off = headerField(rng, base.bytes, rng() < 0.4 ? base.sig : base.hdr);
    return { bytes: setU32(rng, base.bytes, off), what: `u32 at ${off}`, raw: false };
  }
  // below the codec: the archive itself, re-gzipped (the codec is sniffed, so any era reads it)
  const m = pick(rng, BYTE_MUTATIONS);
  const cpio = kind === 'cpio' ? mutateBytes(rng, base.cpio, m) : cpioField(rng, base.cpio);
  return { bytes: concat([base.bytes.subarray(0, base.payload), new Uint8Array(gzipSync(cpio, { level: 1 }))]), what: kind === 'cpio' ? `cpio ${m}` : 'cpio header field', raw: true };
}

const code = (e: unknown): string => (isRfsError(e) ? e.code : 'not an RfsError');

/**
 * inspect's reader, then the unpacker's (every entry's content drained). Both apply one set of
 * path rules, so they must agree: an unsafe finding means the unpacker refuses the package, an
 * RFS_UNSAFE_PATH from the unpacker means inspect saw it too, and no entry has an unsafe path.
 */
async function readBoth(bytes: Uint8Array, verify: boolean): Promise<void> {
  let ins: RpmInspection | null = null;
  let inspectErr: unknown = null;
  try {
    ins = await inspectPackage(bytes, { verify, subject: 'fuzz.rpm' });
  } catch (e) {
    inspectErr = e;
  }
  let unpackErr: unknown = null;
  try {
    const pkg = await openRpm(bytes, { verify, subject: 'fuzz.rpm' });
    for await (const e of pkg.entries()) {
      const p = headerPathProblem(e.file.path);
      if (p?.severity === 'unsafe') throw new Error(`the unpacker yielded ${JSON.stringify(e.file.path)} (${p.reason})`);
      for await (const _ of e.content);
    }
  } catch (e) {
    unpackErr = e;
  }
  for (const e of [inspectErr, unpackErr]) if (e !== null && !isRfsError(e)) throw e;
  const unsafe = ins?.findings.find((f) => f.severity === 'unsafe');
  if (ins && unsafe && unpackErr === null) {
    throw new Error(`inspect found ${unsafe.where} ${JSON.stringify(unsafe.name)} unsafe (${unsafe.reason}), the unpacker accepted the package`);
  }
  if (ins && !unsafe && code(unpackErr) === 'RFS_UNSAFE_PATH') {
    throw new Error(`the unpacker refused a name inspect let pass: ${(unpackErr as Error).message}`);
  }
  if (inspectErr !== null) throw inspectErr;
  if (unpackErr !== null) throw unpackErr;
}

async function fuzz(bases: Base[], iterations: number, seed: number): Promise<void> {
  const rss0 = rssMB();
  let peak = rss0;
  const failures: string[] = [];
  const codes = new Map<string, number>();
  const end = ONLY !== undefined ? ONLY + 1 : iterations;
  for (let i = ONLY ?? 0; i < end && failures.length < 5; i++) {
    const rng = caseRng(seed, i);
    const base = pick(rng, bases);
    const m = mutate(rng, base);
    const verify = !m.raw && rng() < 0.3;
    const r = await outcome(() => readBoth(m.bytes, verify), CASE_TIMEOUT_MS);
    codes.set(r.what.split(':')[0]!, (codes.get(r.what.split(':')[0]!) ?? 0) + 1);
    if (!r.ok) failures.push(`RFS_FUZZ_SEED=${seed} RFS_FUZZ_CASE=${i} (${base.name}, ${m.what}, verify ${verify}): ${r.what}`);
    if (i % 100 === 0) peak = Math.max(peak, rssMB());
  }
  peak = Math.max(peak, rssMB());
  if (process.env.RFS_FUZZ_STATS) console.log(JSON.stringify([...codes]));
  expectFuzzVerdict({ failures, codes, rss0, peak, replaying: ONLY !== undefined, minKinds: 4, rssGrowthMB: RSS_GROWTH_MB });
}

const fx = fixturesAvailable();
if (!fx.ok) console.warn(`[test/fuzz/rpm] skipping the fixture part: ${fx.reason}`);

/** The n smallest packages of a fixture repo (fast cases, still a full header and archive). */
function smallest(repo: FixtureRepoName, n: number): [string, string][] {
  const dir = fixtureRepo(repo);
  return (fixtureManifest()[repo] ?? [])
    .map((p) => [`${repo}/${p.name}`, join(dir, p.href)] as [string, string])
    .sort((a, b) => statSync(a[1]).size - statSync(b[1]).size || (a[0] < b[0] ? -1 : 1))
    .slice(0, n);
}

describe.skipIf(!fx.ok)('rpm reader fuzz: fixture packages', () => {
  it(`${FIXTURE_ITERATIONS} mutations of el4, el7 and modern packages end in success or an RfsError`, async () => {
    const picks = [...smallest('el4-os', 2), ...smallest('el7-os', 2), ...smallest('modern', 2)];
    const bases = await Promise.all(picks.map(([n, f]) => loadBase(n, f)));
    await fuzz(bases, FIXTURE_ITERATIONS, SEED);
  }, 120_000);
});

const REAL = [
  'rpm-testsuite/hello-2.0-1.x86_64.rpm', // gzip, rpm 4.13
  'rpm-testsuite/imatest-1.0-1.fc34.noarch.rpm', // zstd
  'go-rpmutils/payload-test-0.1-w9.bzdio.x86_64.rpm', // bzip2
  'go-rpmutils/payload-test-0.1-w6.lzdio.x86_64.rpm', // lzma
  'centos-release/centos-release-6-0.el6.centos.5.x86_64.rpm', // xz, rpm 4.8
  'rpm-rs/v6/rpm-basic-2.3.4-5.el9.noarch.rpm', // rpm 6, stripped archive
];
const realFiles = HAVE_REALDATA ? REAL.filter((f) => existsSync(join(RPMS, f))) : [];
if (!realFiles.length) console.warn(`[test/fuzz/rpm] skipping the real-data part: ${RPMS} is absent`);

describe.skipIf(!realFiles.length)('rpm reader fuzz: ../shared/realdata packages', () => {
  it(`${REALDATA_ITERATIONS} mutations of gzip, zstd, bzip2, lzma, xz and rpm 6 packages end in success or an RfsError`, async () => {
    const bases = await Promise.all(realFiles.map((f) => loadBase(f, join(RPMS, f))));
    await fuzz(bases, REALDATA_ITERATIONS, SEED);
  }, 120_000);
});
