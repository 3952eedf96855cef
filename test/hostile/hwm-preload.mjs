// Loaded with `node --import` into a CLI child: at exit, writes the process's peak RSS
// (VmHWM, kB) to $RFS_HWM_FILE, so a test can bound the memory a hostile input costs.
import { readFileSync, writeFileSync } from 'node:fs';

process.on('exit', () => {
  const m = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  if (m && process.env.RFS_HWM_FILE) writeFileSync(process.env.RFS_HWM_FILE, m[1]);
});
