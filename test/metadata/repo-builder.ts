// Writes tiny hand-made repodata (repomd.xml + primary/filelists in any codec) for error tests.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export type Codec = 'gz' | 'bz2' | 'xz' | 'zst' | 'none';

export function compress(data: Buffer, codec: Codec): Buffer {
  switch (codec) {
    case 'gz': return gzipSync(data);
    case 'bz2': return execFileSync('bzip2', ['-c'], { input: data });
    case 'xz': return execFileSync('xz', ['-c'], { input: data });
    case 'zst': return execFileSync('zstd', ['-q', '-c'], { input: data });
    case 'none': return data;
  }
}

export interface FileSpec { type: string; name: string; data: Buffer; checksumType?: string; declaredChecksum?: string }

/** Write files into dir/repodata and a repomd.xml describing them (checksums honest unless declared). */
export function writeRepo(dir: string, files: FileSpec[]): void {
  mkdirSync(join(dir, 'repodata'), { recursive: true });
  const data = files.map((f) => {
    writeFileSync(join(dir, 'repodata', f.name), f.data);
    const algo = f.checksumType === 'sha' ? 'sha1' : f.checksumType ?? 'sha256';
    const sum = f.declaredChecksum ?? createHash(algo).update(f.data).digest('hex');
    return `<data type="${f.type}"><checksum type="${f.checksumType ?? 'sha256'}">${sum}</checksum><location href="repodata/${f.name}"/><timestamp>1</timestamp></data>`;
  });
  writeFileSync(join(dir, 'repodata', 'repomd.xml'), `<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm"><revision>42</revision>${data.join('')}</repomd>`);
}

export const PRIMARY = `<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="2">
<package type="rpm">
  <name>bash</name>
  <arch>i386</arch>
  <version epoch="0" ver="3.0" rel="27.el4"/>
  <checksum type="sha" pkgid="YES">${'a'.repeat(40)}</checksum>
  <summary>The GNU Bourne Again shell &amp; friends</summary>
  <description>long</description>
  <packager>CentOS</packager>
  <url>http://www.gnu.org/</url>
  <time file="1" build="1234"/>
  <size package="1000" installed="5000" archive="5100"/>
  <location href="CentOS/RPMS/bash-3.0-27.el4.i386.rpm"/>
  <format>
    <rpm:license>GPL</rpm:license>
    <rpm:vendor>CentOS</rpm:vendor>
    <rpm:group>System Environment/Shells</rpm:group>
    <rpm:buildhost>b</rpm:buildhost>
    <rpm:sourcerpm>bash-3.0-27.el4.src.rpm</rpm:sourcerpm>
    <rpm:header-range start="1" end="2"/>
    <rpm:provides>
      <rpm:entry name="bash" flags="EQ" epoch="0" ver="3.0" rel="27.el4"/>
      <rpm:entry name="/bin/sh"/>
    </rpm:provides>
    <rpm:requires>
      <rpm:entry name="/sbin/install-info" pre="1"/>
      <rpm:entry name="libc.so.6(GLIBC_2.3)"/>
      <rpm:entry name="mktemp" flags="GE" epoch="2" ver="1.5"/>
      <rpm:entry name="glibc" flags="LT" epoch="0" ver="3" rel="1"/>
    </rpm:requires>
    <rpm:obsoletes><rpm:entry name="bash2" flags="LE" epoch="0" ver="2.05"/></rpm:obsoletes>
    <file>/bin/bash</file>
    <file type="dir">/etc/skel</file>
  </format>
</package>
<package type="rpm">
  <name>bash</name>
  <arch>src</arch>
  <version epoch="0" ver="3.0" rel="27.el4"/>
  <checksum type="sha" pkgid="YES">${'b'.repeat(40)}</checksum>
  <summary>src</summary>
  <time file="1" build="1234"/>
  <size package="1" installed="1" archive="1"/>
  <location href="SRPMS/bash-3.0-27.el4.src.rpm"/>
  <format/>
</package>
</metadata>
`;

export const FILELISTS = `<?xml version="1.0" encoding="UTF-8"?>
<filelists xmlns="http://linux.duke.edu/metadata/filelists" packages="1">
<package pkgid="${'a'.repeat(40)}" name="bash" arch="i386"><version epoch="0" ver="3.0" rel="27.el4"/>
<file>/bin/bash</file><file>/usr/share/doc/bash-3.0/FAQ</file><file type="dir">/etc/skel</file></package>
</filelists>
`;
