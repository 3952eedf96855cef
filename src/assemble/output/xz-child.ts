// xz runs in a child process (node + lzma-native, the same library and settings, so the same
// bytes): liblzma works through what it was given in jobs that cannot be cancelled, and a process
// exit waits for running jobs, so an interrupted .tar.xz build took 30 s to exit. A child is
// killed on destroy. Its output counts only once it has exited 0 (never a silently short file).
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { Duplex } from 'node:stream';

const SCRIPT = `
const c = require(process.argv[1]).createCompressor({ preset: Number(process.argv[2]), threads: 1 });
const fail = (e) => { require('fs').writeSync(2, String((e && e.message) || e)); process.exit(1); };
c.on('error', fail);
process.stdout.on('error', () => process.exit(1));
process.stdin.pipe(c).pipe(process.stdout);
`;

export class XzChild extends Duplex {
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';
  /** why the child failed (null: it exited 0) */
  private readonly failed: Promise<string | null>;

  /** `lzma`: the resolved path of lzma-native */
  constructor(lzma: string, preset: number) {
    super();
    this.child = spawn(process.execPath, ['-e', SCRIPT, lzma, String(preset)], { stdio: ['pipe', 'pipe', 'pipe'] });
    const child = this.child;
    child.stdout.on('data', (c: Buffer) => { if (!this.push(c)) child.stdout.pause(); });
    child.stderr.on('data', (c: Buffer) => { this.stderr = (this.stderr + c.toString()).slice(-2000); });
    // a write into a dead child (EPIPE) is reported by _write, with the child's own reason
    child.stdin.on('error', () => undefined);
    child.on('error', (e) => this.destroy(e));
    this.failed = new Promise((resolve) => child.on('close', (code, signal) => {
      resolve(code === 0 ? null : `xz compressor ${code === null ? `killed by ${signal}` : `exited ${code}`}${this.stderr ? `: ${this.stderr.trim()}` : ''}`);
    }));
    void this.failed.then((why) => {
      if (this.destroyed) return;
      if (why === null) this.push(null);
      else this.destroy(new Error(why));
    });
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.child.stdin.write(chunk, (err) => {
      if (!err) return cb();
      void this.failed.then((why) => cb(new Error(why ?? err.message)));
    });
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.child.stdin.end(() => cb());
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    cb(err);
  }
}
