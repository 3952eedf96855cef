// Hostile packages against `--format dir`: a package ships a symlink to a real host folder and a
// file "under" it, and --add-file aims at the same symlink. Like rpm in an installroot, both land
// under the image's own copy of that path; nothing is written through the link on the host.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../e2e/helpers.js';
import { startStaticServer, type StaticServer } from '../helpers/http-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { craftRpm } from '../rpm/craft.js';

const built = existsSync(join(ROOT, 'dist/cli/main.js'));
const createrepo = spawnSync('createrepo_c', ['--version'], { stdio: 'ignore' }).status === 0;
const skip = !built ? 'dist/ not built (npx tsc -p tsconfig.json)' : !createrepo ? 'createrepo_c not installed' : '';

describe.skipIf(skip !== '')(`--format dir against symlink tricks${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const tmp = tempDir('rfs-hostile-dirlink-');
  let server: StaticServer;
  let outside = '';
  beforeAll(async () => {
    outside = join(tmp.dir, 'outside');
    mkdirSync(outside);
    const repo = join(tmp.dir, 'www', 'r');
    mkdirSync(repo, { recursive: true });
    writeFileSync(join(repo, 'a-1.0-1.x86_64.rpm'), craftRpm({ name: 'a', files: [
      { path: '/opt', mode: 0o40755 },
      { path: '/opt/x', linkTo: outside },
      { path: '/opt/x/y/w', content: 'through the link' },
    ] }));
    execFileSync('createrepo_c', ['-q', repo]);
    writeFileSync(join(tmp.dir, 'added.txt'), 'added');
    server = await startStaticServer([{ prefix: '/', dir: join(tmp.dir, 'www') }]);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    tmp.cleanup();
  });

  it('writes nothing outside the output directory', async () => {
    const out = join(tmp.dir, 'out');
    const args = ['--repofrompath', `r,${server.url}r/`, '--no-default-packages', 'a', '--add-file', `${join(tmp.dir, 'added.txt')}:/opt/x/q/added`,
      '--format', 'dir', '-o', out, '--cache-dir', join(tmp.dir, 'cache'), '--nogpgcheck', '-q'];
    const r = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const c = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' }, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      c.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      c.on('close', (code) => done({ code, stderr: err }));
    });
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(outside)).toEqual([]);
    expect(readlinkSync(join(out, 'opt/x'))).toBe(outside);
    // the image's own copy of the link's target path holds both files
    const inImage = join(out, outside.slice(1));
    expect(readFileSync(join(inImage, 'y/w'), 'utf8')).toBe('through the link');
    expect(readFileSync(join(inImage, 'q/added'), 'utf8')).toBe('added');
  }, 60_000);
});
