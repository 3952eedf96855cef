import { isRfsError, toRfsError, untrustedLines } from '../errors/index.js';

/** Where a command writes; injected so tests can capture output. */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** aborted by SIGINT/SIGTERM/SIGHUP when run as a program (reason: the interrupt's RfsError) */
  signal?: AbortSignal;
}

export function defaultIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

export type Command = (argv: string[], io: CliIO) => Promise<number>;

/** The last line of a failed `--json-progress` run, so its stderr stays JSON lines to the end. */
export interface ErrorEvent { kind: 'error'; code: string; message: string; subject?: string; hint?: string; exitCode: number; /** with RFS_DEBUG, for a crash */ stack?: string }

/**
 * Render any error as `rootfs-assemble: CODE: message` + subject + hint (or, with `json`, one
 * ErrorEvent line); return the exit code.
 */
export function reportError(err: unknown, io: CliIO, json = false, exitCode?: number): number {
  const e = toRfsError(err);
  // a signal's exit code is 128 + its number, not RFS_ABORTED's 130
  const code = exitCode ?? e.exitCode;
  // messages quote what mirrors and packages sent: each line escaped and bounded (defence in depth)
  const safe = untrustedLines;
  if (json) {
    const ev: ErrorEvent = {
      kind: 'error', code: e.code, message: safe(e.message, 2000),
      ...(e.subject ? { subject: safe(e.subject, 500) } : {}), ...(e.hint ? { hint: safe(e.hint, 500) } : {}), exitCode: code,
      ...(!isRfsError(err) && io.env.RFS_DEBUG && err instanceof Error && err.stack ? { stack: err.stack } : {}),
    };
    io.stderr.write(JSON.stringify(ev) + '\n');
    return code;
  }
  const lines = [`rootfs-assemble: error ${e.code}: ${safe(e.message, 2000)}`];
  if (e.subject && !e.message.includes(e.subject)) lines.push(`  at: ${safe(e.subject, 500)}`);
  if (e.hint) lines.push(`  hint: ${safe(e.hint, 500)}`);
  if (!isRfsError(err) && io.env.RFS_DEBUG && err instanceof Error && err.stack) lines.push(err.stack);
  io.stderr.write(lines.join('\n') + '\n');
  return code;
}
