import { isRfsError, toRfsError } from '../errors/index.js';

/** Where a command writes; injected so tests can capture output. */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function defaultIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

export type Command = (argv: string[], io: CliIO) => Promise<number>;

/** Render any error as `rootfs-assemble: CODE: message` + subject + hint; return the exit code. */
export function reportError(err: unknown, io: CliIO): number {
  const e = toRfsError(err);
  const lines = [`rootfs-assemble: error ${e.code}: ${e.message}`];
  if (e.subject && !e.message.includes(e.subject)) lines.push(`  at: ${e.subject}`);
  if (e.hint) lines.push(`  hint: ${e.hint}`);
  if (!isRfsError(err) && io.env.RFS_DEBUG && err instanceof Error && err.stack) lines.push(err.stack);
  io.stderr.write(lines.join('\n') + '\n');
  return e.exitCode;
}
