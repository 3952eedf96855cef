// The pipeline: resolve -> download -> unpack -> merge -> scriptlets -> finish -> rpmdb -> output.
// Emits events, never prints. Every failure leaves no output: the image is written atomically and
// the lockfile/SBOM beside it are staged, then renamed only after the image is in place.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isRfsError, RfsError, toRfsError } from '../errors/index.js';
import { defaultCacheDir, Fetcher } from '../fetch/index.js';
import { installOrder, nevraOf } from '../solver/index.js';
import type { AssembleEvent, Phase, RepoPackage, RpmdbTarget } from '../types/index.js';
import { diffEntries, layerEntries, toAsync, treeEntries } from './entries.js';
import { checkLayers, layerComment, planLayers, snapshotPristine } from './layers.js';
import type { PristineSnapshot } from './layers.js';
import { buildImageConfig } from './image-config.js';
import { mergePackages } from './merge.js';
import type { AssembleOptions, AssembleResult } from './options.js';
import { OwnerResolver, readIdMaps } from './owners.js';
import { finishAndEmulate } from './finish-step.js';
import { pubkeyVersion, writeDatabase } from './rpmdb-step.js';
import { loadRepos, solveSettings, solveTransaction } from './solve.js';
import { baseLayerComment, baseTopLayer, changeOf, checkFromArgs, installedScriptlets, loadAdvisories, securityNevras, shippedFiles } from './base-step.js';
import { GpgChecker } from './gpg.js';
import type { PackageSignature } from './gpg.js';
import { ImageTree } from './tree.js';
import { CONTENT_BUDGET, DOWNLOAD_BUDGET, MemoryBudget, SpoolReader } from './spool.js';
import { releaseContents, UNPACK_SLOTS, unpackPackage } from './unpack.js';
import { fetchThenDecode } from './schedule.js';
import type { UnpackedPackage } from './unpack.js';
import { checkOutputTarget, lockfileText, readLockfile, removeTree, sbomText, sidecarPath, StagedFiles, writeOutput } from './output/index.js';
import type { OutputFormat, OutputLayer } from './output/index.js';
import { lockedPackages, lockEntry, packageUrls } from './locked.js';
import { checkLockMatches, invocationContext, lockedRepos, repoDrift } from './lock-check.js';
import { resolveRequest } from './request.js';
import { selectRepos } from './plan.js';
import { checkModuleArgs, withMainSetopts } from './dnf-options.js';
import { checkImageMirror } from './image-mirror.js';
import { createWorkDir } from './workdir.js';
import { pushBuilt, pushTargetOf } from './push-step.js';
import { referenceText } from './output/registry/reference.js';
import type { PushResult } from './output/registry/index.js';
import { sbomInput } from './sbom-input.js';

const DEFAULT_RPMDB: RpmdbTarget = { flavour: 'sqlite', path: '/var/lib/rpm', rpmVersion: '4.16.1' };

/** Build the image the options describe; with `platforms`, one per arch as an OCI image index (multi.ts). */
export async function assemble(given: AssembleOptions): Promise<AssembleResult> {
  // usage errors before any work, once (a multi-arch build runs assembleOne per arch); a push
  // writes the oci layout, which takes layers
  checkLayers(given.layers, pushTargetOf(given) ? 'oci' : given.output?.format ?? 'tar');
  if (given.from !== undefined) checkFromArgs(given);
  else if (given.upgrade !== undefined || given.security) {
    throw new RfsError('RFS_USAGE', 'upgrading needs an image to upgrade', { hint: 'rootfs-assemble update IMAGE ..., or --from IMAGE' });
  }
  if (given.imageMirror !== undefined) checkImageMirror(given.imageMirror);
  // the multi-arch driver (and the oci index writer) only for --platform builds
  return given.platforms !== undefined ? (await import('./multi.js')).assembleMulti(given, assembleOne) : assembleOne(given);
}

