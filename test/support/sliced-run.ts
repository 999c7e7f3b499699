/**
 * Shared by the collection tests that check Weir against DuckDB (collections-oracle, array-functions,
 * unnest-zip): random values with NULLs and lists of random length, and a query run over its input
 * pushed into a memory table in random slices.
 */
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import type { Row } from './oracle.js';

/** `maybe(p, v)`: NULL with probability p, else v(); `list(max, v)`: 0..max values of v(). */
export function randomShapes(r: () => number): {
  maybe: <T>(p: number, v: () => T) => T | null;
  list: <T>(max: number, v: () => T) => T[];
} {
  return {
    maybe: (p, v) => (r() < p ? null : v()),
    list: (max, v) => Array.from({ length: Math.floor(r() * (max + 1)) }, v),
  };
}

/**
 * `INSERT INTO out <select>` (out of `columns`) after `ddl` (which creates `table`), over `input`
 * pushed in random slices of 1..max rows, each processed before the next: the rows out holds.
 */
export async function runInSlices(
  ddl: string, columns: string, select: string, input: readonly object[], r: () => number, max: number, table = 't',
): Promise<Row[]> {
  const engine = new Engine({ clock: new ManualClock(0) });
  try {
    const [q] = await engine.execute(`${ddl}
      CREATE TABLE out (${columns}) WITH ('connector' = 'memory');
      INSERT INTO out ${select};`);
    for (let i = 0; i < input.length;) {
      const n = 1 + Math.floor(r() * max);
      engine.input(table).push(input.slice(i, i + n) as unknown as Row[]);
      await q!.processAllAvailable();
      i += n;
    }
    return engine.output('out').rows();
  } finally {
    await engine.stop();
  }
}
