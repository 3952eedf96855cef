// repos/definitions.json: in step with the YAML files, and the definitions read through it are
// those the YAML gives (an edited file is read from its YAML, not from a stale entry).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_REPOS_DIR, listDistros, loadDistro } from '../../src/repos/index.js';
import { buildPrebuilt, PREBUILT_FILE } from '../../src/repos/prebuilt.js';

const tmp = mkdtempSync(join(tmpdir(), 'rfs-prebuilt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** a copy of repos/ without definitions.json: every file parsed from YAML */
function yamlOnlyCopy(name: string): string {
  const dir = join(tmp, name);
  cpSync(DEFAULT_REPOS_DIR, dir, { recursive: true, filter: (p) => !p.endsWith(PREBUILT_FILE) });
  return dir;
}

describe('repos/definitions.json', () => {
  it('matches the YAML files (after editing them: npm run build && npm run definitions)', () => {
    expect(readFileSync(join(DEFAULT_REPOS_DIR, PREBUILT_FILE), 'utf8')).toBe(buildPrebuilt(DEFAULT_REPOS_DIR));
    expect(Object.keys(JSON.parse(buildPrebuilt(DEFAULT_REPOS_DIR)).files as object)).toContain('centos/7.yaml');
  });

  it('gives the definitions the YAML gives, for every tag and arch', () => {
    const plain = yamlOnlyCopy('plain');
    const tags = listDistros();
    expect(tags).toEqual(listDistros(plain));
    for (const { tag } of tags) {
      for (const arch of ['x86_64', 'aarch64']) {
        const load = (reposDir?: string): unknown => {
          try { return loadDistro(tag, { arch, ...(reposDir ? { reposDir } : {}) }); } catch (e) { return (e as Error).message; }
        };
        expect(load(), `${tag} ${arch}`).toEqual(load(plain));
      }
    }
  });

  it('an edited file is read from its YAML, not from its stale entry', () => {
    const dir = join(tmp, 'edited');
    cpSync(DEFAULT_REPOS_DIR, dir, { recursive: true });
    const f = join(dir, 'centos/7.yaml');
    writeFileSync(f, readFileSync(f, 'utf8').replace(/^prettyName: .*$/m, 'prettyName: Edited {release}'));
    expect(listDistros(dir).find((d) => d.tag === 'centos:7.9.2009')?.prettyName).toBe('Edited 7.9.2009');
  });

  it('a run from the built package loads no yaml for a built-in definition', () => {
    const dist = resolve(__dirname, '../../dist/repos/index.js');
    const script = `const m = await import(${JSON.stringify(dist)}); m.loadDistro('centos:7.9.2009', { arch: 'x86_64' });
      const { createRequire } = await import('node:module'); const req = createRequire(import.meta.url);
      process.stdout.write(String(Object.keys(req.cache).some((k) => k.includes('/node_modules/yaml/'))));`;
    expect(execFileSync(process.execPath, ['--input-type=module', '-e', script]).toString()).toBe('false');
  });
});
