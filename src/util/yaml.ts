// The yaml package, loaded on first use (~40 ms of start-up): runs without a YAML file to read
// (--repofrompath, no image spec) never pay for it. Required, not imported, so parsers stay sync.
import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');
let mod: Yaml | undefined;

export function yaml(): Yaml {
  mod ??= createRequire(import.meta.url)('yaml') as Yaml;
  return mod;
}
