import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { listCommand } from '../../src/cli/commands/list.js';
import type { CliIO } from '../../src/cli/io.js';

function io(): { io: CliIO; out: () => string } {
  const stdout = new PassThrough(); const stderr = new PassThrough();
  let text = '';
  stdout.on('data', (c: Buffer) => { text += c.toString(); });
  return { io: { stdout, stderr, env: {}, cwd: '/' }, out: () => text };
}

describe('rootfs-assemble list', () => {
  it('prints a table of the known definitions', async () => {
    const t = io();
    expect(await listCommand([], t.io)).toBe(0);
    const lines = t.out().trim().split('\n');
    expect(lines[0]).toMatch(/^TAG\s+EOL\s+NAME$/);
    expect(lines.find((l) => l.startsWith('centos:4.9 '))).toMatch(/yes\s+CentOS 4\.9$/);
    expect(lines.find((l) => l.startsWith('centos-stream:9 '))).toMatch(/no\s+CentOS Stream 9$/);
  });
  it('--json and a prefix filter', async () => {
    const t = io();
    await listCommand(['--json', 'centos:7'], t.io);
    const rows = JSON.parse(t.out()) as { tag: string }[];
    expect(rows.map((r) => r.tag)).toContain('centos:7.9.2009');
    expect(rows.every((r) => r.tag.startsWith('centos:7'))).toBe(true);
  });
});
