// Builds the fixture repos once per test run (cached by content under test/fixtures/.cache), and
// gives the run a temp folder of its own that must be empty at the end (helpers/tmp-guard.ts).
import { ensureFixtures, fixturesAvailable } from './helpers/fixtures.js';
import { guardTmp } from './helpers/tmp-guard.js';

export default async function setup(): Promise<() => void> {
  const checkTmp = guardTmp();
  await fixtures();
  return checkTmp;
}

async function fixtures(): Promise<void> {
  const before = fixturesAvailable();
  if (!before.ok && before.reason.startsWith('fixtures skipped')) {
    console.log(`[global-setup] ${before.reason}`);
    return;
  }
  const t0 = Date.now();
  try {
    await ensureFixtures();
  } catch (e) {
    // Tests that need fixtures skip with fixturesAvailable().reason; the rest still run.
    console.log(`[global-setup] fixtures: build FAILED: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    return;
  }
  const after = fixturesAvailable();
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  const cached = before.ok && before.reason === after.reason;
  console.log(`[global-setup] fixtures: ${cached ? 'cached' : 'built'} in ${secs} s (${after.reason})`);
}
