import { RfsError } from '../../errors/index.js';
import type { CliIO } from '../io.js';

// Placeholder until the owning issue lands; replaced, not extended.
export async function assembleCommand(_argv: string[], _io: CliIO): Promise<number> {
  throw new RfsError('RFS_USAGE', 'assemble: not available yet');
}
