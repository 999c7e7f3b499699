/**
 * A scan hands on only the ROW fields its plan reads (projection-pruning.ts `requiredFields`,
 * source-columns.ts): every other field arrives null, whatever the connector. So a field an
 * operator reads itself, not through an expression above it, must count as read: an OVER's ORDER
 * BY column, a temporal join's times and key. And a late row is written whole to the late-rows
 * table, every field of its ROW columns, so with `late-rows.table` set no field is left out.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { plan } from '../../src/engine/plan-query.js';
import type { QueryStmt } from '../../src/parser/ast.js';
import { catalogOf, statements } from '../planner/helpers.js';

/** Run `sql`, push each batch of `input` and process it; the rows of table `out` (and of `also`). */
async function run(sql: string, batches: Record<string, Record<string, unknown>[]>[], tables: string[]): Promise<Record<string, unknown>[][]> {
  const engine = new Engine({ clock: new ManualClock(0) });
  try {
    const [q] = await engine.execute(sql);
    for (const b of batches) {
      for (const [name, rows] of Object.entries(b)) engine.input(name).push(rows);
      await q!.processAllAvailable();
    }
    return tables.map((t) => engine.output(t).rows());
  } finally {
    await engine.stop();
  }
}

describe('ROW fields a scan hands on', () => {
  it('counts an OVER\'s ORDER BY field as read, though the query selects it not', async () => {
    const [out] = await run(`
      CREATE TABLE l (k INT, r ROW<t TIMESTAMP(3), v INT>) WITH ('connector' = 'memory');
      CREATE TABLE g (k INT) WITH ('connector' = 'memory');
      CREATE TABLE out (k INT, v INT, s INT) WITH ('connector' = 'memory');
      INSERT INTO out SELECT k, v, SUM(v) OVER (PARTITION BY k ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS s
        FROM (SELECT l.k, l.r.v AS v, l.r.t AS t FROM l LEFT JOIN g ON l.k = g.k);`,
    [{ l: [{ k: 1, r: { t: 3, v: 30 } }, { k: 1, r: { t: 1, v: 10 } }, { k: 1, r: { t: 2, v: 20 } }], g: [] }], ['out']);
    expect(out).toEqual(expect.arrayContaining([{ k: 1, v: 10, s: 10 }, { k: 1, v: 20, s: 30 }, { k: 1, v: 30, s: 60 }]));
    expect(out).toHaveLength(3);
  });

  it('writes a late row to the late-rows table with every field of its ROW columns', async () => {
    const [late, out] = await run(`
      CREATE TABLE t (r ROW<ts TIMESTAMP(3), v INT, note STRING>, ts AS r.ts, WATERMARK FOR ts AS ts) WITH ('connector' = 'memory');
      CREATE TABLE late (r ROW<ts TIMESTAMP(3), v INT, note STRING>, watermark TIMESTAMP(3)) WITH ('connector' = 'memory');
      CREATE TABLE out (ws TIMESTAMP(3), s INT) WITH ('connector' = 'memory');
      SET 'late-rows.table' = 'late';
      INSERT INTO out SELECT window_start, SUM(r.v) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end;`,
    [{ t: [{ r: { ts: 10_000, v: 1, note: 'a' } }] }, { t: [{ r: { ts: 1_000, v: 2, note: 'late one' } }] }, { t: [{ r: { ts: 20_000, v: 3, note: 'c' } }] }],
    ['late', 'out']);
    expect(late).toHaveLength(1);
    expect(late[0]!.r).toEqual({ ts: 1_000, v: 2, note: 'late one' });
    expect(out).toEqual([expect.objectContaining({ s: 1 })]);
  });

  it('leaves a field out of the scan only when no late-rows table wants the rows whole', () => {
    const catalog = catalogOf("CREATE TABLE t (r ROW<ts TIMESTAMP(3), v INT, note STRING>, ts AS r.ts, WATERMARK FOR ts AS ts) WITH ('connector' = 'memory');");
    const [stmt] = statements('SELECT window_start, SUM(r.v) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL \'1\' SECOND)) GROUP BY window_start, window_end');
    const fieldsOf = (settings: Map<string, string>) => plan(stmt as QueryStmt, { catalog, settings, optimize: true }).streaming.sources[0]!.requiredFields?.get(0);
    expect(fieldsOf(new Map())).toEqual(['ts', 'v']);
    expect(fieldsOf(new Map([['late-rows.table', 'late']]))).toBeUndefined();
  });
});
