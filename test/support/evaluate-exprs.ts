/**
 * SQL expressions evaluated through a whole query: each over the rows of a memory table
 * t (x INT, s STRING), as the STRING text the query gives (the JSON function tests compare that text).
 */
import { Engine, ManualClock } from '../../src/index.js';

export async function evaluate(exprs: readonly string[], rows: readonly Record<string, unknown>[] = [{ x: 1, s: 'a' }]): Promise<unknown[][]> {
  const cols = exprs.map((_, i) => `c${i} STRING`).join(', ');
  const engine = new Engine({ clock: new ManualClock(0) });
  try {
    const [q] = await engine.execute(`CREATE TABLE t (x INT, s STRING) WITH ('connector' = 'memory');
      CREATE TABLE o (${cols}) WITH ('connector' = 'memory');
      INSERT INTO o SELECT ${exprs.map((e, i) => `${e} AS c${i}`).join(', ')} FROM t;`);
    engine.input('t').push(rows);
    engine.input('t').end();
    await q!.awaitTermination(10_000);
    return engine.output('o').rows().map((r) => exprs.map((_, i) => r[`c${i}`]));
  } finally {
    await engine.stop();
  }
}
