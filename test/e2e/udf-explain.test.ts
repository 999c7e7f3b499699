/**
 * Looking at a plan never runs user code: CREATE FUNCTION modules are imported only when a query
 * runs. Each test writes a fresh module whose top-level code leaves a marker file beside it, so the
 * marker says exactly whether the module was imported (a fresh path: no module cache in the way).
 */
import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { readSinkOutput, runCli, spawnCli, tempDir, writeJsonFiles, writeSql } from '../support/cli.js';

/** A directory with `shout.mjs`, whose import writes `imported.marker` beside it. */
function moduleDir(): { dir: string; marker: string } {
  const dir = tempDir('weir-udf-explain-');
  writeFileSync(path.join(dir, 'shout.mjs'), [
    "import { writeFileSync } from 'node:fs';",
    "writeFileSync(new URL('./imported.marker', import.meta.url), 'top-level code ran');",
    'export function shout(s) { return s === null ? null : s.toUpperCase() + "!"; }',
    "shout.returns = 'STRING';",
  ].join('\n'));
  return { dir, marker: path.join(dir, 'imported.marker') };
}

const MEMORY_SCRIPT = `
  CREATE TABLE words (w STRING) WITH ('connector' = 'memory');
  CREATE TABLE out (w STRING, s STRING) WITH ('connector' = 'memory');
  CREATE FUNCTION shout AS 'shout.mjs';
  INSERT INTO out SELECT w, shout(w) FROM words;`;

describe('CREATE FUNCTION modules are imported only when a query runs', () => {
  it('Engine.explain binds the call with a type unknown until run, says so, and imports nothing', async () => {
    const { dir, marker } = moduleDir();
    const engine = new Engine({ clock: new ManualClock(0) });
    const text = await engine.explain(MEMORY_SCRIPT, { file: path.join(dir, 'job.sql') });
    expect(text).toContain('shout(w#0)');
    expect(text).toContain("Note: shout comes from module 'shout.mjs', which is imported only when a query runs; "
      + 'its result type is unknown until run');
    expect(existsSync(marker)).toBe(false);
  });

  it('an EXPLAIN statement inside a script imports nothing; the INSERT after it imports and runs the function', async () => {
    const { dir, marker } = moduleDir();
    const lines: string[] = [];
    const stdout = { write: (s: string) => { lines.push(s); return true; } } as never;
    const engine = new Engine({ clock: new ManualClock(0), stdout });
    const file = path.join(dir, 'job.sql');
    await engine.execute(`
      CREATE TABLE words (w STRING) WITH ('connector' = 'memory');
      CREATE TABLE out (w STRING, s STRING) WITH ('connector' = 'memory');
      CREATE FUNCTION shout AS 'shout.mjs';
      EXPLAIN INSERT INTO out SELECT w, shout(w) FROM words;`, { file });
    expect(lines.join('')).toContain('result type is unknown until run');
    expect(existsSync(marker)).toBe(false);
    const [q] = await engine.execute('INSERT INTO out SELECT w, shout(w) FROM words;', { file });
    expect(existsSync(marker)).toBe(true);
    engine.input('words').push([{ w: 'hey' }, { w: null }]);
    await q!.processAllAvailable();
    expect(engine.output('out').rows()).toEqual([{ w: 'hey', s: 'HEY!' }, { w: null, s: null }]);
    // once imported, EXPLAIN shows the declared type's plan and no note
    expect(await engine.explain('INSERT INTO out SELECT w, shout(w) FROM words;', { file })).not.toContain('unknown until run');
    await engine.stop();
  });

  it('a missing module file is refused at CREATE FUNCTION without importing; a missing export when a query starts, at CREATE FUNCTION', async () => {
    const { dir, marker } = moduleDir();
    const file = path.join(dir, 'job.sql');
    const engine = new Engine({ clock: new ManualClock(0) });
    const missing = await engine.execute("CREATE FUNCTION f AS 'nowhere.mjs';", { file }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(WeirError);
    expect((missing as WeirError).message).toBe(`cannot load function module 'nowhere.mjs': no file ${path.join(dir, 'nowhere.mjs')}`);
    const sql = `CREATE TABLE words (w STRING) WITH ('connector' = 'memory');
CREATE TABLE out (w STRING, s STRING) WITH ('connector' = 'memory');
CREATE FUNCTION nope AS 'shout.mjs';
INSERT INTO out SELECT w, nope(w) FROM words;`;
    const err = await engine.execute(sql, { file }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeirError);
    expect((err as WeirError).message).toBe("module 'shout.mjs' exports no function 'nope' nor a default export");
    expect((err as WeirError).span).toMatchObject({ line: 3, column: 1 });
    expect(existsSync(marker)).toBe(true); // the INSERT did import it
    await engine.stop();
  });

  it('`weir explain` leaves no marker; `weir run` imports the module and runs the query', async () => {
    const { dir, marker } = moduleDir();
    const input = path.join(dir, 'in');
    writeJsonFiles(input, [[{ w: 'abc' }, { w: 'xyz' }]]);
    const sql = writeSql(dir, `
      CREATE TABLE words (w STRING) WITH ('connector' = 'filesystem', 'path' = 'in', 'format' = 'json');
      CREATE TABLE out (w STRING, s STRING) WITH ('connector' = 'filesystem', 'path' = 'out', 'format' = 'json');
      CREATE FUNCTION shout AS 'shout.mjs';
      INSERT INTO out SELECT w, shout(w) FROM words;`);
    const explained = await runCli(['explain', sql]);
    expect(explained.stderr).toBe('');
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain('shout(w#0)');
    expect(explained.stdout).toContain('result type is unknown until run');
    expect(existsSync(marker)).toBe(false);
    const ran = await runCli(['run', sql]);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(existsSync(marker)).toBe(true);
    expect(readSinkOutput(path.join(dir, 'out'))).toEqual([{ w: 'abc', s: 'ABC!' }, { w: 'xyz', s: 'XYZ!' }]);
  });

  it('`weir explain` as a process (bin/weir.js) leaves no marker either', async () => {
    const { dir, marker } = moduleDir();
    const sql = writeSql(dir, MEMORY_SCRIPT);
    const r = await spawnCli(['explain', sql]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('result type is unknown until run');
    expect(existsSync(marker)).toBe(false);
  });
});
