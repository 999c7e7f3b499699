/**
 * Stateless queries through the CLI against DuckDB: seeded rows with NULLs in every column, written
 * as JSON files read one per trigger, each query an INSERT INTO a JSON filesystem sink; the committed
 * output must equal DuckDB's answer to the same SELECT over all rows as one batch (as multisets).
 *
 * All queries run in one script (one CLI run, one query each), so the start-up is paid once.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSinkOutput, runCli, tempDir, writeJsonFiles, writeSql, type CliResult } from '../support/cli.js';
import { expectSameRows, Oracle, seeded, weirColumns, type OracleColumn, type Row } from '../support/oracle.js';

const INPUT: readonly OracleColumn[] = [
  { name: 'id', type: 'INT' },
  { name: 'a', type: 'INT' },
  { name: 'b', type: 'BIGINT' },
  { name: 'x', type: 'DOUBLE' },
  { name: 's', type: 'STRING' },
  { name: 'flag', type: 'BOOLEAN' },
  { name: 'n', type: 'STRING' },
  { name: 'ts', type: 'TIMESTAMP(3)' },
];

const WORDS = ['ann', 'Bob', ' carl ', 'dora', 'eve', 'Ann', '', 'bob_1', 'x%y', 'donna', 'ebo'];
const NUMBERS = ['12', '-3', ' 7', '0', 'abc', '2147483647', '+5'];
const BASE = Date.UTC(2026, 0, 1);

function generate(count: number, seed: number): Row[] {
  const r = seeded(seed);
  const maybe = <T>(p: number, v: () => T): T | null => (r() < p ? null : v());
  const rows: Row[] = [];
  for (let id = 0; id < count; id++) {
    rows.push({
      id,
      a: maybe(0.15, () => Math.floor(r() * 41) - 20),
      b: maybe(0.15, () => Math.floor(r() * 1e12) - 5e11),
      x: maybe(0.15, () => (Math.floor(r() * 321) - 160) / 4),
      s: maybe(0.15, () => WORDS[Math.floor(r() * WORDS.length)]!),
      flag: maybe(0.2, () => r() < 0.5),
      n: maybe(0.1, () => NUMBERS[Math.floor(r() * NUMBERS.length)]!),
      ts: maybe(0.1, () => BASE + Math.floor(r() * 2 * 86_400_000)),
    });
  }
  return rows;
}

/** JSON as a user writes it: timestamps as ISO-8601 strings, as 'YYYY-MM-DD HH:MM:SS.fff', or as epoch ms. */
function toJson(row: Row): Row {
  if (typeof row.ts !== 'number') return row;
  const iso = new Date(row.ts).toISOString();
  const ts = (row.id as number) % 3 === 0 ? iso : (row.id as number) % 3 === 1 ? iso.replace('T', ' ').replace('Z', '') : row.ts;
  return { ...row, ts };
}

interface Case {
  readonly name: string;
  readonly columns: string;
  readonly select: string;
}

