// StagedFiles: documents written under temp names, renamed together by commit(); a failed
// rename takes back the ones already done; discard() leaves nothing.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StagedFiles } from '../../src/assemble/output/index.js';

const work = mkdtempSync(join(tmpdir(), 'rfs-staged-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('StagedFiles', () => {
  it('nothing appears until commit; then all do', async () => {
    const d = mkdtempSync(join(work, 'ok-'));
    const s = new StagedFiles();
    await s.stage(join(d, 'a.json'), 'A');
    await s.stage(join(d, 'sub', 'b.json'), 'B');
    expect(existsSync(join(d, 'a.json'))).toBe(false);
    expect(existsSync(join(d, 'sub', 'b.json'))).toBe(false);
    await s.commit();
    expect(readFileSync(join(d, 'a.json'), 'utf8')).toBe('A');
    expect(readFileSync(join(d, 'sub', 'b.json'), 'utf8')).toBe('B');
    await s.discard(); // after commit: a no-op
    expect(readdirSync(d).sort()).toEqual(['a.json', 'sub']);
  });

  it('discard removes the temp files', async () => {
    const d = mkdtempSync(join(work, 'discard-'));
    const s = new StagedFiles();
    await s.stage(join(d, 'a.json'), 'A');
    expect(readdirSync(d)).toHaveLength(1);
    await s.discard();
    expect(readdirSync(d)).toEqual([]);
  });

  it('a failing rename takes back the files already renamed', async () => {
    const d = mkdtempSync(join(work, 'fail-'));
    const s = new StagedFiles();
    await s.stage(join(d, 'a.json'), 'A');
    await s.stage(join(d, 'b.json'), 'B');
    // sabotage the second temp file
    for (const n of readdirSync(d)) if (n.startsWith('.b.json.')) rmSync(join(d, n));
    await expect(s.commit()).rejects.toMatchObject({ code: 'RFS_OUTPUT', subject: join(d, 'b.json') });
    await s.discard();
    expect(readdirSync(d)).toEqual([]);
  });

  it('staging into a path whose parent is a file is RFS_OUTPUT naming the path', async () => {
    const d = mkdtempSync(join(work, 'notdir-'));
    writeFileSync(join(d, 'f'), '');
    const s = new StagedFiles();
    await expect(s.stage(join(d, 'f', 'x.json'), 'X')).rejects.toMatchObject({ code: 'RFS_OUTPUT', subject: join(d, 'f', 'x.json') });
    await s.discard();
    expect(readdirSync(d)).toEqual(['f']);
  });
});
