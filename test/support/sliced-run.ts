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

/** The collection tests' rows: a key, a list of words, a list of numbers and a list of lists, each NULL at times. */
export interface CollectionRow {
  id: number;
  k: number | null;
  tags: (string | null)[] | null;
  nums: (number | null)[] | null;
  nested: ((number | null)[] | null)[] | null;
}

/**
 * `count` random CollectionRows (`nums` of at most `maxNums` values), each with what `more` adds to
 * it, drawn after its own columns from the same generator.
 */
export function collectionRows<M extends object = object>(count: number, r: () => number, words: readonly string[], maxNums: number,
  more?: (shapes: ReturnType<typeof randomShapes>) => M): (CollectionRow & M)[] {
  const shapes = randomShapes(r);
  const { maybe, list } = shapes;
  return Array.from({ length: count }, (_, id) => ({
    id,
    k: maybe(0.1, () => Math.floor(r() * 5)),
    tags: maybe(0.15, () => list(4, () => maybe(0.15, () => words[Math.floor(r() * words.length)]!))),
    nums: maybe(0.15, () => list(maxNums, () => maybe(0.1, () => Math.floor(r() * 7) - 2))),
    nested: maybe(0.2, () => list(3, () => maybe(0.2, () => list(3, () => maybe(0.1, () => Math.floor(r() * 9)))))),
    ...(more ? more(shapes) : ({} as M)),
  }));
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
