// The CLI as a process: SIGINT/SIGTERM/SIGHUP abort the running command, which unwinds through its
// own cleanup and reports one line; a second signal, or an uncaught exception anywhere (even in a
// stream callback no promise waits for), removes what util/exit-cleanup holds and exits at once.
// Exit codes follow the shell's convention for signals: 128 + the signal's number.
import { constants } from 'node:os';
import { RfsError, untrusted } from '../errors/index.js';
import { removeRegisteredNow } from '../util/exit-cleanup.js';
import type { CliIO } from './io.js';

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function signalExitCode(sig: NodeJS.Signals): number {
  return 128 + (constants.signals[sig] ?? 2);
}

/** The abort reason a signal leaves on CliIO.signal. */
export function interruptError(sig: NodeJS.Signals): RfsError {
  return new RfsError('RFS_ABORTED', `interrupted by ${sig}`, { details: { signal: sig } });
}

/** 128 + signal number if `reason` is interruptError()'s, else null. */
export function interruptExitCode(reason: unknown): number | null {
  if (!(reason instanceof RfsError) || reason.code !== 'RFS_ABORTED') return null;
  const sig = (reason.details as { signal?: unknown } | undefined)?.signal;
  return typeof sig === 'string' && SIGNALS.includes(sig as NodeJS.Signals) ? signalExitCode(sig as NodeJS.Signals) : null;
}

export interface ProcessGuard {
  signal: AbortSignal;
  /** whether a signal came */
  readonly interrupted: boolean;
  /** the command has returned: from now on a signal exits at once */
  settle(): void;
}

/**
 * Install the process-wide handlers (once, for the program's lifetime). `unwinds`: the command
 * honours the abort signal; otherwise the first signal already exits at once.
 */
export function guardProcess(io: CliIO, unwinds: boolean, json = false): ProcessGuard {
  const writeError = (code: 'RFS_ABORTED' | 'RFS_INTERNAL', message: string, exitCode: number, stack?: string): void => {
    // --json-progress: stderr stays JSON lines to the end, whatever ends the process
    if (json) writeLine(io, JSON.stringify({ kind: 'error', code, message, exitCode, ...(stack ? { stack } : {}) }));
    else writeLine(io, `rootfs-assemble: error ${code}: ${message}${stack ? `\n${stack}` : ''}`);
  };
  const ac = new AbortController();
  let first: NodeJS.Signals | null = null;
  let settled = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (first === null) {
      first = sig;
      ac.abort(interruptError(sig));
      if (unwinds && !settled) return;
    }
    // a second signal while cleaning up (or nothing to unwind): synchronous cleanup, exit now
    removeRegisteredNow();
    writeError('RFS_ABORTED', `interrupted by ${first}`, signalExitCode(first));
    process.exit(signalExitCode(first));
  };
  const onCrash = (err: unknown): void => {
    removeRegisteredNow();
    const what = err instanceof RfsError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    const stack = io.env.RFS_DEBUG && err instanceof Error && err.stack ? err.stack : undefined;
    writeError('RFS_INTERNAL', untrusted(what.split('\n')[0] ?? '', 500), 70, stack);
    process.exit(70);
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  return {
    signal: ac.signal,
    get interrupted() { return first !== null; },
    settle() { settled = true; },
  };
}

function writeLine(io: CliIO, line: string): void {
  try {
    io.stderr.write(`${line}\n`);
  } catch {
    // stderr is gone: the exit code still tells
  }
}
