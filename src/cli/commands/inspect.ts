import { RfsError } from '../../errors/index.js';
import type { CliIO } from '../io.js';

// Placeholder until the owning issue lands; replaced, not extended.
export async function inspectCommand(_argv: string[], _io: CliIO): Promise<number> {
  throw new RfsError('RFS_USAGE', 'inspect: not available yet');
}
