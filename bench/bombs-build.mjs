// Builds the hostile repos of the decompression-bomb issue into a scratch directory (never
// committed; default /tmp/rfs-bench-bombs, reused when present), one repo per bomb:
//   pkg-xz      a package of the fixture repo whose payload is its cpio + 1 GiB of zeros, xz -0   (~150-270 kB)
//   pkg-zstd    the same with 3 GiB of zeros through zstd from a pipe: no declared frame size     (~100 kB)
//   name-3g     primary.xml.zst with one package whose <name> is 3 GiB long (open-size declared)
//   nested-1g   primary.xml.zst: 1 GiB of nested <x> inside a package
//   dup-2000    primary.xml.zst: the same package 2,000 times (a real one, so the solver can pick it)
// Usage: node bench/bombs-build.mjs [DIR]   (needs the fixtures: npm run fixtures)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const GiB = 1024 ** 3;
export const PKG = 'coreutils-common';

function fixturePkg() {
  const cache = resolve(here, '..', 'test', 'fixtures', '.cache');
  const key = readFileSync(join(cache, 'current'), 'utf8').trim();
  const dir = join(cache, key, 'repos', 'modern', 'Packages', 'c');
  const f = readdirSync(dir).find((n) => n.startsWith(`${PKG}-`) && n.endsWith('.rpm'));
  if (!f) throw new Error(`no ${PKG} in ${dir}: build the fixtures (npm run fixtures)`);
  return join(dir, f);
}

/** Byte offset of the payload: lead, signature header (8-aligned), main header. */
function payloadOffset(rpm) {
  const b = readFileSync(rpm);
  const hdr = (o) => 16 + 16 * b.readUInt32BE(o + 8) + b.readUInt32BE(o + 12);
  let o = 96;
  o += hdr(o);
  o += (8 - (o % 8)) % 8;
  return o + hdr(o);
}

const sh = (cmd) => execFileSync('sh', ['-c', cmd], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'inherit'] });

function packageBomb(dir, pack, zeros) {
  const rpm = fixturePkg();
  mkdirSync(dir, { recursive: true });
  const payload = sh(`{ rpm2cpio '${rpm}'; head -c ${zeros} /dev/zero; } | ${pack}`);
  writeFileSync(join(dir, `${PKG}.rpm`), Buffer.concat([readFileSync(rpm).subarray(0, payloadOffset(rpm)), payload]));
  execFileSync('createrepo_c', ['--quiet', dir]);
}

/**
 * repodata/ with only a primary.xml.zst made by `producer` (bash writing XML to stdout; head.xml
 * and tail.xml are there to cat), with its open-size declared as createrepo would: the
 * attacker's best move, as the limit then is the bomb's own size.
 */
function primaryBomb(dir, producer, head, tail) {
  mkdirSync(join(dir, 'repodata'), { recursive: true });
  writeFileSync(join(dir, 'head.xml'), head);
  writeFileSync(join(dir, 'tail.xml'), tail);
  const tmp = join(dir, 'repodata', 'primary.xml.zst');
  writeFileSync(join(dir, 'make.sh'), `set -e\ncd '${dir}'\n{ ${producer}\n} | tee >(wc -c > open-size) | zstd -3 -q -T1 -c > '${tmp}'\nwait $!\n`);
  execFileSync('bash', [join(dir, 'make.sh')], { stdio: 'inherit' });
  const openSize = Number(readFileSync(join(dir, 'open-size'), 'utf8').trim());
  for (const f of ['head.xml', 'tail.xml', 'make.sh', 'open-size']) rmSync(join(dir, f));
  const bytes = readFileSync(tmp);
  const sum = createHash('sha256').update(bytes).digest('hex');
  const name = `repodata/${sum}-primary.xml.zst`;
  execFileSync('mv', [tmp, join(dir, name)]);
  writeFileSync(join(dir, 'repodata', 'repomd.xml'), `<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>1700000000</revision>
  <data type="primary">
    <checksum type="sha256">${sum}</checksum>
    <location href="${name}"/>
    <timestamp>1700000000</timestamp>
    <size>${bytes.length}</size>
    <open-size>${openSize}</open-size>
  </data>
</repomd>
`);
}

const META = (n) => `<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="${n}">\n`;
const REST = `<arch>noarch</arch><version epoch="0" ver="1" rel="1"/><checksum type="sha256" pkgid="YES">${'0'.repeat(64)}</checksum><location href="x.rpm"/></package>\n`;

/** The fixture repo's real <package> element for PKG, from its primary.xml. */
function realPackageXml() {
  const rpm = fixturePkg();
  const repodata = join(dirname(dirname(dirname(rpm))), 'repodata');
  const f = readdirSync(repodata).find((n) => n.endsWith('-primary.xml.zst'));
  const xml = execFileSync('zstd', ['-dc', join(repodata, f)], { maxBuffer: 1 << 28 }).toString();
  const m = new RegExp(`<package type="rpm">\\s*<name>${PKG}</name>[\\s\\S]*?</package>`).exec(xml);
  if (!m) throw new Error(`no ${PKG} in ${f}`);
  return m[0];
}

export const BOMBS = {
  'pkg-xz': (d) => packageBomb(d, 'xz -0 -T1 -c', 1 * GiB),
  'pkg-zstd': (d) => packageBomb(d, 'zstd -3 -q -T1 -c', 3 * GiB),
  'name-3g': (d) => primaryBomb(d, `cat head.xml; head -c ${3 * GiB} /dev/zero | tr '\\0' a; cat tail.xml`,
    `${META(1)}<package type="rpm"><name>`, `</name>${REST}</metadata>\n`),
  'nested-1g': (d) => primaryBomb(d, `cat head.xml; yes '<x>' | tr -d '\\n' | head -c ${GiB}; cat tail.xml`,
    `${META(1)}<package type="rpm"><name>n</name>`, ''),
  'dup-2000': (d) => {
    mkdirSync(d, { recursive: true });
    execFileSync('cp', [fixturePkg(), join(d, 'x.rpm')]);
    const pkg = `${realPackageXml().replace(/<location href="[^"]*"\/>/, '<location href="x.rpm"/>')}\n`;
    primaryBomb(d, 'cat head.xml; for i in $(seq 2000); do cat tail.xml; done; printf "</metadata>\\n"', META(2000), pkg);
  },
};

export function buildAll(root) {
  mkdirSync(root, { recursive: true });
  for (const [name, make] of Object.entries(BOMBS)) {
    const d = join(root, name);
    if (existsSync(join(d, 'repodata', 'repomd.xml'))) continue;
    rmSync(d, { recursive: true, force: true });
    const t = Date.now();
    make(d);
    const size = readdirSync(d, { recursive: true }).map((f) => join(d, String(f))).filter((f) => statSync(f).isFile() && !f.endsWith('repomd.xml'))
      .reduce((n, f) => n + statSync(f).size, 0);
    console.error(`built ${name} in ${((Date.now() - t) / 1000).toFixed(1)} s (${(size / 1024).toFixed(0)} kB served)`);
  }
  return root;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildAll(resolve(process.argv[2] ?? '/tmp/rfs-bench-bombs'));
