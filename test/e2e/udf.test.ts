import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';

const DDL = `
  CREATE TABLE words (w STRING) WITH ('connector' = 'memory');
  CREATE TABLE out (w STRING, n INT) WITH ('connector' = 'memory');`;

async function run(engine: Engine, sql: string, rows: { w: string | null }[]) {
  const [q] = await engine.execute(sql, { file: path.join(__dirname, 'fixtures', 'udf.sql') });
  engine.input('words').push(rows);
  await q!.processAllAvailable();
  const out = engine.output('out').rows();
  await engine.stop();
  return { q: q!, out };
}

describe('user-defined scalar functions', () => {
  it('calls a function registered through the API', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    engine.registerFunction('vowels', (s: string | null) => (s === null ? null : s.replace(/[^aeiou]/g, '').length), { returns: 'INT' });
    const { out } = await run(engine, `${DDL} INSERT INTO out SELECT w, vowels(w) FROM words;`, [{ w: 'banana' }, { w: null }]);
    expect(out).toEqual([{ w: 'banana', n: 3 }, { w: null, n: null }]);
  });

  it('loads CREATE FUNCTION from a JavaScript module relative to the script', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const { out } = await run(engine, `${DDL}
      CREATE FUNCTION count_char AS 'count-char.js';
      INSERT INTO out SELECT w, count_char(w, 'a') FROM words;`, [{ w: 'banana' }, { w: 'kiwi' }]);
    expect(out).toEqual([{ w: 'banana', n: 3 }, { w: 'kiwi', n: 0 }]);
  });

  it('reports a function that throws with its name, and fails the query', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    engine.registerFunction('boom', () => { throw new Error('kaput'); }, { returns: 'INT' });
    const [q] = await engine.execute(`${DDL} INSERT INTO out SELECT w, boom(w) FROM words;`);
    engine.input('words').push([{ w: 'x' }]);
    await expect(q!.processAllAvailable()).rejects.toThrow(/boom.*kaput/);
    await engine.stop();
  });

  it('refuses a module without the function', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    await expect(engine.execute(`CREATE FUNCTION nope AS 'count-char.js';`, { file: path.join(__dirname, 'fixtures', 'udf.sql') }))
      .rejects.toThrow(/exports no function 'nope'/);
  });
});
