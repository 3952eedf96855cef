// File triggers (rpm >= 4.13) read from a real package header: rpm-rs's test package carries
// one trigger of each of the six kinds, and `rpm -qp --filetriggers` shows the same.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRpm } from '../../src/rpm/index.js';
import { REALDATA } from './helpers.js';

const FILE = join(REALDATA, 'rpms/rpm-rs/v6/rpm-scriptlets-1.0-1.noarch.rpm');
if (!existsSync(FILE)) console.warn(`skipping file-trigger parsing: ${FILE} not found`);

describe.skipIf(!existsSync(FILE))('file triggers from the header', () => {
  it('gives kind, prefixes, priority, interpreter and body of each', async () => {
    const { meta } = await openRpm(FILE, { headerOnly: true });
    expect(meta.fileTriggers.map((t) => [t.kind, t.prefixes, t.priority, t.prog, t.body.trim(), t.index])).toEqual([
      ['filetriggerin', ['/usr/lib'], 1000000, ['/bin/sh'], 'echo "file-trigger-install in /usr/lib"', 0],
      ['filetriggerun', ['/usr/lib'], 1000000, ['/bin/sh'], 'echo "file-trigger-uninstall in /usr/lib"', 1],
      ['filetriggerpostun', ['/usr/lib'], 1000000, ['/bin/sh'], expect.stringMatching(/^echo "file-trigger-post-uninstall in \/usr\/lib"/), 2],
      ['transfiletriggerin', ['/usr/bin'], 1000000, ['/bin/sh'], 'echo "trans-file-trigger-install in /usr/bin"', 0],
      ['transfiletriggerun', ['/usr/bin'], 1000000, ['/bin/sh'], 'echo "trans-file-trigger-uninstall in /usr/bin"', 1],
      ['transfiletriggerpostun', ['/usr/bin'], 1000000, ['/bin/sh'], 'echo "trans-file-trigger-post-uninstall in /usr/bin"', 2],
    ]);
  });
});
