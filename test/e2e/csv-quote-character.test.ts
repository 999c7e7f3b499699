/**
 * CSV with another quote character (`'csv.quote-character' = ''''`) against DuckDB, both ways: a
 * quote inside quotes is doubled (`'it''s'`), as Flink's CSV format and Python's csv module write and
 * read it (DuckDB escapes with '"' for any quote unless told `ESCAPE ''''`, as here). Weir's files
 * read by DuckDB give the rows written; DuckDB's files (every cell quoted) read by Weir, whole and a
 * few bytes a batch (a file cut into parts at record boundaries), give DuckDB's rows. Values hold the quote, '"', the delimiter,
 * line breaks, unicode and the empty string beside NULL.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { listCommittedFiles } from '../../src/connectors/filesystem/index.js';
import { Oracle, seeded, type Row } from '../support/oracle.js';
import { removeTempDirs, tempDir } from '../support/recovery.js';
import { propertySeed } from '../support/property.js';

afterAll(removeTempDirs);

const PIECES = ["'", "''", '"', '""', ';', '\n', 'é', '日本', '😀', ' ', 'x', 'it', 'a\r\nb'];
const OPTIONS = `'format' = 'csv', 'csv.quote-character' = '''', 'csv.field-delimiter' = ';'`;

/** rows (id, s, t): strings glued from the pieces above, some empty, some NULL */
function generate(count: number, seed: number): Row[] {
  const r = seeded(seed);
  const str = (): string | null => {
    if (r() < 0.1) return null;
    if (r() < 0.1) return '';
    let s = '';
    for (let n = Math.floor(r() * 5); n >= 0; n--) s += PIECES[Math.floor(r() * PIECES.length)];
    return s;
  };
  return Array.from({ length: count }, (_, id) => ({ id, s: str(), t: str() }));
}

async function weirReads(dir: string, more = ''): Promise<Row[]> {
  const engine = new Engine({ clock: new ManualClock(0) });
  try {
    const [q] = await engine.execute(`
      CREATE TABLE f (id INT, s STRING, t STRING) WITH ('connector' = 'filesystem', 'path' = '${dir}', ${OPTIONS}${more});
      CREATE TABLE o (id INT, s STRING, t STRING) WITH ('connector' = 'memory');
      INSERT INTO o SELECT * FROM f;`);
    await q!.processAllAvailable();
    return engine.output('o').rows().map((r) => ({ id: r['id'], s: r['s'], t: r['t'] })).sort((a, b) => (a.id as number) - (b.id as number));
  } finally {
    await engine.stop();
  }
}

describe("CSV quoted with ''''", () => {
  const seed = propertySeed();
  const rows = generate(300, seed);

  it(`Weir's files read by DuckDB give the rows written (seed ${seed})`, async () => {
    const dir = tempDir('weir-csv-quote-');
    const engine = new Engine({ clock: new ManualClock(0) });
    try {
      const [q] = await engine.execute(`
        CREATE TABLE src (id INT, s STRING, t STRING) WITH ('connector' = 'memory');
        CREATE TABLE f (id INT, s STRING, t STRING) WITH ('connector' = 'filesystem', 'path' = '${dir}', ${OPTIONS});
        INSERT INTO f SELECT * FROM src;`);
      engine.input('src').push(rows);
      await q!.processAllAvailable();
    } finally {
      await engine.stop();
    }
    const files = listCommittedFiles(dir);
    expect(files).toHaveLength(1);
    const file = path.join(dir, files[0]!);
    expect(fs.readFileSync(file, 'utf8')).toContain("''");
    const oracle = await Oracle.create();
    try {
      const got = await oracle.query(`SELECT id, s, t FROM read_csv('${file}', header = false, delim = ';', quote = '''', escape = '''', auto_detect = false, new_line = '\\n',
        columns = {id: 'INTEGER', s: 'VARCHAR', t: 'VARCHAR'}) ORDER BY id`);
      // DuckDB reads an unquoted empty field and a quoted empty one ('') both as NULL: compare those as NULL
      const asDuck = rows.map((r) => ({ id: r.id, s: r.s === '' ? null : r.s, t: r.t === '' ? null : r.t }));
      expect(got).toEqual(asDuck);
    } finally {
      oracle.close();
    }
    expect(await weirReads(dir)).toEqual(rows);
  });

  it(`DuckDB's files read by Weir give DuckDB's rows, whole and cut into parts (seed ${seed})`, async () => {
    const dir = tempDir('weir-csv-quote-duck-');
    const oracle = await Oracle.create();
    let want: Row[];
    try {
      await oracle.query('CREATE TABLE r (id INTEGER, s VARCHAR, t VARCHAR)');
      const lit = (v: unknown): string => (v === null ? 'NULL' : `'${String(v).replaceAll("'", "''")}'`);
      await oracle.query(`INSERT INTO r VALUES ${rows.map((r) => `(${r.id}, ${lit(r.s)}, ${lit(r.t)})`).join(', ')}`);
      await oracle.query(`COPY r TO '${path.join(dir, 'duck.csv')}' (HEADER false, DELIMITER ';', QUOTE '''', ESCAPE '''', FORCE_QUOTE *)`);
      want = await oracle.query('SELECT id, s, t FROM r ORDER BY id');
    } finally {
      oracle.close();
    }
    const text = fs.readFileSync(path.join(dir, 'duck.csv'), 'utf8');
    expect(text).toContain("''");
    // FORCE_QUOTE writes '' for the empty string and nothing for NULL, as Weir reads them
    expect(await weirReads(dir)).toEqual(want);
    expect(await weirReads(dir, ", 'source.max-bytes-per-trigger' = '100'")).toEqual(want);
  });
});
