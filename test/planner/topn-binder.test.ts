/** Binding Top-N: the bounds each WHERE form gives, views, the upsert key, and the README's examples. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScript } from '../../src/parser/parse.js';
import { REPO_ROOT } from '../support/cli.js';
import { catalogOf, explainAll, nexmark, optimized, streaming } from './helpers.js';

const DDL = `CREATE TABLE t (k VARCHAR, g INT, v INT, ts TIMESTAMP(3)) WITH ('connector' = 'memory');
CREATE VIEW ranked AS SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM t;`;
const topN = (where: string, select = '*'): string => {
  const line = optimized(`SELECT ${select} FROM ranked WHERE ${where}`, catalogOf(DDL)).split('\n').find((l) => l.includes('TopN('));
  return line!.trim();
};

describe('the bounds of a Top-N', () => {
  it.each([
    ['rn <= 3', 'rows<=3'],
    ['rn < 3', 'rows<=2'],
    ['3 >= rn', 'rows<=3'],
    ['3 > rn', 'rows<=2'],
    ['rn = 1', 'rows<=1'],
    ['rn = 3', 'rows=3..3'],
    ['rn BETWEEN 2 AND 4', 'rows=2..4'],
    ['rn >= 2 AND rn <= 5 AND rn < 4', 'rows=2..3'],
    ['rn > 1 AND 5 >= rn', 'rows=2..5'],
    ['rn <= 2 + 3', 'rows<=5'],
    ['rn < 2.5', 'rows<=2'],
  ])('WHERE %s keeps %s', (where, rows) => {
    expect(topN(where)).toBe(`TopN(partition=[k#0], order=[v#2 DESC], rows${rows.slice(4)}, rank=output)`);
  });

  it('hides the rank when nothing above reads it', () => {
    expect(topN('rn <= 3', 'k, v')).toBe('TopN(partition=[k#0], order=[v#1 DESC], rows<=3, rank=hidden)');
  });

  it('finds the row number through projections and filters of subqueries around the ROW_NUMBER', () => {
    const sql = `SELECT k FROM (SELECT k, v, rn AS n FROM (SELECT * FROM ranked WHERE g > 0)) WHERE n <= 2`;
    expect(optimized(sql, catalogOf(DDL))).toMatch(/TopN\(partition=\[k#0\], order=\[v#\d DESC\], rows<=2, rank=hidden\)/);
  });
});

describe('the upsert key of a Top-N result', () => {
  const keys = (sql: string): string[] => {
    const p = streaming(sql, catalogOf(DDL));
    return p.keyColumns.map((i) => p.root.schema.columns[i]!.name);
  };
  it('is the partition keys and the rank when the rank is output', () => {
    expect(keys('SELECT k, v, rn FROM ranked WHERE rn <= 3')).toEqual(['k', 'rn']);
  });
  it('is the partition keys for one row per partition without the rank', () => {
    expect(keys('SELECT k, v FROM ranked WHERE rn = 1')).toEqual(['k']);
  });
  it('is none (a multiset) for several rows per partition without the rank, or a computed partition key', () => {
    expect(keys('SELECT k, v FROM ranked WHERE rn <= 3')).toEqual([]);
    expect(keys(`SELECT v, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k || 'x' ORDER BY v) AS rn FROM t) WHERE rn <= 3`)).toEqual([]);
  });
});

describe("the README's Top-N examples", () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Top-N and deduplication\n'));
  const sql = /```sql\n([\s\S]*?)```/.exec(section)![1]!;

  it('plan over the Nexmark tables as Top-Ns in update mode', () => {
    const catalog = nexmark();
    const statements = parseScript(sql).statements;
    expect(statements).toHaveLength(2);
    for (const s of statements) {
      if (s.kind !== 'query') throw new Error('a query');
      const text = explainAll(sql.slice(s.span.offset, s.span.offset + (s.span.length ?? sql.length)), catalog);
      expect(text).toMatch(/output mode: update/);
      expect(text).toMatch(/TopN\(/);
    }
  });
});
