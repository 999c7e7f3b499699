/**
 * A join of two window TVFs on equal window bounds (Flink's window join) runs as a window operator:
 * append-only, its state bounded by the watermark (both sides' rows go once the watermark passes
 * their window's end, so state drops to 0 rows), a LEFT/FULL join's unmatched rows padded when their
 * window closes. Checked against DuckDB (the windows each row falls in, computed here, joined as one
 * batch) however the input is split into batches (seeded, printed; replay with WEIR_SEED).
 */
import { describe, expect, it } from 'vitest';
import { Engine, ManualClock } from '../../src/index.js';
import { expectSameRows, Oracle, seeded, type OracleColumn, type Row } from '../support/oracle.js';
import { propertySeed } from '../support/property.js';

const DDL = `
  CREATE TABLE l (id INT, a INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'memory');
  CREATE TABLE r (id INT, b INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'memory');
  CREATE TABLE o (lid INT, a INT, rid INT, b INT, ws TIMESTAMP(3), we TIMESTAMP(3)) WITH ('connector' = 'memory');`;

type Tvf = { readonly sql: string; readonly size: number; readonly slide: number };
const TUMBLE: Tvf = { sql: "TUMBLE(TABLE %t, DESCRIPTOR(ts), INTERVAL '5' SECOND)", size: 5000, slide: 5000 };
const HOP: Tvf = { sql: "HOP(TABLE %t, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '6' SECOND)", size: 6000, slide: 2000 };

const query = (tvf: Tvf, join: string): string => `INSERT INTO o
  SELECT L.id, L.a, R.id, R.b, COALESCE(L.window_start, R.window_start), COALESCE(L.window_end, R.window_end)
  FROM (SELECT * FROM TABLE(${tvf.sql.replace('%t', 'l')})) L
  ${join} (SELECT * FROM TABLE(${tvf.sql.replace('%t', 'r')})) R
  ON L.window_start = R.window_start AND L.window_end = R.window_end AND L.id = R.id;`;

const WINDOWED: OracleColumn[] = [
  { name: 'id', type: 'INT' }, { name: 'v', type: 'INT' }, { name: 'ws', type: 'TIMESTAMP(3)' }, { name: 'we', type: 'TIMESTAMP(3)' },
];

/** Each row once per window it falls in (the model of the TVF). */
function windowed(rows: readonly Row[], tvf: Tvf, field: string): Row[] {
  return rows.flatMap((r) => {
    const ts = r.ts as number;
    const out: Row[] = [];
    for (let ws = ts - (ts % tvf.slide) - tvf.size + tvf.slide; ws <= ts; ws += tvf.slide) {
      if (ts < ws + tvf.size) out.push({ id: r.id, v: r[field], ws, we: ws + tvf.size });
    }
    return out;
  });
}

async function expected(left: readonly Row[], right: readonly Row[], tvf: Tvf, join: string): Promise<Row[]> {
  const o = await Oracle.create();
  try {
    await o.createTable('l', WINDOWED, windowed(left, tvf, 'a'));
    await o.createTable('r', WINDOWED, windowed(right, tvf, 'b'));
    return await o.query(`SELECT L.id AS lid, L.v AS a, R.id AS rid, R.v AS b, COALESCE(L.ws, R.ws) AS ws, COALESCE(L.we, R.we) AS we
      FROM l L ${join} r R ON L.ws = R.ws AND L.we = R.we AND L.id = R.id`);
  } finally {
    o.close();
  }
}

/** Rows of ids 0..3 a few seconds apart, out of order within the watermark's 2 s. */
function generate(rand: () => number, n: number, field: string): Row[] {
  const rows: Row[] = [];
  let base = 10_000;
  for (let i = 0; i < n; i++) {
    base += Math.floor(rand() * 900);
    rows.push({ id: Math.floor(rand() * 4), [field]: Math.floor(rand() * 100), ts: base - Math.floor(rand() * 2000) });
  }
  return rows;
}

async function stateRows(q: { recentProgress: readonly { stateOperators: readonly { numRowsTotal: number }[] }[] }): Promise<number> {
  return q.recentProgress.at(-1)!.stateOperators.reduce((n, s) => n + s.numRowsTotal, 0);
}

describe('a window join over window TVFs', () => {
  it('is a WindowJoin in EXPLAIN, append-only', async () => {
    const text = await new Engine().explain(`${DDL} ${query(TUMBLE, 'JOIN')}`);
    expect(text).toMatch(/WindowJoin\(inner, keys=\[window_start#\d = window_start#\d, window_end#\d = window_end#\d, id#0 = id#0\], left expires=window_end#\d, left late=window_end#\d, right expires=window_end#\d, right late=window_end#\d\)/);
    expect(text).toContain('output mode: append');
    expect(await new Engine().explain(`${DDL} ${query(TUMBLE, 'FULL JOIN')}`)).toContain('output mode: append');
  });

  it.each([['TUMBLE', 'JOIN', TUMBLE], ['TUMBLE', 'LEFT JOIN', TUMBLE], ['HOP', 'FULL JOIN', HOP]] as const)(
    '%s %s equals DuckDB whatever the batches; closed windows leave state (seeded)', async (_name, join, tvf) => {
      const seed = propertySeed();
      for (let run = 0; run < 3; run++) {
        const rand = seeded(seed + run);
        const left = generate(rand, 60, 'a'), right = generate(rand, 60, 'b');
        const engine = new Engine({ clock: new ManualClock(0) });
        const [q] = await engine.execute(`${DDL} ${query(tvf, join)}`);
        let maxState = 0;
        for (let i = 0; i < 60;) {
          const n = 1 + Math.floor(rand() * 8);
          engine.input('l').push(left.slice(i, i + n));
          engine.input('r').push(right.slice(i, i + n));
          i += n;
          await q!.processAllAvailable();
          maxState = Math.max(maxState, await stateRows(q!));
        }
        // the watermark passes every window: nothing stays
        engine.input('l').push([{ id: 9, a: 0, ts: 1_000_000 }]);
        engine.input('r').push([{ id: 9, b: 0, ts: 1_000_000 }]);
        await q!.processAllAvailable();
        const rows = engine.output('o').rows().filter((x) => x.lid !== 9 && x.rid !== 9);
        expectSameRows(rows, await expected(left, right, tvf, join), `seed ${seed + run}`);
        expect(engine.output('o').changes().every((c) => c.kind === 'insert'), 'append-only').toBe(true);
        const windowsPerRow = tvf.size / tvf.slide;
        expect(maxState, 'state holds open windows only').toBeLessThan(2 * 60 * windowsPerRow * 0.6);
        expect(await stateRows(q!), 'only the two last rows\' windows are left').toBe(2 * windowsPerRow);
        await engine.stop();
      }
    });
});
