// --sbom: SPDX 2.3 JSON. One package per RPM with a purl (pkg:rpm/<vendor>/<name>@<v>-<r>?arch=
// &distro=&epoch=), contained in a root package for the image. Deterministic: packages sorted,
// document namespace derived from the content, `created` from SOURCE_DATE_EPOCH via the caller.
// Each package's signature check is an annotation: verified with which key, or unverified and why.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { Checksum, UnverifiedReason } from '../../types/index.js';
import { UNVERIFIED_REASON } from '../gpg.js';
import { atomicFile } from './atomic.js';

export interface SbomPackage {
  name: string;
  epoch: number | null;
  version: string;
  release: string;
  arch: string;
  license?: string;
  sourcerpm?: string;
  vendor?: string;
  summary?: string;
  /** download URL of the .rpm */
  url?: string;
  /** upstream project URL (header URL tag) */
  homepage?: string;
  checksum?: Checksum;
  signature?: { verified: true; keys: { keyId: string; fingerprint: string; file: string }[] } | { verified: false; reason: UnverifiedReason };
}

export interface SbomInput {
  packages: SbomPackage[];
  distro: { id: string; version: string; name?: string };
  /** ISO 8601 */
  created: string;
}

// purl "rpm" namespaces are vendor names as used by the purl spec and scanners.
const NAMESPACE_BY_DISTRO: Record<string, string> = {
  centos: 'centos', fedora: 'fedora', rocky: 'rocky', almalinux: 'almalinux', alma: 'almalinux', rhel: 'redhat',
  redhat: 'redhat', ol: 'oracle', oracle: 'oracle', opensuse: 'opensuse', sles: 'suse', amzn: 'amazon', mageia: 'mageia',
};
const NAMESPACE_BY_VENDOR: [RegExp, string][] = [
  [/centos/i, 'centos'], [/fedora/i, 'fedora'], [/rocky/i, 'rocky'], [/alma/i, 'almalinux'], [/red ?hat/i, 'redhat'],
  [/oracle/i, 'oracle'], [/suse/i, 'opensuse'], [/amazon/i, 'amazon'],
];

export function purlNamespace(distroId: string, vendor?: string): string {
  for (const [re, ns] of NAMESPACE_BY_VENDOR) if (vendor !== undefined && re.test(vendor)) return ns;
  return NAMESPACE_BY_DISTRO[distroId.toLowerCase()] ?? distroId.toLowerCase();
}

const pct = (s: string): string => encodeURIComponent(s);

export function rpmPurl(p: SbomPackage, distro: { id: string; version: string }): string {
  const q: [string, string][] = [['arch', p.arch], ['distro', `${distro.id}-${distro.version}`]];
  if (p.epoch !== null && p.epoch > 0) q.push(['epoch', String(p.epoch)]);
  q.sort(([a], [b]) => (a < b ? -1 : 1)); // purl: qualifiers sorted by key
  return `pkg:rpm/${pct(purlNamespace(distro.id, p.vendor))}/${pct(p.name)}@${pct(`${p.version}-${p.release}`)}?${q.map(([k, v]) => `${k}=${pct(v)}`).join('&')}`;
}

const idSafe = (s: string): string => s.replace(/[^A-Za-z0-9.-]+/g, '-');

/** distinct RPM license texts -> distinct LicenseRef ids ("GPLv2+" -> LicenseRef-GPLv2) */
function licenseRefs(licenses: string[]): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const l of licenses) {
    let id = `LicenseRef-${idSafe(l).replace(/^-+|-+$/g, '') || 'unknown'}`;
    if (used.has(id)) id += `-${createHash('sha256').update(l).digest('hex').slice(0, 8)}`;
    used.add(id);
    ids.set(l, id);
  }
  return ids;
}

const SPDX_ALGO: Record<string, string> = { md5: 'MD5', sha1: 'SHA1', sha224: 'SHA224', sha256: 'SHA256', sha384: 'SHA384', sha512: 'SHA512' };

