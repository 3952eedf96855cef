// Every real package is read as Debian's rpm reads it: NEVRA, dependencies and file metadata
// compared with `rpm -qp --qf`, payloads compared with what `rpm2cpio | cpio -idm` extracts.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRpm } from '../../src/rpm/index.js';
import { isRfsError } from '../../src/errors/index.js';
import { HAVE_REALDATA, HAVE_RPM, HAVE_RPM2CPIO, RPMS, packageFiles, rpmQuery, rpm2cpio } from './helpers.js';

const files = packageFiles();
const headerOnly = (f: string): boolean => f.includes('/header-only/');

describe.skipIf(!HAVE_REALDATA || !HAVE_RPM)('real packages against rpm -qp', () => {
  it.each(files.map((f) => [relative(RPMS, f), f]))('%s', async (_name, file) => {
    const q = rpmQuery(file);
    let pkg;
    try {
      pkg = await openRpm(file, { headerOnly: true });
    } catch (e) {
      // rpm refuses it too, and we name a specific reason
      expect(q.ok, `we rejected what rpm reads: ${String(e)}`).toBe(false);
      expect(isRfsError(e)).toBe(true);
      expect(['RFS_RPM_TRUNCATED', 'RFS_RPM_BAD_HEADER', 'RFS_RPM_BAD_LEAD', 'RFS_RPM_DIGEST_MISMATCH']).toContain((e as { code: string }).code);
      return;
    }
    expect(q.ok, `rpm rejects what we read: ${q.stderr}`).toBe(true);
    const m = pkg.meta;
    expect(m.name).toBe(q.tags.N);
    expect(m.epoch === null ? '(none)' : String(m.epoch)).toBe(q.tags.E);
    expect(m.version).toBe(q.tags.V);
    expect(m.release).toBe(q.tags.R);
    if (q.tags.S === '(none)') expect(['src', 'nosrc']).toContain(m.arch);
    else expect(m.arch).toBe(q.tags.A);
    for (const kind of ['requires', 'provides', 'conflicts', 'obsoletes'] as const) {
      expect(m[kind].map((d) => ({ ...d })), kind).toEqual(q.deps[kind]);
    }
    const ours = m.files.map((f) => [f.path, String(f.mode), String(f.size), f.user, f.group, f.digest, f.linkTo, String(f.flags), String(f.mtime)]);
    expect(ours).toEqual(q.files);
  });
});

const DIGEST_ALGO: Record<number, string> = { 1: 'md5', 2: 'sha1', 8: 'sha256', 9: 'sha384', 10: 'sha512', 11: 'sha224' };

describe.skipIf(!HAVE_REALDATA || !HAVE_RPM2CPIO)('payloads against rpm2cpio | cpio -idm and the header file digests', () => {
  const full = files.filter((f) => !headerOnly(f));
  it.each(full.map((f) => [relative(RPMS, f), f]))('%s', async (_name, file) => {
    const raw = rpm2cpio(file);
    // Debian's rpm 4.18 cannot read rpm 6 (v6) packages: those are checked against FILEDIGESTS only.
    const archive = raw && raw.length > 0 ? raw : null;
    let pkg;
    try {
      pkg = await openRpm(file);
    } catch (e) {
      expect(archive, `rpm2cpio reads it, we fail: ${String(e)}`).toBeNull();
      expect(isRfsError(e)).toBe(true);
      return;
    }
    if (archive === null) expect(pkg.meta.formatVersion).toBe(6);
    const dir = mkdtempSync(join(tmpdir(), 'rfs-cpio-'));
    try {
      if (archive) {
        try {
          execFileSync('cpio', ['-idm', '--quiet', '--no-absolute-filenames'], { cwd: dir, input: archive, stdio: ['pipe', 'ignore', 'ignore'] });
        } catch {
          // device nodes need root; the regular files are what we compare
        }
      }
      const algo = DIGEST_ALGO[pkg.meta.fileDigestAlgo] ?? 'md5';
      let n = 0;
      for await (const e of pkg.entries()) {
        const onDisk = join(dir, e.file.path);
        const type = e.file.mode & 0o170000;
        if (archive && type === 0o120000) expect(readlinkSync(onDisk)).toBe(e.file.linkTo);
        const sha = createHash('sha256');
        const fd = createHash(algo);
        let got = 0;
        for await (const c of e.content) {
          sha.update(c);
          fd.update(c);
          got += c.length;
        }
        expect(got).toBe(e.size);
        if (type === 0o100000 && e.size > 0) {
          if (e.file.digest) expect(fd.digest('hex'), e.file.path).toBe(e.file.digest);
          if (archive) expect(sha.digest('hex'), e.file.path).toBe(createHash('sha256').update(readFileSync(onDisk)).digest('hex'));
        }
        n++;
      }
      expect(n).toBe(pkg.meta.files.filter((f) => !(f.flags & 64)).length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
