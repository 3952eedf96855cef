// Scriptlet emulation, the finishing recipe, profiles, --user and --add-file, in that order.
import { readFileSync } from 'node:fs';
import type { AssembleEvent, DistroRelease } from '../types/index.js';
import { addFileMode } from './add-file.js';
import { finishImage } from './finish/index.js';
import { imageMirrorRoot } from './image-mirror.js';
import { applyProfileFiles } from './finish/profiles.js';
import type { ResolvedProfile } from './finish/profiles.js';
import type { AssembleOptions } from './options.js';
import { emulateScriptlets, failOnSkipped, runUnreproducedInUserns } from '../scriptlets/index.js';
import type { EmulateOptions, ScriptletReport } from '../scriptlets/index.js';
import type { ImageTree } from './tree.js';
import type { UnpackedPackage } from './unpack.js';

/** A build on a base image: the installed packages as the emulator sees them (EmulateOptions.installed). */
export type InstalledScriptlets = NonNullable<EmulateOptions['installed']>;

export function finishAndEmulate(
  tree: ImageTree,
  ordered: UnpackedPackage[],
  distro: DistroRelease | null,
  profile: ResolvedProfile | null,
  opts: AssembleOptions,
  emit: (e: AssembleEvent) => void,
  installed?: InstalledScriptlets,
): ScriptletReport {
  const report = emulateScriptlets(
    ordered.map((u) => ({ nevra: u.nevra, name: u.meta.name, meta: { ...u.meta, files: u.paths().map((path) => ({ path })) } })),
    tree,
    {
      onEvent: emit,
      // with --run-scriptlets=userns, strictness applies to what is left after running them
      strict: (opts.strictScriptlets ?? false) && opts.runScriptlets !== 'userns',
      ...(opts.sourceDateEpoch !== undefined ? { sourceDateEpoch: opts.sourceDateEpoch } : {}),
      ...(opts.installLangs ? { installLangs: opts.installLangs } : {}),
      ...(opts.runScriptlets === 'userns' ? { collectUnreproduced: true } : {}),
      ...(installed ? { installed } : {}),
    },
  );
  if (opts.runScriptlets === 'userns') {
    runUnreproducedInUserns(report, tree, { onEvent: emit });
    if (opts.strictScriptlets) failOnSkipped(report);
  }
  if (profile) applyProfileFiles(tree, profile);
  const imageMirror = imageMirrorRoot(opts);
  finishImage(tree, distro, {
    ...(imageMirror !== undefined ? { mirror: imageMirror } : {}),
    repoRewrite: opts.repoRewrite ?? true,
    users: opts.users ?? [],
    addFiles: (opts.addFiles ?? []).map((f) => ({ dest: f.dest, data: readFileSync(f.src), mode: addFileMode(f) })),
    ...(opts.sourceDateEpoch !== undefined ? { sourceDateEpoch: opts.sourceDateEpoch } : {}),
    ...(opts.from !== undefined ? { derived: true } : {}),
  });
  return report;
}
