/**
 * Collections through `weir run` and `weir explain` (issue 11 item 6): JSON files with arrays and
 * objects, one file per trigger, unnested into a JSON filesystem sink; the committed rows equal
 * DuckDB's over the same rows, and EXPLAIN shows the Unnest operator.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSinkOutput, runCli, splitInto, tempDir, writeJsonFiles, writeSql } from '../support/cli.js';
import { expectSameRows, Oracle, seeded, type Row } from '../support/oracle.js';

const SEED = Number(process.env.COLL_CLI_SEED ?? Math.floor(Math.random() * 2 ** 31));

function generate(count: number, seed: number): Row[] {
  const r = seeded(seed);
  const words = ['red', 'grün', '青', ''];
  return Array.from({ length: count }, (_, id) => ({
    id,
    tags: r() < 0.15 ? null : Array.from({ length: Math.floor(r() * 4) }, () => (r() < 0.1 ? null : words[Math.floor(r() * words.length)]!)),
    attrs: r() < 0.2 ? null : Object.fromEntries(Array.from({ length: Math.floor(r() * 3) }, () => [words[Math.floor(r() * 3)]!, Math.floor(r() * 9)])),
  }));
}

const sql = (dir: string): string => `
CREATE TABLE orders (id INT, tags ARRAY<STRING>, attrs MAP<STRING, INT>) WITH (
  'connector' = 'filesystem', 'path' = '${dir}/in', 'format' = 'json', 'source.max-files-per-trigger' = '1');
CREATE TABLE out (id INT, tag STRING, pos INT, n INT, red INT) WITH ('connector' = 'filesystem', 'path' = '${dir}/out', 'format' = 'json');
INSERT INTO out SELECT id, tag, pos, CARDINALITY(tags), attrs['red'] FROM orders CROSS JOIN UNNEST(tags) WITH ORDINALITY AS u (tag, pos);
`;

describe('weir run and explain with collections', () => {
  it('unnests JSON arrays file by file into a JSON sink, as DuckDB does', async () => {
    console.log(`collections-cli.test.ts seed ${SEED} (replay with COLL_CLI_SEED=${SEED})`);
    const dir = tempDir('weir-coll-cli-');
    const rows = generate(120, SEED);
    writeJsonFiles(path.join(dir, 'in'), splitInto(rows, 4));
    const file = writeSql(dir, sql(dir));
    const r = await runCli(['run', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const oracle = await Oracle.create();
    try {
      const lit = (v: unknown): string => (v === null ? 'NULL' : typeof v === 'string' ? `'${v}'` : String(v));
      await oracle.connection.run('CREATE TABLE orders (id INTEGER, tags VARCHAR[], attrs MAP(VARCHAR, INTEGER))');
      await oracle.connection.run(`INSERT INTO orders VALUES ${rows.map((x) => {
        const tags = x.tags === null ? 'NULL' : `[${(x.tags as unknown[]).map(lit).join(', ')}]`;
        const attrs = x.attrs === null ? 'NULL' : `MAP {${Object.entries(x.attrs as Record<string, number>).map(([k, v]) => `${lit(k)}: ${v}`).join(', ')}}`;
        return `(${x.id as number}, CAST(${tags} AS VARCHAR[]), CAST(${attrs} AS MAP(VARCHAR, INTEGER)))`;
      }).join(', ')}`);
      const want = await oracle.query(`SELECT id, tags[i] AS tag, i AS pos, len(tags) AS n, attrs['red'] AS red
        FROM (SELECT *, generate_subscripts(tags, 1) AS i FROM orders)`);
      expect(want.length).toBeGreaterThan(50);
      expectSameRows(readSinkOutput(path.join(dir, 'out')), want);
    } finally {
      oracle.close();
    }
  });

  it('weir explain shows the Unnest operator and the collection expressions', async () => {
    const dir = tempDir('weir-coll-cli-');
    const r = await runCli(['explain', writeSql(dir, sql(dir))]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Unnest(inner, tags#1 WITH ORDINALITY, columns=[tag, pos])');
    expect(r.stdout).toContain("red=attrs#2['red']");
  });
});
