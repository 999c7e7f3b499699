/**
 * The harness of oracle tests over two memory tables `l (k, a[, ts])` and `r (k, b[, ts])` fed in an
 * interleaving of batches: DuckDB's answer over all the rows at once, the action that pushes one
 * batch (and lets every query process it), and the one that ends both inputs. `timed`: the tables
 * have the `ts` column (epoch ms in DuckDB, TIMESTAMP(3) in Weir).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { execute, type Action, type Row } from './stream-test.js';

/** A row of either table: `v` is `l.a` or `r.b`. */
export interface TwoTableRow { readonly k: number | null; readonly v: number | null; readonly ts?: number }
export interface TwoTableBatch<R extends TwoTableRow = TwoTableRow> { readonly table: 'l' | 'r'; readonly rows: readonly R[] }

/** DuckDB's rows for `sql` over every batch's rows in tables l and r, numbers as JS numbers. */
export async function duckTwoTables(batches: readonly TwoTableBatch[], sql: string, timed: boolean): Promise<Row[]> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    const ts = timed ? ', ts BIGINT' : '';
    await con.run(`CREATE TABLE l (k INTEGER, a INTEGER${ts}); CREATE TABLE r (k INTEGER, b INTEGER${ts})`);
    for (const t of ['l', 'r'] as const) {
      const rows = batches.filter((b) => b.table === t).flatMap((b) => b.rows);
      if (rows.length > 0) await con.run(`INSERT INTO ${t} VALUES ${rows.map((x) => `(${x.k ?? 'NULL'}, ${x.v ?? 'NULL'}${timed ? `, ${x.ts}` : ''})`).join(', ')}`);
    }
    const rows = (await con.runAndReadAll(sql)).getRowObjectsJS();
    return rows.map((x) => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, v === null ? null : Number(v)])));
  } finally {
    con.closeSync();
  }
}

/** Push one batch into its table, then let every query process it. */
export function pushTwoTables(b: TwoTableBatch, timed: boolean): Action {
  return {
    describe: `push ${b.table} (${b.rows.length} rows)`,
    async run(env) {
      env.engine.input(b.table).push(b.rows.map((x) => {
        const row: Record<string, unknown> = b.table === 'l' ? { k: x.k, a: x.v } : { k: x.k, b: x.v };
        if (timed) row.ts = x.ts;
        return row;
      }));
      for (const q of env.queries) await q.processAllAvailable();
    },
  };
}

/** End both inputs and let every query process that. */
export const endTwoTables: Action = execute(async ({ engine, queries }) => {
  engine.input('l').end();
  engine.input('r').end();
  for (const q of queries) await q.processAllAvailable();
});