// Each SELECT runs unchanged in Weir and in DuckDB.
const CASES: readonly Case[] = [
  {
    name: 'case',
    columns: 'id INT, cls STRING, simple STRING, fx DOUBLE',
    select: `SELECT id,
        CASE WHEN a IS NULL THEN 'none' WHEN a < 0 THEN 'neg' WHEN a BETWEEN 0 AND 10 THEN 'small' ELSE 'big' END AS cls,
        CASE a WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'other' END AS simple,
        CASE WHEN flag THEN x END AS fx
      FROM t`,
  },
  {
    name: 'in_filter',
    columns: 'id INT, a INT, s STRING',
    select: `SELECT id, a, s FROM t WHERE a IN (1, 3, 5, 7, -2) OR s NOT IN ('ann', 'Bob', 'eve')`,
  },
  {
    name: 'in_project',
    columns: 'id INT, in1 BOOLEAN, nin BOOLEAN, in_null BOOLEAN, nin_null BOOLEAN',
    select: `SELECT id, a IN (1, 2, 3) AS in1, a NOT IN (4, 5) AS nin, s IN ('ann', NULL) AS in_null, a NOT IN (1, NULL) AS nin_null FROM t`,
  },
  {
    name: 'between',
    columns: 'id INT, x DOUBLE, a INT',
    select: `SELECT id, x, a FROM t WHERE x BETWEEN -5 AND 5.5 AND a NOT BETWEEN 2 AND 4`,
  },
  {
    name: 'nulls',
    columns: 'id INT, ab BIGINT, c BIGINT, nz INT, an BOOLEAN, sn BOOLEAN, andv BOOLEAN, orv BOOLEAN, nf BOOLEAN, eq BOOLEAN, ne BOOLEAN',
    select: `SELECT id, a + b AS ab, COALESCE(a, b, -1) AS c, NULLIF(a, 0) AS nz, a IS NULL AS an, s IS NOT NULL AS sn,
        flag AND a > 0 AS andv, flag OR a > 0 AS orv, NOT flag AS nf, a = b AS eq, a <> 3 AS ne
      FROM t`,
  },
  {
    name: 'null_filter',
    columns: 'id INT, s STRING',
    select: `SELECT id, s FROM t WHERE a IS NULL OR (flag IS NOT NULL AND NOT flag)`,
  },
  {
    name: 'strings',
    columns: 'id INT, up STRING, lo STRING, tr STRING, len INT, sub STRING, bang STRING, rep STRING, l1 BOOLEAN, l2 BOOLEAN, l3 BOOLEAN',
    select: `SELECT id, UPPER(s) AS up, LOWER(s) AS lo, TRIM(s) AS tr, CHAR_LENGTH(s) AS len, SUBSTRING(s FROM 2 FOR 3) AS sub,
        s || '!' AS bang, REPLACE(s, 'b', 'B') AS rep, s LIKE 'a%' AS l1, s LIKE '%o_' AS l2, s NOT LIKE '%n%' AS l3
      FROM t`,
  },
  {
    name: 'arithmetic',
    columns: 'id INT, e1 BIGINT, e2 DOUBLE, e3 DOUBLE, e4 INT, e5 INT, e6 DOUBLE, e7 DOUBLE, e8 DOUBLE, e9 INT, e10 BIGINT, e11 DOUBLE',
    select: `SELECT id, a * 2 + b AS e1, x / 2 AS e2, a / 4 AS e3, MOD(a, 3) AS e4, ABS(a) AS e5, FLOOR(x) AS e6, CEIL(x) AS e7,
        ROUND(x, 1) AS e8, -a AS e9, b - a * 1000 AS e10, x * a AS e11
      FROM t WHERE a <> 0`,
  },
  {
    name: 'cast',
    columns: 'id INT, c1 DOUBLE, c2 STRING, c3 BIGINT, c4 INT, c5 INT, c6 DECIMAL(10, 2), c7 STRING, c8 STRING',
    select: `SELECT id, CAST(a AS DOUBLE) AS c1, CAST(a AS STRING) AS c2, CAST(a AS BIGINT) AS c3, TRY_CAST(n AS INT) AS c4,
        CAST(CAST(a AS STRING) AS INT) AS c5, CAST(x / 3 AS DECIMAL(10, 2)) AS c6, IF(a > 0, 'p', 'n') AS c7,
        CONCAT_WS('-', s, CAST(a AS STRING)) AS c8
      FROM t`,
  },
  {
    name: 'time',
    columns: 'id INT, h BIGINT, ts2 TIMESTAMP(3), ts3 TIMESTAMP(3)',
    select: `SELECT id, EXTRACT(HOUR FROM ts) AS h, ts + INTERVAL '1' HOUR AS ts2, ts - INTERVAL '30' MINUTE AS ts3
      FROM t WHERE ts > TIMESTAMP '2026-01-01 12:00:00'`,
  },
];

describe('stateless queries through the CLI equal DuckDB over the same rows', () => {
  const rows = generate(600, 42);
  const files = 12;
  let dir = '';
  let run: CliResult;
  let oracle: Oracle;

  beforeAll(async () => {
    dir = tempDir();
    const batches = Array.from({ length: files }, (_, i) => rows.slice((i * rows.length) / files, ((i + 1) * rows.length) / files).map(toJson));
    writeJsonFiles(path.join(dir, 'in'), batches);
    const sql = [
      `CREATE TABLE t (${weirColumns(INPUT)}) WITH ('connector' = 'filesystem', 'path' = '${dir}/in', 'format' = 'json',
         'source.max-files-per-trigger' = '1');`,
      ...CASES.map((c) => `CREATE TABLE out_${c.name} (${c.columns}) WITH ('connector' = 'filesystem', 'path' = '${dir}/out_${c.name}', 'format' = 'json');
INSERT INTO out_${c.name} ${c.select};`),
    ].join('\n');
    run = await runCli(['run', writeSql(dir, sql)]);
    oracle = await Oracle.create();
    await oracle.createTable('t', INPUT, rows);
    return () => oracle.close();
  });

  it('the run succeeds, one micro-batch per input file', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // every part file lists its batch id; a query over 12 files, one per trigger, commits at least 12 batches
    expect(readdirCount(path.join(dir, 'out_case', '_manifest'))).toBeGreaterThanOrEqual(files);
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const expected = await oracle.query(c.select);
      expect(expected.length, 'the oracle answers something').toBeGreaterThan(0);
      expectSameRows(readSinkOutput(path.join(dir, `out_${c.name}`)), expected, c.name);
    });
  }
});

function readdirCount(p: string): number {
  return readdirSync(p).filter((n) => /^\d+$/.test(n)).length;
}
