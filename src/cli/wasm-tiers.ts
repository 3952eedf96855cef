// The program's wasm (sql.js for a sqlite rpmdb, undici's llhttp) runs once per build, for well under
// a second. V8 compiles it twice: Liftoff at first call, then TurboFan in the background for what
// gets hot, and on 2 cores that second compile competes with the build itself. Liftoff alone, set
// before any wasm is compiled: the sqlite rpmdb of a small image 0.27 -> 0.10 s CPU, of 500 packages
// 759 -> 532 ms CPU; HTTP bodies through llhttp unchanged (bench/RESULTS-startup.md). Set by the
// CLI only: a program using the library keeps its own V8 settings.
import v8 from 'node:v8';

export function liftoffOnly(): void {
  v8.setFlagsFromString('--liftoff-only');
}
