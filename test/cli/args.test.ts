// dnf's comma lists, read one way by every command (--enablerepo, --disablerepo, repoquery's
// --arch/--archlist/--whatprovides/--whatrequires).
import { describe, expect, it } from 'vitest';
import { splitList } from '../../src/cli/args.js';
import { repoOptionsFromValues } from '../../src/cli/repo-args.js';

describe('splitList', () => {
  it('repeated options and comma-separated values read alike; blanks and spaces are dropped', () => {
    expect(splitList(['a,b', ' c , d ', ',,e,'])).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(splitList(undefined)).toEqual([]);
  });
  it('is what --enablerepo/--disablerepo get', () => {
    expect(repoOptionsFromValues({ enablerepo: ['x, y'], disablerepo: ['*'] })).toEqual({ enablerepo: ['x', 'y'], disablerepo: ['*'] });
  });
});
