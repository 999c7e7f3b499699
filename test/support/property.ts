/**
 * Seeds and run counts for property tests (fast-check), so that every run explores new inputs and
 * any failure can be replayed.
 *
 * - The seed is fresh for each test file run (vitest gives every file its own module instance), or
 *   taken from `WEIR_SEED`. It is printed once per file: "fast-check seed N; replay with WEIR_SEED=N".
 *   Every `fcParams` of the file uses it, so one seed replays the whole file.
 * - A property's run count is what it passes (sized for CI); `WEIR_PROPERTY_RUNS=K` runs every
 *   property K times instead, for a soak on a developer machine (add `--testTimeout=0` to vitest for
 *   long soaks of tests that do not scale their own timeout).
 *
 *   await fc.assert(fc.asyncProperty(arb, check), fcParams({ numRuns: 25 }));
 *
 * A failure's message (fast-check's) also names the seed and the shrunk counterexample's path.
 */
import type fc from 'fast-check';

let fileSeed: number | undefined;

/** An integer environment value, or undefined when unset; a malformed one is a mistake worth stopping for. */
function envInteger(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw.trim());
  if (!Number.isSafeInteger(n)) throw new Error(`${name}=${raw}: expected an integer`);
  return n;
}

/** This file's seed: WEIR_SEED when set, else a fresh one; printed the first time it is asked for. */
export function propertySeed(): number {
  if (fileSeed === undefined) {
    // fast-check takes a 32-bit seed; Math.random is fine here, the point is only to vary it
    fileSeed = envInteger('WEIR_SEED') ?? (Math.floor(Math.random() * 2 ** 31) | 0);
    console.log(`fast-check seed ${fileSeed}; replay with WEIR_SEED=${fileSeed}`);
  }
  return fileSeed;
}

/** How many runs a property sized `ciRuns` for CI gets: WEIR_PROPERTY_RUNS when set. */
export function propertyRuns(ciRuns: number): number {
  const n = envInteger('WEIR_PROPERTY_RUNS');
  if (n !== undefined && n < 1) throw new Error(`WEIR_PROPERTY_RUNS=${n}: expected at least 1`);
  return n ?? ciRuns;
}

/** fast-check parameters with this file's seed and the run count (fast-check's default 100 when not given). */
export function fcParams<T>(opts: { readonly numRuns?: number } & Omit<fc.Parameters<T>, 'seed' | 'numRuns'> = {}): fc.Parameters<T> {
  return { ...opts, seed: propertySeed(), numRuns: propertyRuns(opts.numRuns ?? 100) };
}
