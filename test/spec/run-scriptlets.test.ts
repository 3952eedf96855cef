// `run-scriptlets: userns` in an image spec and `--run-scriptlets=userns` on the command line
// reach AssembleOptions.runScriptlets; anything else is refused where it was written.
import { describe, expect, it } from 'vitest';
import { parseImageSpec } from '../../src/assemble/spec/index.js';
import { specToOptions } from '../../src/assemble/spec-options.js';
import { runCli } from '../e2e/helpers.js';

describe('run-scriptlets', () => {
  it('the spec key maps to the library option', () => {
    const s = parseImageSpec('distro: centos:7\nrun-scriptlets: userns\n', 'image.yaml');
    expect(specToOptions(s).runScriptlets).toBe('userns');
    expect(specToOptions(parseImageSpec('distro: centos:7\n', 'image.yaml')).runScriptlets).toBeUndefined();
  });
  it('a value other than userns is an error at its line', () => {
    expect(() => parseImageSpec('distro: centos:7\nrun-scriptlets: always\n', 'image.yaml'))
      .toThrow(expect.objectContaining({ code: 'RFS_BAD_CONFIG', subject: 'image.yaml:2:17', message: expect.stringContaining('run-scriptlets must be userns') }));
  });
  it('the CLI refuses other modes with a usage error', async () => {
    const r = await runCli(['centos:7', '--run-scriptlets=chroot', '-o', '/nonexistent/x.tar']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--run-scriptlets: only 'userns' is supported, got 'chroot'");
  });
});