async function assembleOne(given: AssembleOptions): Promise<AssembleResult> {
  // a build that can only fail at the end fails first: before any network work
  const pushRef = pushTargetOf(given);
  const output = pushRef ? undefined : given.output;
  if (output) checkOutputTarget(output.path, output.format ?? 'tar', process.cwd());
  const started = Date.now();
  // --setopt main keys over the flags they mirror; the rest of the build reads the result
  const opts = withMainSetopts(given);
  if (opts.modules) checkModuleArgs(opts.modules);
  const emit = (e: AssembleEvent): void => opts.onEvent?.(e);
  const signal = opts.signal;
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const jobs = Math.max(1, opts.jobs ?? 4);
  const sde = opts.sourceDateEpoch;
  const installTime = sde ?? Math.floor(Date.now() / 1000);
  const warnings: string[] = [];
  const warn = (code: string, message: string, subject?: string): void => {
    warnings.push(message);
    emit({ kind: 'warning', code, message, ...(subject ? { subject } : {}) });
  };
  const phase = async <T>(name: Phase, fn: () => Promise<T>, total?: number): Promise<T> => {
    signal?.throwIfAborted();
    const t0 = Date.now();
    emit({ kind: 'phase:start', phase: name, ...(total !== undefined ? { total } : {}) });
    const out = await fn();
    emit({ kind: 'phase:end', phase: name, ms: Date.now() - t0 });
    return out;
  };

  const { distro, arch, repos: repoConfigs } = await selectRepos(opts);
  let rpmdbTarget: RpmdbTarget = {
    ...(distro?.rpmdb ?? DEFAULT_RPMDB),
    ...(opts.rpmdb ? { flavour: opts.rpmdb } : {}),
    ...(opts.rpmdbPath ? { path: opts.rpmdbPath, compatSymlink: opts.rpmdbPath === '/usr/lib/sysimage/rpm' } : {}),
  };

  // spooled content lives beside the cache (tmpfs-backed /tmp may be small); removed at the end,
  // or by a later run once this process is dead (workdir.ts)
  const workDir = await createWorkDir(cacheDir);
  const work = workDir.path;
  let spoolReader: SpoolReader | null = null;
  const staged = new StagedFiles();
  const fetcher = new Fetcher({ cacheDir, jobs, ...(signal ? { signal } : {}), ...(opts.hostEnv ? { env: opts.hostEnv } : {}), ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) });
  try {
    const tree = new ImageTree(sde ?? installTime);
    // 0. the base image (--from): its files in the tree, its rpmdb as the installed system
    // its code (image readers, registry pulls) is loaded only for --from; `base.m` is that module
    const base = opts.from === undefined ? null : await phase('base', async () => {
      const m = await import('./base/index.js');
      return { m, ...await m.prepareBase(opts.from!, tree, {
        workDir: work, arch, ...(signal ? { signal } : {}), ...(opts.hostEnv ? { env: opts.hostEnv } : {}), ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
        ...(opts.authFile !== undefined ? { authFile: opts.authFile } : {}), ...(opts.certDir !== undefined ? { certDir: opts.certDir } : {}),
        ...(opts.tlsVerify !== undefined ? { tlsVerify: opts.tlsVerify } : {}),
      }) };
    });
    // an existing rpmdb stays in its own format and place (a v8 one stays v8)
    if (base?.installed) rpmdbTarget = base.installed.target;
    const installed = base?.installed ? { id: base.m.SYSTEM_REPO, packages: base.installed.packages.map((p) => p.pkg) } : undefined;
    // 1. what to install: on a base, only what was asked, as `dnf install` into it
    const { profile, install, origins } = resolveRequest(base ? { ...opts, noDefaultPackages: true } : opts, distro);
    const asked = invocationContext(opts, distro, arch);
    // a lock made for another distro/arch/request is refused before any download
    const lock = opts.locked ? await readLockfile(opts.locked) : null;
    if (lock && opts.locked) checkLockMatches(lock, asked, opts.locked);
    const loaded = await phase('metadata', () => loadRepos(repoConfigs, fetcher, { arch, cacheDir, ...(opts.modules ? { modules: opts.modules } : {}), ...(opts.onEvent ? { onEvent: opts.onEvent } : {}), ...(signal ? { signal } : {}) }));
    if (lock) for (const w of repoDrift(lock, loaded)) warn('RFS_W_LOCK_REPO', w, opts.locked);
    // an upgrade names the advisories of what it installs; --security moves only to what they name
    const advisories = opts.upgrade !== undefined ? await loadAdvisories(loaded) : [];
    const securityTargets = opts.security ? securityNevras(advisories) : undefined;
    const { packages: chosen, changes } = await phase('resolve', async () => {
      const t0 = Date.now();
      const solved = lock
        ? { packages: lockedPackages(lock.packages, loaded), changes: [] }
        : await solveTransaction(loaded, {
            arch, install, origins, ...solveSettings(opts, distro), ...(installed ? { installed } : {}),
            ...(opts.upgrade !== undefined ? { upgrade: opts.upgrade } : {}),
            ...(securityTargets ? { upgradeTargets: securityTargets } : {}),
            // warnings (--skip-broken's) go into the result too
            onEvent: (e) => { if (e.kind === 'warning') warn(e.code, e.message, e.subject); else emit(e); },
          });
      const pkgs = solved.packages;
      emit({ kind: 'resolve:done', packages: pkgs.length, ms: Date.now() - t0, downloadBytes: pkgs.reduce((n, p) => n + p.packageSize, 0) });
      return solved;
    });

    // 2. download + unpack: transfers run ahead of decoding, largest first (schedule.ts)
    // content of small packages stays in memory up to this much; the rest is spooled (bounded RSS)
    const budget = new MemoryBudget(CONTENT_BUDGET);
    // compressed packages being decoded straight from their download (shared by the --jobs workers)
    const downloads = new MemoryBudget(DOWNLOAD_BUDGET);
    const byRepo = new Map(loaded.map((r) => [r.config.id, r]));
    const gpg = new GpgChecker(byRepo, {
      nogpgcheck: opts.gpgcheck === false, extraKeys: opts.gpgkeys ?? [], fromPath: new Set((opts.repofrompath ?? []).map(([id]) => id)),
    }, fetcher, opts.reposDir);
    const signatures = new Map<UnpackedPackage, PackageSignature>();
    const unpacked = await phase('download', () => fetchThenDecode(chosen, (p) => p.packageSize, { jobs, slots: Math.min(jobs, UNPACK_SLOTS) },
      async (p) => {
        const repo = byRepo.get(p.repo);
        // a download that fits the budget is decoded from memory, not read back from the cache
        let held = downloads.take(p.packageSize) ? p.packageSize : 0;
        try {
          const got = await fetcher.fetchFile(packageUrls(p, repo), p.location, p.checksum, { size: p.packageSize, keepInMemory: held, ...(p.locationBase && repo?.baseUrls[0] ? { origin: repo.baseUrls[0] } : {}) });
          // a cache hit that fits is read once, here: the signature check and the unpack share the
          // bytes (from the file, each opens it again: up to four opens a package)
          const data = got.data ?? (held > 0 ? [await readFile(got.path)] : undefined);
          // held until decoded only when the bytes are in memory
          if (!data) {
            downloads.give(held);
            held = 0;
          }
          signal?.throwIfAborted();
          return { got, data, held, sig: await gpg.check(data?.length === 1 ? data[0]! : got.path, p.repo, nevraOf(p)) };
        } catch (err) {
          downloads.give(held);
          throw err;
        }
      },
      async (p, { got, data, held, sig }, i) => {
        try {
          const u = await unpackPackage(data ?? got.path, p.repo, work, i, budget, signal);
          signatures.set(u, sig);
          emit({ kind: 'package:downloaded', nevra: u.nevra, bytes: got.bytes, fromCache: got.fromCache });
          emit({ kind: 'package:unpacked', nevra: u.nevra, files: u.fileCount, bytes: u.bytes });
          return u;
        } finally {
          downloads.give(held);
        }
      }), chosen.length);

    const gpgSummary = gpg.summary();
    emit({ kind: 'gpg:summary', verified: gpgSummary.verified, unverified: gpgSummary.unverified });

    // 3. merge in rpm's install order
    const byPkg = new Map(chosen.map((p, i) => [p, unpacked[i]!]));
    // rpm queues the preferred colour first; the colour is the OR of the header's file colours
    const colorOf = (p: RepoPackage): number => byPkg.get(p)!.color;
    const ordered = installOrder(chosen, { colorOf }).map((p) => byPkg.get(p)!);
    // rpm's erase half first (files of replaced packages), then the kept packages' files are
    // marked with their owners, so the merge checks conflicts against them as rpm does
    const erased = base?.installed ? base.m.eraseReplaced(tree, base.installed, changes, shippedFiles(tree, ordered)) : null;
    const kept = erased?.kept ?? [];
    const baseReport = base ? { source: opts.from!, kept: kept.length, changes: changes.map((c) => changeOf(c, advisories)) } : undefined;
    if (baseReport) emit({ kind: 'base:changes', ...baseReport });
    if (base?.installed) base.m.annotateOwners(tree, { ...base.installed, packages: kept });
    for (const note of erased?.notes ?? []) warn('RFS_W_CONFIG', `warning: ${note}`, note.split(' ')[0]);
    const merged = await phase('unpack', async () => mergePackages(tree, ordered, {
      ...(erased ? { redirects: erased.redirects } : {}),
      ...(opts.nodocs ? { nodocs: true } : {}),
      ...(opts.installLangs ? { installLangs: opts.installLangs } : {}),
      ...(sde !== undefined && opts.clampMtime ? { clampMtime: sde } : {}),
      preferColor: /64|s390x/.test(arch) ? 2 : 1,
    }));
    for (const w of merged.warnings) warn('RFS_W_FILE', w);
    for (const u of ordered) releaseContents(u);
    const layerCount = opts.layers ?? 1;
    // what each package installed, to tell its untouched files from those scriptlets change
    const pristine = layerCount > 1 ? snapshotPristine(tree) : null;

    // 4. scriptlets, finishing, profiles
    const onBase = base?.installed ? installedScriptlets(base.installed, kept, changes, base.m.scriptletPackage) : undefined;
    const report = await phase('scriptlets', async () => finishAndEmulate(tree, ordered, distro, profile, opts, emit, onBase));

    // 5. owners, then the rpmdb in the target's own format
    const owners = new OwnerResolver(readIdMaps(tree));
    const baseDb = base?.installed ? {
      packages: kept.map((p) => p.blob), pubkeys: base.installed.pubkeys, keyIds: new Set(base.installed.pubkeys.map(pubkeyVersion)),
    } : undefined;
    await phase('rpmdb', () => writeDatabase(tree, rpmdbTarget, ordered, merged.fileStates, [...new Set([...gpgSummary.armored, ...report.pubkeys])], installTime, arch, baseDb));

    // 6. output
    // one reused read buffer: writeOutput copies chunks where it keeps them (transientBodies)
    const reader = new SpoolReader({ reuse: true });
    spoolReader = reader;
    const config = buildImageConfig(distro, arch, ordered, profile, opts, installTime, base?.image.config);
    // lockfile and SBOM are staged under temp names and renamed only once the image is in place
    // a push writes the oci layout into the work folder and sends it from there
    const format = output?.format ?? (pushRef ? 'oci' : 'tar');
    const outPath = output?.path ?? join(work, 'push-layout');
    const shownOut = pushRef ? `docker://${referenceText(pushRef)}` : outPath;
    let pushed: PushResult | undefined;
    if (opts.lockfile) await staged.stage(opts.lockfile, lockfileText(chosen.map((p) => {
      const sig = signatures.get(byPkg.get(p)!);
      return { ...lockEntry(p, byRepo.get(p.repo)), ...(sig ? { signature: sig } : {}) };
    }), { ...asked, repos: lockedRepos(loaded) }));
    if (opts.sbom) await staged.stage(opts.sbom, sbomText(sbomInput(distro, ordered, chosen, installTime, (u) => signatures.get(u), kept.map((p) => p.pkg))));
    const out = await phase('write', async () => {
      const layered = format === 'oci' || format === 'oci-archive' || format === 'docker-archive';
      const source = base && layered
        ? baseTopLayer(diffEntries(tree, base.m.diffLayer(tree, base.snapshot), owners, reader), baseLayerComment(ordered, changes))
        : pristine === null
          ? () => toAsync(treeEntries(tree, owners, reader))
          : chunkedLayers(tree, pristine, ordered, layerCount, owners, reader);
      const written = await writeOutput(source, {
        ...(base && layered ? { base: { layers: base.image.layers, ...(base.image.config ? { config: base.image.config } : {}) } } : {}),
        format,
        path: outPath,
        config,
        tmpDir: work,
        transientBodies: true,
        ...(opts.stdout ? { stdout: opts.stdout } : {}),
        ...(signal ? { signal } : {}),
      });
      if (pushRef) pushed = await pushBuilt(outPath, pushRef, opts, cacheDir, emit);
      const digest = pushed?.digest ?? written.digest;
      if (opts.digestFile && digest) await staged.stage(opts.digestFile, `${digest}\n`);
      try {
        await staged.commit();
      } catch (err) {
        if (!pushRef) await removeOutput(format, outPath);
        throw err;
      }
      return written;
    });
    if (out.nodes && out.nodes.created + out.nodes.recorded > 0) {
      const sidecar = sidecarPath(outPath);
      emit({ kind: 'output:nodes', created: out.nodes.created, recorded: out.nodes.recorded, devices: out.nodes.devices, sidecar });
      if (out.nodes.recorded > 0) {
        warn('RFS_W_NODES', `${out.nodes.recorded} device node(s) not created (that needs root); they are recorded in ${sidecar}`, sidecar);
      }
    }
    for (const u of owners.unknown) warn('RFS_W_OWNER', `${u} does not exist in the image - using root`);

    const result: AssembleResult = {
      packages: ordered.map((u) => ({ nevra: u.nevra, repo: u.repo })),
      ...(baseReport ? { base: baseReport } : {}),
      bytes: out.bytes,
      output: shownOut,
      ...(pushed ? { digest: pushed.digest, pushed: pushed.reference } : format === 'oci' || format === 'oci-archive' ? (out.digest ? { digest: out.digest } : {}) : {}),
      warnings,
      gpg: { verified: gpgSummary.verified.reduce((n, k) => n + k.packages, 0), keys: gpgSummary.verified, unverified: gpgSummary.unverified },
      scriptlets: { emulated: report.emulated.length, skipped: report.skipped },
    };
    emit({ kind: 'done', packages: ordered.length, bytes: out.bytes, ms: Date.now() - started, output: shownOut });
    return result;
  } catch (err) {
    // the first failure stops every other transfer at once (no retries after it, no waiting)
    fetcher.abort(toRfsError(err));
    if (signal?.aborted) throw new RfsError('RFS_ABORTED', 'assembling: aborted', { cause: err });
    const e = toRfsError(err);
    // the build's work files live in the cache: name it, as the fetcher does for its own writes
    if (e.code === 'RFS_DISK_FULL' && !isRfsError(err)) {
      throw new RfsError('RFS_DISK_FULL', `writing to the cache ${cacheDir} (build work files): ${e.message.replace(/^writing[^:]*: /, '')}`, { subject: cacheDir, cause: err, ...(e.hint ? { hint: e.hint } : {}) });
    }
    throw e;
  } finally {
    try {
      spoolReader?.close();
      await staged.discard();
      await fetcher.close();
    } finally {
      await workDir.remove();
    }
  }
}

/** The image split by package (layers.ts), each layer's entries and history comment. */
function chunkedLayers(tree: ImageTree, pristine: PristineSnapshot, pkgs: UnpackedPackage[], max: number, owners: OwnerResolver, reader: SpoolReader): OutputLayer[] {
  const plans = planLayers(tree, pristine, pkgs.map((u) => ({ nevra: u.nevra, name: u.meta.name, buildtime: u.meta.buildtime })), max);
  const entries = layerEntries(tree, plans.map((p) => p.paths), owners, reader);
  return plans.map((p, i) => ({ entries: () => toAsync(entries[i]!()), comment: layerComment(p) }));
}

/** Undo a written image (the documents beside it could not be put in place). */
async function removeOutput(format: OutputFormat, path: string): Promise<void> {
  if (path === '-') return;
  if (format === 'dir' || format === 'oci') await removeTree(path);
  else await rm(path, { force: true });
  if (format === 'dir') await rm(sidecarPath(path), { force: true });
}

