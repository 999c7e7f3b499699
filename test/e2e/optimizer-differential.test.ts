/**
 * Differential test of the optimizer: generated queries (test/support/query-generator.ts: SELECT and
 * WHERE over typed expressions, filters over subqueries, GROUP BY with HAVING, tumbling windows,
 * joins) over generated rows of two memory tables, run through the Engine with the optimizer's rules
 * on and off. The final results must be the same rows, and both must equal DuckDB's answer over all
 * the rows as one batch. A fresh seed each run (printed; WEIR_SEED replays it).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { expectSameRows, Oracle, type Row } from '../support/oracle.js';
import { fcParams, propertyRuns } from '../support/property.js';
import { generatedQuery, TABLE_A, TABLE_B, TABLES_DDL, tableRows, type GeneratedQuery, type TableInput } from '../support/query-generator.js';
import { sortExact } from '../support/value-edge-properties.js';

/** Runs in CI: about 5 s. */
const RUNS = 100;

/** Run `q` over `input` in a new Engine and return its sink's final result table. */
async function runWeir(q: GeneratedQuery, input: TableInput, optimizer: boolean): Promise<Row[]> {
  const engine = new Engine({ clock: new ManualClock(0), optimizer });
  try {
    const [query] = await engine.execute(`${TABLES_DDL}
      CREATE TABLE out (${q.columns}) WITH ('connector' = 'memory');
      INSERT INTO out ${q.weir};`);
    for (const step of input.steps) {
      engine.input(step.table).push(step.rows);
      await query!.processAllAvailable();
    }
    engine.input('a').end();
    engine.input('b').end();
    expect(await query!.awaitTermination(10_000), 'the query finished its bounded input').toBe(true);
    return engine.output('out').rows();
  } finally {
    await engine.stop();
  }
}

describe('the optimizer changes plans, not results', () => {
  let oracle: Oracle;
  beforeAll(async () => { oracle = await Oracle.create(); });
  afterAll(() => oracle.close());

  it('can be turned off: a filter over a projection stays above it', async () => {
    const sql = `${TABLES_DDL} CREATE TABLE out (c INT) WITH ('connector' = 'memory');
      INSERT INTO out SELECT c FROM (SELECT v + 1 AS c, g FROM a) AS q WHERE g = 'a' AND 1 = 1;`;
    const on = await new Engine({ clock: new ManualClock(0) }).explain(sql);
    const off = await new Engine({ clock: new ManualClock(0), optimizer: false }).explain(sql);
    // off: the constant conjunct stays, the filter sits over the projection, the scan reads every column
    expect(off).toMatch(/Filter\(and\(eq\(g#\d+, 'a'\), eq\(1, 1\)\)\)\n\s+Project\(c=add/);
    expect(off).toMatch(/Scan\(a, columns=\[k, g, v, x, d, big, ts\]\)/);
    // on: folded, pushed below the projection, pruned
    expect(on).not.toMatch(/eq\(1, 1\)/);
    expect(on).toMatch(/Project\(c=add\(v#\d+, 1\)\)\n\s+Filter\(eq\(g#\d+, 'a'\)\)/);
    expect(on).toMatch(/Scan\(a, columns=\[g, v, ts\]\)/);
  });

  it('generated queries give the same rows with the rules on and off, and DuckDB\'s', async () => {
    const shapes = new Map<string, number>();
    let nonEmpty = 0;
    await fc.assert(fc.asyncProperty(generatedQuery, tableRows, async (q, input) => {
      const on = await runWeir(q, input, true);
      const off = await runWeir(q, input, false);
      expect(sortExact(on), `optimizer on vs off: ${q.weir}`).toEqual(sortExact(off));
      await oracle.createTable('a', TABLE_A, input.a);
      await oracle.createTable('b', TABLE_B, input.b);
      expectSameRows(on, await oracle.query(q.duck), `Weir vs DuckDB: ${q.weir}`);
      shapes.set(q.shape, (shapes.get(q.shape) ?? 0) + 1);
      if (on.length > 0) nonEmpty++;
    }), fcParams({ numRuns: RUNS }));
    console.log(`differential runs by query shape: ${JSON.stringify(Object.fromEntries(shapes))}; ${nonEmpty} with rows`);
  }, Math.max(60_000, propertyRuns(RUNS) * 200)); // a soak (WEIR_PROPERTY_RUNS) gets time in proportion
});
