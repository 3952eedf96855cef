// Image specs through the real CLI: every problem of a file in one exit-2 error, and older key
// spellings as warnings before the build starts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../e2e/helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

const scratch = tempDir('rfs-spec-cli-');
afterAll(() => scratch.cleanup());

function spec(name: string, text: string): string {
  const f = join(scratch.dir, name);
  writeFileSync(f, text);
  return f;
}

describe('build IMAGE.yaml', () => {
  it('reports all problems of the file at once, exit 2', async () => {
    const f = spec('bad.yaml', 'distro: centos:7\nprofle: init\nnodocs: maybe\nrepos: { enabel: x }\n');
    const r = await runCli(['build', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('RFS_BAD_CONFIG');
    expect(r.stderr).toContain('3 problems');
    expect(r.stderr).toContain(`${f}:2:1: unknown key 'profle' (did you mean 'profile'?)`);
    expect(r.stderr).toContain(`${f}:3:9: nodocs must be true or false`);
    expect(r.stderr).toContain(`${f}:4:10: unknown key 'enabel' (did you mean 'enable'?)`);
  });
  it('warns about each older spelling, then builds as with the flag names', async () => {
    const f = spec('old.yaml', `repos:\n  repofrompath:\n    - local,file://${scratch.dir}/no-such-repo\nprofiles: [minimal]\nno-default-packages: true\npackages: [bash]\n`);
    const r = await runCli(['build', f, '-o', join(scratch.dir, 'out.tar'), '--cache-dir', join(scratch.dir, 'cache')]);
    expect(r.stderr).toContain(`warning: ${f}:2:3: 'repos.repofrompath' is deprecated: write 'repofrompath' at the top level`);
    expect(r.stderr).toContain(`warning: ${f}:4:1: 'profiles' is deprecated: write 'profile'`);
    // the build itself went on to the (missing) repo
    expect(r.stderr).toContain('no-such-repo');
    expect(r.code).not.toBe(0);
  });
});
