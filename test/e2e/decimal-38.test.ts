/**
 * DECIMAL beyond 18 digits (up to 38, DuckDB's and Flink's limit) end to end, against DuckDB over the
 * same rows: sums of DECIMAL(18, 2) values near 10^16 over many rows (DECIMAL(38, 2)), products of
 * DECIMAL(18, 2)s (DECIMAL(36, 4)), casts, comparisons, a group by a DECIMAL(38, 10) key, MIN/MAX and
 * a Top-N over 38-digit values; the overflow error past 38 digits; Parquet, JSON and CSV files of
 * 38-digit values read back by DuckDB, and those and Arrow IPC files by Weir.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { listCommittedFiles } from '../../src/connectors/filesystem/index.js';
import { expectSameRows, Oracle, seeded, weirColumns, type OracleColumn, type Row } from '../support/oracle.js';
import { removeTempDirs, tempDir } from '../support/recovery.js';
import { weirDecimalText } from '../support/oracle-values.js';

afterAll(removeTempDirs);

const INPUT: readonly OracleColumn[] = [
  { name: 'k', type: 'INT' },
  { name: 'a', type: 'DECIMAL(18,2)' },
  { name: 'b', type: 'DECIMAL(18,2)' },
  { name: 'g', type: 'DECIMAL(38,10)' },
];

/** Exact decimal text of unscaled / 10^scale. */
const text = (u: bigint, scale: number): string => {
  const neg = u < 0n, d = (neg ? -u : u).toString().padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${d.slice(0, -scale)}.${d.slice(-scale)}`;
};

/** Rows whose `a` is near ±10^16 (18 digits), `b` up to 10^16, `g` one of a few 38-digit keys. */
function generate(count: number, seed: number): Row[] {
  const r = seeded(seed);
  const digits = (n: number): bigint => { let s = ''; for (let i = 0; i < n; i++) s += String(Math.floor(r() * 10)); return BigInt(s); };
  const keys = [10n ** 37n * 9n + 1234567890123n, -(10n ** 37n) * 5n - 7n, 10n ** 27n + 1n, 3n];
  return Array.from({ length: count }, () => ({
    k: Math.floor(r() * 5),
    a: r() < 0.05 ? null : text((r() < 0.2 ? -1n : 1n) * (999999999999999999n - digits(12)), 2),
    b: text((r() < 0.5 ? -1n : 1n) * digits(1 + Math.floor(r() * 17)), 2),
    g: r() < 0.05 ? null : text(keys[Math.floor(r() * keys.length)]!, 10),
  }));
}

interface Case { readonly name: string; readonly columns: string; readonly select: string; readonly duck?: string }

const CASES: readonly Case[] = [
  {
    name: 'sums',
    columns: 'k INT, s DECIMAL(38, 2), mn DECIMAL(18, 2), mx DECIMAL(18, 2), c BIGINT',
    select: 'SELECT k, SUM(a) AS s, MIN(a) AS mn, MAX(a) AS mx, COUNT(*) AS c FROM t GROUP BY k',
  },
  {
    name: 'products',
    columns: 'k INT, p DECIMAL(36, 4), d DECIMAL(19, 2), wide DECIMAL(38, 10), txt STRING, big BOOLEAN, back DECIMAL(18, 2)',
    select: `SELECT k, a * b AS p, a - b AS d, CAST(a AS DECIMAL(38, 10)) AS wide, CAST(a * b AS STRING) AS txt,
      a * b > CAST('1000000000000000000000000000000' AS DECIMAL(38, 0)) AS big,
      CAST(a * b / b AS DECIMAL(18, 2)) AS back FROM t WHERE b <> 0`,
    // Weir types a * b as Flink does, DECIMAL(p1 + p2, s1 + s2) = DECIMAL(36, 4); DuckDB keeps the
    // wider operand's precision (DECIMAL(18, 4), which overflows here): the same exact value with a
    // as DECIMAL(38, 2) there. DuckDB divides decimals as doubles: a * b / b is a again, exactly, in Weir.
    duck: `SELECT k, CAST(a AS DECIMAL(38, 2)) * b AS p, CAST(a AS DECIMAL(38, 2)) - b AS d, CAST(a AS DECIMAL(38, 10)) AS wide,
      CAST(CAST(a AS DECIMAL(38, 2)) * b AS VARCHAR) AS txt,
      CAST(a AS DECIMAL(38, 2)) * b > CAST('1000000000000000000000000000000' AS DECIMAL(38, 0)) AS big,
      a AS back FROM t WHERE b <> 0`,
  },
  {
    name: 'keys',
    columns: 'g DECIMAL(38, 10), c BIGINT, s DECIMAL(38, 2), gmax DECIMAL(38, 10)',
    select: 'SELECT g, COUNT(*) AS c, SUM(a) AS s, MAX(g) AS gmax FROM t GROUP BY g',
  },
  {
    name: 'topn',
    columns: 'k INT, g DECIMAL(38, 10), a DECIMAL(18, 2), rn BIGINT',
    select: `SELECT k, g, a, rn FROM (SELECT k, g, a, ROW_NUMBER() OVER (PARTITION BY k ORDER BY g DESC, a DESC) AS rn FROM t WHERE g IS NOT NULL AND a IS NOT NULL) WHERE rn <= 2`,
  },
];

describe('DECIMAL up to 38 digits against DuckDB', () => {
  it('sums, products, casts, keys and Top-N equal DuckDB after many batches', async () => {
    const batches = Array.from({ length: 6 }, (_, i) => generate(400, 100 + i));
    const all = batches.flat();
    const oracle = await Oracle.create();
    const expected = new Map<string, Row[]>();
    try {
      await oracle.createTable('t', INPUT, all);
      for (const c of CASES) expected.set(c.name, await oracle.query(c.duck ?? c.select));
    } finally {
      oracle.close();
    }
    // the sums really are beyond int64 (more than 18 digits)
    expect(expected.get('sums')!.some((r) => String(r['s']).replace(/[-.]/g, '').length > 19)).toBe(true);
    const engine = new Engine({ clock: new ManualClock(0) });
    try {
      const queries = await engine.execute([
        `SET 'output-mode' = 'update';`,
        `CREATE TABLE t (${weirColumns(INPUT)}) WITH ('connector' = 'memory');`,
        `CREATE TABLE out_doubles (dbl DOUBLE, txt STRING) WITH ('connector' = 'memory');
         INSERT INTO out_doubles SELECT CAST(a * b AS DOUBLE), CAST(a * b AS STRING) FROM t;`,
        ...CASES.map((c) => `CREATE TABLE out_${c.name} (${c.columns}) WITH ('connector' = 'memory');
          INSERT INTO out_${c.name} ${c.select};`),
      ].join('\n'));
      for (const b of batches) {
        engine.input('t').push(b);
        for (const q of queries) await q.processAllAvailable();
      }
      for (const c of CASES) expectSameRows(engine.output(`out_${c.name}`).rows(), expected.get(c.name)!, c.name);
      // a DECIMAL as DOUBLE is the double nearest the exact value (DuckDB's is off by an ulp at times)
      const doubles = engine.output('out_doubles').rows();
      expect(doubles.length).toBeGreaterThan(2000);
      for (const r of doubles) expect(r['dbl'], String(r['txt'])).toBe(r['txt'] === null ? null : Number(r['txt']));
    } finally {
      await engine.stop();
    }
  });

  it('fails a result beyond 38 digits with the values and the expression, as DuckDB does', async () => {
    const oracle = await Oracle.create();
    let duckError = '';
    try {
      await oracle.query(`SELECT CAST('10000000000000000000' AS DECIMAL(38, 0)) * CAST('10000000000000000000' AS DECIMAL(38, 0))`);
    } catch (e) { duckError = (e as Error).message; } finally { oracle.close(); }
    expect(duckError).toMatch(/overflow/i);
    const engine = new Engine({ clock: new ManualClock(0) });
    try {
      const [q] = await engine.execute(`
        CREATE TABLE w (x DECIMAL(38, 0)) WITH ('connector' = 'memory');
        CREATE TABLE o (y DECIMAL(38, 0)) WITH ('connector' = 'memory');
        INSERT INTO o SELECT x * x FROM w;`);
      engine.input('w').push([{ x: '9999999999999999999' }, { x: '10000000000000000000' }]);
      await expect(q!.processAllAvailable()).rejects.toThrow(
        /DECIMAL overflow: 10000000000000000000 \* 10000000000000000000 = 100000000000000000000000000000000000000 is out of range for DECIMAL\(38, 0\)/);
    } finally {
      await engine.stop().catch(() => {});
    }
  });
});

type Format = 'parquet' | 'json' | 'csv' | 'arrow';

describe('aggregates of DECIMAL(38, 0)', () => {
  it('SUM, AVG and MIN are exact at 32 digits; a SUM past 38 digits fails naming the call and type', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    try {
      const [q] = await engine.execute(`
        CREATE TABLE w (k INT, x DECIMAL(38, 0)) WITH ('connector' = 'memory');
        CREATE TABLE o (k INT, s DECIMAL(38, 0), a DECIMAL(38, 6), mn DECIMAL(38, 0)) WITH ('connector' = 'memory');
        SET 'output-mode' = 'update';
        INSERT INTO o SELECT k, SUM(x), AVG(x), MIN(x) FROM w GROUP BY k;`);
      engine.input('w').push([
        { k: 1, x: '30000000000000000000000000000000' }, { k: 1, x: '10000000000000000000000000000001' }, { k: 2, x: -7 }, { k: 2, x: 2 },
      ]);
      await q!.processAllAvailable();
      expect(engine.output('o').rows().sort((x, y) => Number(x['k']) - Number(y['k']))).toEqual([
        { k: 1, s: '40000000000000000000000000000001', a: '20000000000000000000000000000000.500000', mn: '10000000000000000000000000000001' },
        { k: 2, s: -5, a: -2.5, mn: -7 },
      ]);
      engine.input('w').push([{ k: 3, x: '90000000000000000000000000000000000000' }, { k: 3, x: '90000000000000000000000000000000000000' }]);
      await expect(q!.processAllAvailable()).rejects.toThrow(/SUM\(x\) = 180000000000000000000000000000000000000 is out of range for DECIMAL\(38, 0\)/);
    } finally {
      await engine.stop().catch(() => {});
    }
  });
});

describe('DECIMAL(38) join keys and values', () => {
  it('joins on 38-digit keys that differ only in the last digit, carrying 38-digit values through join state', async () => {
    const K = '9999999999999999999999999999.999999999', engine = new Engine({ clock: new ManualClock(0) });
    try {
      const [q] = await engine.execute(`
        CREATE TABLE l (k DECIMAL(38, 9), v DECIMAL(38, 0)) WITH ('connector' = 'memory');
        CREATE TABLE r (k DECIMAL(38, 9), name STRING) WITH ('connector' = 'memory');
        CREATE TABLE o (name STRING, v DECIMAL(38, 0), k DECIMAL(38, 9)) WITH ('connector' = 'memory');
        INSERT INTO o SELECT r.name, l.v, l.k FROM l JOIN r ON l.k = r.k;`);
      engine.input('l').push([{ k: K, v: '-99999999999999999999999999999999999999' }, { k: K.slice(0, -1) + '8', v: 1 }]);
      await q!.processAllAvailable();
      engine.input('r').push([{ k: K, name: 'last' }, { k: K.slice(0, -1) + '7', name: 'none' }]);
      await q!.processAllAvailable();
      engine.input('l').push([{ k: K, v: '12345678901234567890123456789' }]);
      await q!.processAllAvailable();
      const rows = engine.output('o').rows().map((x) => ({ ...x, v: String(x['v']) }));
      expect(rows.sort((x, y) => (String(x.v) < String(y.v) ? -1 : 1))).toEqual([
        { name: 'last', v: '-99999999999999999999999999999999999999', k: K },
        { name: 'last', v: '12345678901234567890123456789', k: K },
      ]);
    } finally {
      await engine.stop();
    }
  });
});

describe('files of 38-digit DECIMALs', () => {
  const VALUES = ['9999999999999999999999999999.9999999999', '-1234567890123456789012345678.0123456789', '0.0000000001', null];

  async function writeFiles(format: Format): Promise<string> {
    const dir = tempDir(`decimal-38-${format}-`);
    const engine = new Engine({ clock: new ManualClock(0) });
    try {
      const [q] = await engine.execute(`
        CREATE TABLE src (i INT, d DECIMAL(38, 10)) WITH ('connector' = 'memory');
        CREATE TABLE f (i INT, d DECIMAL(38, 10), dd DECIMAL(38, 10)) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = '${format}');
        INSERT INTO f SELECT i, d, d - 1 FROM src;`);
      engine.input('src').push(VALUES.map((d, i) => ({ i, d })));
      await q!.processAllAvailable();
    } finally {
      await engine.stop();
    }
    expect(listCommittedFiles(dir)).toHaveLength(1);
    return dir;
  }

  const expectedRows = VALUES.map((d, i) => (d === null ? { i, d: null, dd: null } : { i, d, dd: text(BigInt(d.replace('.', '')) - 10n ** 10n, 10) }));

  for (const format of ['parquet', 'json', 'csv', 'arrow'] as const) {
    it(`${format}: ${format === 'arrow' ? '' : 'DuckDB reads back the exact values, and '}so does Weir`, async () => {
      const dir = await writeFiles(format);
      // DuckDB's JSON reader parses numbers as doubles (38 digits come back as 1e28): the lines' number
      // texts, cut out with a regular expression, are cast to DECIMAL(38, 10) by DuckDB instead
      const field = (name: string): string => `CAST(NULLIF(regexp_extract(line, '"${name}":(-?[0-9.eE+-]+)', 1), '') AS DECIMAL(38, 10))`;
      const read = format === 'parquet' ? `read_parquet('${dir}/part-*.parquet')`
        : format === 'csv' ? `read_csv('${dir}/part-*.csv', header = false, columns = {i: 'INTEGER', d: 'DECIMAL(38,10)', dd: 'DECIMAL(38,10)'})`
        : `(SELECT CAST(regexp_extract(line, '"i":([0-9]+)', 1) AS INTEGER) AS i, ${field('d')} AS d, ${field('dd')} AS dd
            FROM (SELECT unnest(string_split(trim(content, chr(10)), chr(10))) AS line FROM read_text('${dir}/part-*.json')))`;
      // (DuckDB reads Arrow IPC files only through an extension it would download)
      if (format !== 'arrow') {
        const oracle = await Oracle.create();
        try {
          const got = await oracle.query(`SELECT i, CAST(d AS VARCHAR) AS d, CAST(dd AS VARCHAR) AS dd, typeof(d) AS td FROM ${read} ORDER BY i`);
          expect(got).toEqual(expectedRows.map((r) => ({ ...r, td: 'DECIMAL(38,10)' })));
        } finally {
          oracle.close();
        }
      }
      const engine = new Engine({ clock: new ManualClock(0) });
      try {
        const [q] = await engine.execute(`
          CREATE TABLE f (i INT, d DECIMAL(38, 10), dd DECIMAL(38, 10)) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = '${format}');
          CREATE TABLE o (i INT, d DECIMAL(38, 10), dd DECIMAL(38, 10)) WITH ('connector' = 'memory');
          INSERT INTO o SELECT * FROM f;`);
        await q!.processAllAvailable();
        const rows = engine.output('o').rows().map((r) => ({ i: r['i'], d: weirDecimalText(r['d'], 10), dd: weirDecimalText(r['dd'], 10) }));
        rows.sort((x, y) => Number(x.i) - Number(y.i));
        expect(rows).toEqual(expectedRows);
      } finally {
        await engine.stop();
      }
    });
  }
});
