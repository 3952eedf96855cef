// Preload for memory investigations: `MEMPROBE_OUT=f.json node --import ./bench/memprobe.mjs ...`
// samples process.memoryUsage() every 25 ms and, at exit, writes the sample at peak RSS, the
// maxima of each part, VmHWM, and a coarse timeline (one sample per second) to MEMPROBE_OUT.
import { readFileSync, writeFileSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';

const out = process.env.MEMPROBE_OUT;
if (out) {
  const t0 = Date.now();
  const mb = (n) => Math.round(n / 1048576);
  let peak = null;
  const max = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 };
  const timeline = [];
  // with --json-progress the phases show on stderr: note them, peak RSS per phase
  let phase = 'start';
  const perPhase = {};
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (chunk, ...rest) => {
    const m = /"kind":"phase:start","phase":"([a-z]+)"/.exec(String(chunk));
    if (m) {
      sample();
      phase = m[1];
      // MEMPROBE_SNAP=<phase>:<file>: a heap snapshot as that phase starts
      const [p, file] = (process.env.MEMPROBE_SNAP ?? '').split(':');
      if (p === phase && file) writeHeapSnapshot(file);
      if (process.env.MEMPROBE_SMAPS) smaps.push([phase, topMappings()]);
    }
    return write(chunk, ...rest);
  };
  let lastSec = -1;
  const sample = () => {
    const m = process.memoryUsage();
    const s = { t: (Date.now() - t0) / 1000, phase, rss: mb(m.rss), heapUsed: mb(m.heapUsed), heapTotal: mb(m.heapTotal), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) };
    for (const k of Object.keys(max)) max[k] = Math.max(max[k], s[k]);
    // MEMPROBE_SNAP_RSS=<MB>:<file>: one heap snapshot when RSS first passes MB
    const [lim, snapFile] = (process.env.MEMPROBE_SNAP_RSS ?? '').split(':');
    if (snapFile && s.rss > Number(lim) && !sample.snapped) { sample.snapped = true; writeHeapSnapshot(snapFile); }
    if (!peak || s.rss > peak.rss) peak = s;
    if (!perPhase[phase] || s.rss > perPhase[phase].rss) perPhase[phase] = s;
    const sec = Math.floor(s.t);
    if (sec !== lastSec) { lastSec = sec; timeline.push(s); }
  };
  // the biggest mappings by RSS (anonymous ones merged), to tell V8 from malloc from wasm
  const smaps = [];
  const topMappings = () => {
    const out = new Map();
    let name = '';
    for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
      const h = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
      if (h) { name = h[1] || '[anon]'; continue; }
      const r = /^Rss:\s+(\d+)/.exec(line);
      if (r) out.set(name, (out.get(name) ?? 0) + Number(r[1]));
    }
    return [...out].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k.split('/').pop()}=${Math.round(v / 1024)}MB`).join(' ');
  };
  setInterval(sample, 25).unref();
  process.on('exit', () => {
    sample();
    if (process.env.MEMPROBE_SMAPS) smaps.push(['exit', topMappings()]);
    const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    writeFileSync(out, JSON.stringify({ vmHWM: hwm ? Math.round(Number(hwm) / 1024) : null, peak, max, perPhase, smaps, timeline }, null, 1));
  });
}
