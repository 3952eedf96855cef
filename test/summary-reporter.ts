// Prints the plain closing line CI reads ("N passed, N failed, N skipped") after vitest's own summary.
import type { Reporter } from 'vitest/reporters';
import type { RunnerTask, RunnerTestFile } from 'vitest';

function count(tasks: RunnerTask[], acc = { passed: 0, failed: 0, skipped: 0 }): typeof acc {
  for (const t of tasks) {
    if (t.type === 'suite') count(t.tasks, acc);
    else if (t.mode === 'skip' || t.mode === 'todo' || t.result?.state === 'skip') acc.skipped++;
    else if (t.result?.state === 'fail') acc.failed++;
    else if (t.result?.state === 'pass') acc.passed++;
  }
  return acc;
}

export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = [], errors: unknown[] = []): void {
    const c = count(files);
    const failed = c.failed + files.filter((f) => f.result?.state === 'fail' && f.tasks.length === 0).length + errors.length;
    process.stdout.write(`\n${c.passed} passed, ${failed} failed, ${c.skipped} skipped\n`);
  }
}
