// lposix's path functions over the image: the nil, "path: message", errno tuple with Linux's
// errno of each refusal, and the entry itself acted on (a symlink there is not followed).
import { describe, expect, it } from 'vitest';
import { ImageTree } from '../../../src/assemble/tree.js';
import { ourLua } from './helpers.js';

function tree(): ImageTree {
  const t = new ImageTree(1_700_000_000);
  t.mkdir('/d/sub');
  t.mkdir('/empty');
  t.writeFile('/f', 'x');
  t.symlink('d', '/link');
  return t;
}

const show = 'local function show(...) local r = {} for i = 1, select("#", ...) do r[i] = tostring((select(i, ...))) end print(table.concat(r, "|")) end\n';

describe('posix path functions: refusals as lposix returns them', () => {
  it.each([
    ['posix.rmdir("/f")', 'nil|/f: Not a directory|20'],
    ['posix.rmdir("/d")', 'nil|/d: Directory not empty|39'],
    ['posix.rmdir("/nope")', 'nil|/nope: No such file or directory|2'],
    ['posix.unlink("/d")', 'nil|/d: Is a directory|21'],
    ['os.remove("/d")', 'nil|/d: Directory not empty|39'],
    ['posix.mkdir("/f")', 'nil|/f: File exists|17'],
    ['posix.mkdir("/nope/x")', 'nil|/nope/x: No such file or directory|2'],
    ['posix.readlink("/f")', 'nil|/f: Invalid argument|22'],
    ['posix.chdir("/f")', 'nil|/f: Not a directory|20'],
    ['posix.files("/f")', 'nil|/f: Not a directory|20'],
    ['posix.symlink("x", "/f")', 'nil|/f: File exists|17'],
  ])('%s', (call, want) => {
    expect(ourLua(`${show}show(${call})`, { tree: tree() }).out).toBe(`${want}\n`);
  });
  it('unlink, rmdir and os.remove act on the entry itself; a link is removed, not what it leads to', () => {
    const t = tree();
    const r = ourLua(`${show}show(posix.unlink("/link"))\nshow(posix.rmdir("/d/sub"))\nshow(os.remove("/empty"))\nshow(os.remove("/f"))`, { tree: t });
    expect(r.out).toBe('0\n0\ntrue\ntrue\n');
    expect(t.list('/')).toEqual(['d']);
    expect(t.list('/d')).toEqual([]);
    expect(r.actions).toEqual(['rm /link', 'rmdir /d/sub', 'rm /empty', 'rm /f']);
  });
  it('a bad argument is reported before the path is looked at', () => {
    expect(ourLua('print(pcall(posix.symlink, nil, {}))').out).toMatch(/^false\tbad argument #1 to 'symlink'/);
  });
});
