// A multi-arch build (--platform): the single-arch build once per arch, each into the work folder
// as an OCI layout, then one layout holding an image index of them, written as oci/oci-archive or
// pushed. The arches run one after another on one cache, so metadata and noarch packages are
// fetched once. Lockfile, SBOM (and --locked) are per arch: FILE with the arch before its extension.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RfsError } from '../errors/index.js';
import { defaultCacheDir } from '../fetch/index.js';
import type { AssembleEvent } from '../types/index.js';
import type { AssembleOptions, AssembleResult } from './options.js';
import { checkOutputTarget, removeTree, StagedFiles } from './output/index.js';
import { writeMergedLayout } from './output/oci-index.js';
import { selectRepos } from './plan.js';
import { perArchPath, resolvePlatforms } from './platforms.js';
import { pushBuilt, pushTargetOf } from './push-step.js';
import { referenceText } from './output/registry/reference.js';
import { createWorkDir } from './workdir.js';

type BuildOne = (o: AssembleOptions) => Promise<AssembleResult>;
/** one platform's build: its result beside the platform it was built for */
interface Built { platform: string; result: AssembleResult }

export async function assembleMulti(given: AssembleOptions, buildOne: BuildOne): Promise<AssembleResult> {
  const started = Date.now();
  const platformsArg = given.platforms ?? [];
  if (given.arch !== undefined) {
    throw new RfsError('RFS_USAGE', `--arch ${given.arch} with --platform: give the arches as platforms`, { subject: given.arch, hint: 'e.g. --platform linux/amd64,linux/arm64 (or --arch repeated)' });
  }
  const { distro } = await selectRepos({ ...given, arch: undefined });
  const targets = resolvePlatforms(platformsArg, distro ? distro.arches : null);
  const pushRef = pushTargetOf(given);
  const format = pushRef ? 'oci' : given.output?.format ?? 'tar';
  if (format !== 'oci' && format !== 'oci-archive') {
    throw new RfsError('RFS_USAGE', `--platform ${platformsArg.join(',')}: several platforms make one OCI image index, which --format ${format} cannot hold`, {
      subject: given.output?.path, hint: 'use --format oci-archive or oci, or --push; or build each --arch on its own',
    });
  }
  const output = pushRef ? undefined : given.output;
  if (output) checkOutputTarget(output.path, format, process.cwd());
  const emit = (e: AssembleEvent): void => given.onEvent?.(e);
  const cacheDir = given.cacheDir ?? defaultCacheDir();
  const workDir = await createWorkDir(cacheDir);
  const work = workDir.path;
  const staged = new StagedFiles();
  const built: Built[] = [];
  try {
    const layouts: string[] = [];
    for (const t of targets) {
      const layout = join(work, `${t.arch}.oci`);
      const side = (f: string | undefined, what: string): string | undefined => (f === undefined ? undefined : join(work, `${what}.${t.arch}`));
      const r = await buildOne({
        ...given, platforms: undefined, arch: t.arch, cacheDir,
        output: { path: layout, format: 'oci' }, push: undefined, digestFile: undefined,
        lockfile: side(given.lockfile, 'lock'), sbom: side(given.sbom, 'sbom'),
        locked: given.locked === undefined ? undefined : perArchPath(given.locked, t.arch),
        // one 'done' for the whole build, at the end
        onEvent: (e) => { if (e.kind !== 'done') emit(e); },
      });
      built.push({ platform: t.platform, result: r });
      layouts.push(layout);
      if (given.lockfile) await staged.stage(perArchPath(given.lockfile, t.arch), await readFile(join(work, `lock.${t.arch}`)));
      if (given.sbom) await staged.stage(perArchPath(given.sbom, t.arch), await readFile(join(work, `sbom.${t.arch}`)));
    }
    const outPath = output?.path ?? join(work, 'push-layout');
    const written = await writeMergedLayout(layouts, outPath, format === 'oci-archive', given.signal);
    const pushed = pushRef ? await pushBuilt(outPath, pushRef, given, cacheDir, emit) : undefined;
    const digest = pushed?.digest ?? written.digest;
    if (given.digestFile) await staged.stage(given.digestFile, `${digest}\n`);
    try {
      await staged.commit();
    } catch (err) {
      if (output) await (format === 'oci' ? removeTree(output.path) : rm(output.path, { force: true }));
      throw err;
    }
    const shownOut = pushRef ? `docker://${referenceText(pushRef)}` : outPath;
    const result = combine(built, { bytes: written.bytes, digest, output: shownOut, ...(pushed ? { pushed: pushed.reference } : {}) });
    emit({ kind: 'done', packages: result.packages.length, bytes: written.bytes, ms: Date.now() - started, output: shownOut });
    return result;
  } finally {
    try {
      await staged.discard();
    } finally {
      await workDir.remove();
    }
  }
}

/** The per-arch results as one: packages of every arch (noarch ones once), warnings named by platform. */
function combine(built: Built[], top: Pick<AssembleResult, 'bytes' | 'digest' | 'output' | 'pushed'>): AssembleResult {
  const uniq = <T>(xs: T[], key: (x: T) => string): T[] => [...new Map(xs.map((x) => [key(x), x])).values()];
  const rs = built.map((b) => b.result);
  return {
    ...top,
    packages: uniq(rs.flatMap((r) => r.packages), (p) => `${p.nevra} ${p.repo}`),
    platforms: built.map(({ platform, result: r }) => ({ platform, digest: r.digest ?? '', packages: r.packages.length })),
    warnings: built.flatMap(({ platform, result: r }) => r.warnings.map((w) => `${platform}: ${w}`)),
    gpg: {
      verified: rs.reduce((n, r) => n + r.gpg.verified, 0),
      keys: rs.flatMap((r) => r.gpg.keys),
      unverified: rs.flatMap((r) => r.gpg.unverified),
    },
    scriptlets: {
      emulated: rs.reduce((n, r) => n + r.scriptlets.emulated, 0),
      skipped: uniq(rs.flatMap((r) => r.scriptlets.skipped), (s) => `${s.nevra} ${s.scriptlet}`),
    },
  };
}
