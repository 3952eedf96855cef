// Where the image's .repo files point: by default the build's --mirror (as before), so an image
// built from a local mirror names that mirror; --image-mirror URL names another, and
// --image-mirror default the definition's public root, so the image does not depend on where
// it was built.
import { RfsError, untrusted } from '../errors/index.js';
import { withoutCredentials } from '../fetch/index.js';

export const IMAGE_MIRROR_DEFAULT = 'default';

/** Throw RFS_USAGE unless `value` is 'default' or an absolute http(s)/ftp/file URL. */
export function checkImageMirror(value: string): void {
  if (value === IMAGE_MIRROR_DEFAULT) return;
  let url: URL | null = null;
  try { url = new URL(value); } catch { /* reported below */ }
  const ok = url !== null && (['http:', 'https:', 'ftp:'].includes(url.protocol) ? url.host !== '' : url.protocol === 'file:');
  if (!ok) {
    throw new RfsError('RFS_USAGE', `--image-mirror: not a mirror URL: '${untrusted(value, 300)}'`, {
      subject: value, hint: "give an absolute http://, https://, ftp:// or file:// URL, or 'default' for the definition's public mirror",
    });
  }
}

/** The mirror root written into the image's repo files; undefined = the definition's own. `imageMirror` was checked (assemble()). */
export function imageMirrorRoot(opts: { mirror?: string; imageMirror?: string }): string | undefined {
  // the build mirror's user:pass@ is the builder's secret, not the image's
  if (opts.imageMirror === undefined) return opts.mirror === undefined ? undefined : withoutCredentials(opts.mirror);
  return opts.imageMirror === IMAGE_MIRROR_DEFAULT ? undefined : opts.imageMirror;
}
