/**
 * Aggregations over many micro-batches against DuckDB: COUNT, COUNT(*), COUNT(DISTINCT), SUM, AVG,
 * MIN, MAX with FILTER (WHERE ...), GROUP BY with NULL keys, HAVING (groups that enter and leave the
 * result), a global aggregate. Through the CLI (one JSON file per trigger into a filesystem sink) in
 * complete mode (the directory holds exactly the latest result) and update mode (the last row per key
 * is the result), and through the API (memory source and sink, one push per batch).
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { lastRowPerKey, readSinkOutput, runCli, splitInto, tempDir, writeJsonFiles, writeSql, type CliResult } from '../support/cli.js';
import { expectSameRows, Oracle, seeded, weirColumns, type OracleColumn, type Row } from '../support/oracle.js';

const INPUT: readonly OracleColumn[] = [
  { name: 'k', type: 'STRING' },
  { name: 'g', type: 'INT' },
  { name: 'v', type: 'INT' },
  { name: 'x', type: 'DOUBLE' },
  { name: 'flag', type: 'BOOLEAN' },
];

function generate(count: number, seed: number): Row[] {
  const r = seeded(seed);
  const maybe = <T>(p: number, v: () => T): T | null => (r() < p ? null : v());
  const keys = ['red', 'green', 'blue', 'cyan', 'Red'];
  return Array.from({ length: count }, () => ({
    k: maybe(0.1, () => keys[Math.floor(r() * keys.length)]!),
    g: maybe(0.1, () => Math.floor(r() * 6)),
    v: maybe(0.15, () => Math.floor(r() * 41) - 15),
    x: maybe(0.15, () => Math.round((r() * 200 - 100) * 100) / 100),
    flag: maybe(0.2, () => r() < 0.5),
  }));
}

interface Case {
  readonly name: string;
  readonly columns: string;
  /** the result's key columns (the last row per key is the update-mode result) */
  readonly keys: readonly string[];
  readonly select: string;
}

const CASES: readonly Case[] = [
  {
    name: 'grouped',
    columns: 'k STRING, cv BIGINT, c BIGINT, dg BIGINT, sv BIGINT, av DOUBLE, mn DOUBLE, mx DOUBLE, sf BIGINT, cf BIGINT',
    keys: ['k'],
    select: `SELECT k, COUNT(v) AS cv, COUNT(*) AS c, COUNT(DISTINCT g) AS dg, SUM(v) AS sv, AVG(v) AS av, MIN(x) AS mn, MAX(x) AS mx,
        SUM(v) FILTER (WHERE flag) AS sf, COUNT(*) FILTER (WHERE v > 0) AS cf
      FROM t GROUP BY k`,
  },
  {
    // SUM(v) goes up and down (v may be negative), so groups enter and leave the result
    name: 'having',
    columns: 'k STRING, g INT, sv BIGINT, c BIGINT',
    keys: ['k', 'g'],
    select: `SELECT k, g, SUM(v) AS sv, COUNT(*) AS c FROM t GROUP BY k, g HAVING SUM(v) > 20 AND COUNT(*) >= 3`,
  },
  {
    name: 'global',
    columns: 'c BIGINT, sx DOUBLE, ax DOUBLE, mn INT, mx INT, dk BIGINT, cf BIGINT',
    keys: [],
    select: `SELECT COUNT(*) AS c, SUM(x) AS sx, AVG(x) AS ax, MIN(v) AS mn, MAX(v) AS mx, COUNT(DISTINCT k) AS dk,
        COUNT(x) FILTER (WHERE k IS NULL OR g IN (1, 2)) AS cf
      FROM t`,
  },
  {
    name: 'expr_key',
    columns: 'm INT, c BIGINT, mk STRING, mnk STRING, ax DOUBLE',
    keys: ['m'],
    select: `SELECT MOD(v, 5) AS m, COUNT(*) AS c, MAX(k) AS mk, MIN(k) AS mnk, AVG(x) FILTER (WHERE x > 0) AS ax
      FROM t WHERE g IS NOT NULL GROUP BY MOD(v, 5)`,
  },
];

const rows = generate(800, 7);
const FILES = 20;
const batches = splitInto(rows, FILES);

const script = (dir: string): string => [
  `CREATE TABLE t (${weirColumns(INPUT)}) WITH ('connector' = 'filesystem', 'path' = '${dir}/in', 'format' = 'json',
     'source.max-files-per-trigger' = '1');`,
  ...CASES.map((c) => `CREATE TABLE out_${c.name} (${c.columns}) WITH ('connector' = 'filesystem', 'path' = '${dir}/out_${c.name}', 'format' = 'json');
INSERT INTO out_${c.name} ${c.select};`),
].join('\n');

const manifests = (dir: string): number => readdirSync(path.join(dir, '_manifest')).filter((n) => /^\d+$/.test(n)).length;

let oracle: Oracle;
const expected = new Map<string, Row[]>();

beforeAll(async () => {
  oracle = await Oracle.create();
  await oracle.createTable('t', INPUT, rows);
  for (const c of CASES) expected.set(c.name, await oracle.query(c.select));
  return () => oracle.close();
});

describe.each(['complete', 'update'] as const)('aggregates through the CLI in %s mode, one input file per trigger', (mode) => {
  let dir = '';
  let run: CliResult;

  beforeAll(async () => {
    dir = tempDir();
    writeJsonFiles(path.join(dir, 'in'), batches);
    run = await runCli(['run', writeSql(dir, script(dir)), '--output-mode', mode]);
  });

  it('runs to the end', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  for (const c of CASES) {
    it(c.name, () => {
      const out = path.join(dir, `out_${c.name}`);
      const written = readSinkOutput(out);
      if (mode === 'complete') {
        // each batch replaced the previous result: exactly one committed result is left
        expect(manifests(out)).toBe(1);
        expectSameRows(written, expected.get(c.name)!, c.name);
      } else {
        // every batch committed its changed rows
        expect(manifests(out)).toBeGreaterThanOrEqual(FILES);
        expect(written.length, 'update mode writes more rows than the result has').toBeGreaterThan(expected.get(c.name)!.length);
        expectSameRows(lastRowPerKey(written, c.keys).map(({ _op, ...r }) => r), expected.get(c.name)!, c.name);
      }
    });
  }
});

describe.each(['complete', 'update'] as const)('aggregates through the API in %s mode, one push per batch', (mode) => {
  it('every query equals DuckDB after every batch is processed', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    try {
      const queries = await engine.execute([
        `SET 'output-mode' = '${mode}';`,
        `CREATE TABLE t (${weirColumns(INPUT)}) WITH ('connector' = 'memory');`,
        ...CASES.map((c) => `CREATE TABLE out_${c.name} (${c.columns}) WITH ('connector' = 'memory');
          INSERT INTO out_${c.name} ${c.select};`),
      ].join('\n'));
      expect(queries).toHaveLength(CASES.length);
      for (const b of batches) {
        engine.input('t').push(b);
        for (const q of queries) await q.processAllAvailable();
      }
      for (const [i, c] of CASES.entries()) {
        expect(queries[i]!.lastProgress?.batchId).toBe(FILES - 1);
        expectSameRows(engine.output(`out_${c.name}`).rows(), expected.get(c.name)!, c.name);
      }
    } finally {
      await engine.stop();
    }
  });
});
