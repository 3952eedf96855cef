// The gpg-pubkey pseudo package `rpm --import` adds (lib/rpmts.c makePubkeyHeader), so that
// `rpm -qa gpg-pubkey*` lists imported keys and rpm verifies signatures against them.
// Shapes by era, checked against real headers: rpm 4.14 (RHEL 8) and 4.16 (Amazon Linux 2023).
import { createHash } from 'node:crypto';
import { Header } from '../rpm/header.js';
import { TAG, TYPE } from '../rpm/tags.js';
import type { RpmdbTarget } from '../types/index.js';
import { parseRpmVersion } from './era.js';
import { type Dribble, buildRegionHeader, dribble, exportBlob } from './hdr.js';
import { dearmor, parsePubkey } from './pgp.js';
import type { WriteRpmdbOptions } from './types.js';

const RPMSENSE_KEYRING_EQUAL = (1 << 26) | 8;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

function base64Lines(b: Uint8Array): string {
  const s = Buffer.from(b).toString('base64');
  let out = '';
  for (let i = 0; i < s.length; i += 64) out += s.slice(i, i + 64) + '\n';
  return out;
}

function crc24(b: Uint8Array): Uint8Array {
  let crc = 0xb704ce;
  for (const x of b) {
    crc ^= x << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return Uint8Array.of((crc >> 16) & 0xff, (crc >> 8) & 0xff, crc & 0xff);
}

const i18n = (tag: number, s: string): Dribble => ({ ...dribble.string(tag, s), type: TYPE.I18NSTRING });

export interface PubkeyOptions extends WriteRpmdbOptions {
  /** the armor "Version:" value rpm writes into DESCRIPTION; default `rpm-<ver> (NSS-3)` as Red Hat builds do */
  armorVersion?: string;
}

/**
 * @param target the image's rpmdb target (its rpm version picks the header shape); default rpm 4.14
 */
export function pubkeyHeaderBlob(armoredKey: string, opts: PubkeyOptions, target?: RpmdbTarget): Uint8Array {
  const rpmVersion = target?.rpmVersion ?? '4.14.3';
  const [maj, min] = parseRpmVersion(rpmVersion);
  const modern = maj > 4 || (maj === 4 && min >= 16);
  const key = parsePubkey(dearmor(armoredKey));
  const keyHex = hex(key.keyId);
  const v = keyHex.slice(8);
  const r = hex8(key.created);
  const userid = key.userId ?? 'none';
  const evr = `${key.version}:${keyHex}-${r}`;
  const b64 = base64Lines(key.packets);
  const crypto = maj === 4 && min < 7 ? 'beecrypt-4.1.2' : 'NSS-3';
  const armorVersion = opts.armorVersion ?? `rpm-${rpmVersion} (${crypto})`;
  const armor = `-----BEGIN PGP PUBLIC KEY BLOCK-----\nVersion: ${armorVersion}\n\n${b64}=${Buffer.from(crc24(key.packets)).toString('base64')}\n-----END PGP PUBLIC KEY BLOCK-----\n`;
  // provides by era: 4.14 added subkeys (RHEL 8 headers), 4.16 the long key id (AL2023, Debian 4.18)
  const provides: [string, string][] = [[`gpg(${userid})`, evr], [`gpg(${v})`, evr]];
  if (modern) provides.push([`gpg(${keyHex})`, evr]);
  if (maj > 4 || min >= 14) {
    for (const sk of key.subkeys) {
      const id = hex(sk.keyId);
      const skEvr = `${sk.version}:${id}-${hex8(sk.created)}`;
      provides.push([`gpg(${id.slice(8)})`, skEvr]);
      if (maj > 4 || min >= 19) provides.push([`gpg(${id})`, skEvr]);
    }
  }

  const region: Dribble[] = [
    dribble.stringArray(TAG.PUBKEYS, [b64]),
    dribble.string(TAG.NAME, 'gpg-pubkey'),
    dribble.string(TAG.VERSION, v),
    dribble.string(TAG.RELEASE, r),
    i18n(TAG.SUMMARY, modern ? `${userid} public key` : `gpg(${userid})`),
    i18n(TAG.DESCRIPTION, armor),
    dribble.int32(TAG.BUILDTIME, [key.created]),
    dribble.string(TAG.BUILDHOST, 'localhost'),
    dribble.int32(TAG.SIZE, [0]),
    dribble.string(TAG.LICENSE, 'pubkey'),
    dribble.string(TAG.PACKAGER, userid),
    i18n(TAG.GROUP, 'Public Keys'),
    dribble.string(TAG.SOURCERPM, '(none)'),
    dribble.stringArray(TAG.PROVIDENAME, provides.map((p) => p[0])),
    dribble.string(TAG.RPMVERSION, rpmVersion),
    dribble.int32(TAG.PROVIDEFLAGS, provides.map(() => RPMSENSE_KEYRING_EQUAL)),
    dribble.stringArray(TAG.PROVIDEVERSION, provides.map((p) => p[1])),
  ];
  const base = Header.parse(buildRegionHeader(region), { magic: false });
  const image = base.regionImage();
  const dribbles: Dribble[] = [
    dribble.string(TAG.SHA1HEADER, createHash('sha1').update(image).digest('hex')),
    dribble.int32(TAG.INSTALLTIME, [opts.installTime]),
    dribble.int32(TAG.INSTALLTID, [opts.installTid ?? opts.installTime]),
  ];
  if (modern) dribbles.push(dribble.string(273, createHash('sha256').update(image).digest('hex')));
  const ril = base.region!.ril;
  return exportBlob(base.blob.subarray(8, 8 + 16 * ril), ril, base.data, dribbles);
}

