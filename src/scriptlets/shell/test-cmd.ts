// `test` / `[ ]` evaluated against the image: file tests look at the ImageFS, string and
// integer tests compare words. Anything else is unknown, which the caller reports.
import type { ImageFS } from '../../types/imagefs.js';
import { joinPath, resolvePath } from '../image-path.js';

function fileTest(op: string, path: string, fs: ImageFS): boolean | undefined {
  if (!path.startsWith('/')) return undefined;
  if (op === '-L' || op === '-h') return fs.lstat(path)?.type === 'symlink';
  const real = resolvePath(fs, path);
  const st = real === undefined ? undefined : fs.lstat(real);
  switch (op) {
    case '-e': case '-a': return st !== undefined;
    case '-f': return st?.type === 'file' || st?.type === 'hardlink';
    case '-d': return st?.type === 'dir';
    case '-x': return st !== undefined && (st.mode & 0o111) !== 0;
    case '-r': case '-w': return st !== undefined; // scriptlets run as root
    case '-s': return real !== undefined && st !== undefined && (st.type === 'dir' || (fs.readFile(real)?.length ?? 0) > 0);
    case '-c': return st?.type === 'char';
    case '-b': return st?.type === 'block';
    case '-p': return st?.type === 'fifo';
    case '-S': return false;
    default: return undefined;
  }
}

const INT_OPS: Record<string, (a: number, b: number) => boolean> = {
  '-eq': (a, b) => a === b, '-ne': (a, b) => a !== b, '-gt': (a, b) => a > b,
  '-ge': (a, b) => a >= b, '-lt': (a, b) => a < b, '-le': (a, b) => a <= b,
};

/** Evaluate test arguments (without the brackets); undefined when the expression is beyond us. */
export function evalTest(args: string[], fs: ImageFS, cwd: string): boolean | undefined {
  const abs = (p: string): string => (p.startsWith('/') ? p : joinPath(cwd, p));
  // -o binds looser than -a, both looser than !
  const orAt = args.indexOf('-o');
  if (orAt > 0 && args.length > 3) {
    const l = evalTest(args.slice(0, orAt), fs, cwd);
    const r = evalTest(args.slice(orAt + 1), fs, cwd);
    return l === undefined || r === undefined ? undefined : l || r;
  }
  const andAt = args.indexOf('-a');
  if (andAt > 0 && args.length > 3) {
    const l = evalTest(args.slice(0, andAt), fs, cwd);
    const r = evalTest(args.slice(andAt + 1), fs, cwd);
    return l === undefined || r === undefined ? undefined : l && r;
  }
  if (args[0] === '!' && args.length > 1) {
    const v = evalTest(args.slice(1), fs, cwd);
    return v === undefined ? undefined : !v;
  }
  if (args.length === 0) return false;
  if (args.length === 1) return args[0] !== '';
  if (args.length === 2) {
    const [op, v] = args as [string, string];
    if (op === '-n') return v !== '';
    if (op === '-z') return v === '';
    return fileTest(op, abs(v), fs);
  }
  if (args.length === 3) {
    const [a, op, b] = args as [string, string, string];
    if (op === '=' || op === '==') return a === b;
    if (op === '!=') return a !== b;
    const f = INT_OPS[op];
    if (f) {
      if (!/^-?\d+$/.test(a.trim()) || !/^-?\d+$/.test(b.trim())) return undefined;
      return f(Number(a), Number(b));
    }
    if (op === '-nt' || op === '-ot' || op === '-ef') return undefined;
  }
  return undefined;
}
