// Help texts read as one table per command: every option's description starts in the same
// column, and so does every continuation line under it.
import { describe, expect, it } from 'vitest';
import { COMMAND_HELP, TOP_HELP } from '../../src/cli/help.js';

const COLUMN = 29;

/** the lines out of column: options whose description starts elsewhere, continuations likewise */
function misaligned(text: string): string[] {
  const bad: string[] = [];
  let inOption = false;
  for (const line of text.split('\n')) {
    const opt = /^ {2}(-\S.*?)( {2,})(\S.*)$/.exec(line);
    if (opt) {
      inOption = true;
      // an option too long for its column gets two spaces
      const start = 2 + opt[1]!.length + opt[2]!.length;
      if (opt[1]!.length <= COLUMN - 4 ? start !== COLUMN : opt[2]!.length !== 2) bad.push(line);
    } else if (inOption && /^ {3,}\S/.test(line)) {
      if (!line.startsWith(' '.repeat(COLUMN)) || line[COLUMN] === ' ') bad.push(line);
    } else inOption = /^ {2}-/.test(line);
  }
  return bad;
}

describe('help columns', () => {
  it.each([['top', TOP_HELP], ...Object.entries(COMMAND_HELP)])('%s: descriptions and continuations start in one column', (_, text) => {
    expect(misaligned(text)).toEqual([]);
  });
  it('the check sees a shifted description and a shifted continuation', () => {
    expect(misaligned('  --forcearch ARCH            target arch\n')).toHaveLength(1);
    expect(misaligned('  --x Y                      a\n                              b\n')).toHaveLength(1);
    expect(misaligned('  --x Y                      a\n                             b\n')).toEqual([]);
  });
});