/** SPDX wants YYYY-MM-DDThh:mm:ssZ (UTC, no fraction) */
function spdxTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(Math.floor(t / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function buildSbom(input: SbomInput): Record<string, unknown> {
  const pkgs = [...input.packages].sort((a, b) => {
    const ka = `${a.name}\0${a.arch}\0${a.epoch ?? 0}\0${a.version}\0${a.release}`;
    const kb = `${b.name}\0${b.arch}\0${b.epoch ?? 0}\0${b.version}\0${b.release}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  const { distro } = input;
  const purls = pkgs.map((p) => rpmPurl(p, distro));
  // RPM License tags ("GPLv2+") are not SPDX expressions: each becomes a LicenseRef with its text.
  const licenses = [...new Set(pkgs.map((p) => p.license).filter((l): l is string => l !== undefined && l !== ''))].sort();
  const refs = licenseRefs(licenses);
  const rootId = 'SPDXRef-OperatingSystem';
  const created = spdxTime(input.created);
  const packages: Record<string, unknown>[] = [{
    name: distro.id, SPDXID: rootId, versionInfo: distro.version, downloadLocation: 'NOASSERTION', filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION', licenseDeclared: 'NOASSERTION', copyrightText: 'NOASSERTION',
    primaryPackagePurpose: 'OPERATING-SYSTEM', ...(distro.name !== undefined ? { description: distro.name } : {}),
  }];
  pkgs.forEach((p, i) => {
    packages.push({
      name: p.name,
      SPDXID: `SPDXRef-Package-rpm-${idSafe(p.name)}-${idSafe(p.arch)}-${i + 1}`,
      versionInfo: `${p.epoch !== null && p.epoch > 0 ? `${p.epoch}:` : ''}${p.version}-${p.release}`,
      supplier: p.vendor ? `Organization: ${p.vendor}` : 'NOASSERTION',
      downloadLocation: p.url ?? 'NOASSERTION',
      ...(p.homepage ? { homepage: p.homepage } : {}),
      filesAnalyzed: false,
      ...(p.checksum && SPDX_ALGO[p.checksum.type] ? { checksums: [{ algorithm: SPDX_ALGO[p.checksum.type], checksumValue: p.checksum.value }] } : {}),
      ...(p.sourcerpm ? { sourceInfo: `built package from: ${p.sourcerpm}` } : {}),
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: p.license ? (refs.get(p.license) ?? 'NOASSERTION') : 'NOASSERTION',
      copyrightText: 'NOASSERTION',
      ...(p.summary ? { summary: p.summary } : {}),
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purls[i] }],
      ...(p.signature ? { annotations: [{ annotationDate: created, annotationType: 'OTHER', annotator: 'Tool: rootfs-assemble', comment: signatureComment(p.signature) }] } : {}),
    });
  });
  // what was verified is part of the content: a build with --nogpgcheck is another document
  const sigs = pkgs.map((p) => (p.signature ? signatureComment(p.signature) : ''));
  const ns = createHash('sha256').update(JSON.stringify([distro, input.created, purls, ...(sigs.some(Boolean) ? [sigs] : [])])).digest('hex').slice(0, 32);
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${distro.id}-${distro.version}-rootfs`,
    documentNamespace: `https://rootfs-assemble.invalid/spdx/${idSafe(distro.id)}-${idSafe(distro.version)}-${ns}`,
    creationInfo: { created, creators: ['Tool: rootfs-assemble'] },
    packages,
    ...(licenses.length > 0 ? { hasExtractedLicensingInfos: licenses.map((l) => ({ licenseId: refs.get(l), extractedText: l, name: l })) } : {}),
    relationships: [
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: rootId },
      ...packages.slice(1).map((p) => ({ spdxElementId: rootId, relationshipType: 'CONTAINS', relatedSpdxElement: p.SPDXID })),
    ],
  };
}

/** e.g. "rpm signature: verified with key 0123456789abcdef (fingerprint ..., key file RPM-GPG-KEY-CentOS-7)" */
export function signatureComment(s: NonNullable<SbomPackage['signature']>): string {
  if (!s.verified) return `rpm signature: NOT verified (${UNVERIFIED_REASON[s.reason]})`;
  return `rpm signature: verified with ${s.keys.map((k) => `key ${k.keyId} (fingerprint ${k.fingerprint}, key file ${k.file})`).join(' and ')}`;
}

export async function writeSbom(path: string, input: SbomInput): Promise<void> {
  await atomicFile(path, (tmp) => writeFile(tmp, sbomText(input)));
}

/** The SPDX document as written. */
export function sbomText(input: SbomInput): string {
  return JSON.stringify(buildSbom(input), null, 2) + '\n';
}
