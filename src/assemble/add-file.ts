// --add-file SRC:DEST[:MODE] (and the image spec's add-file strings): the host file's mode is
// kept, as a Dockerfile COPY keeps it, unless an octal MODE is given.
import { statSync } from 'node:fs';

export interface AddFile { src: string; dest: string; mode?: number }

/** Split SRC:DEST[:MODE]; undefined when DEST is not absolute or the shape is wrong. */
export function parseAddFile(s: string): AddFile | undefined {
  const m = /^(.+?):(\/[^:]*)(?::([0-7]{3,4}))?$/.exec(s);
  if (!m) return undefined;
  return { src: m[1]!, dest: m[2]!, ...(m[3] !== undefined ? { mode: parseInt(m[3], 8) } : {}) };
}

/** The mode the file gets in the image: MODE, else the host file's permission bits. */
export function addFileMode(f: AddFile): number {
  return f.mode ?? statSync(f.src).mode & 0o7777;
}
