/**
 * Deep nesting and long chains, end to end (src/parser/nesting.ts, cst-operators.ts,
 * planner/binder/expansion-limits.ts): every kind of nesting at its limit parses, binds, plans and
 * runs to the right answer; one level more is a positioned user error, never a stack overflow.
 */
import { describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { MAX_BRACKET_NESTING, MAX_TREE_DEPTH } from '../../src/parser/nesting.js';
import { MAX_EXPANSION_NESTING } from '../../src/planner/binder/expansion-limits.js';

const DDL = `CREATE TABLE t (a INT, s STRING) WITH ('connector' = 'memory');\n`;
const ROWS = [{ a: 1, s: 'x' }, { a: 2, s: 'y' }, { a: 3, s: 'z' }];

/** The rows `select` gives over ROWS, run as a streaming query into a memory sink. */
async function runSelect(columns: string, select: string): Promise<Record<string, unknown>[]> {
  const engine = new Engine({ clock: new ManualClock(0) });
  try {
    const [q] = await engine.execute(`${DDL}CREATE TABLE out (${columns}) WITH ('connector' = 'memory');\nINSERT INTO out ${select};`);
    engine.input('t').push(ROWS);
    await q!.processAllAvailable();
    return engine.output('out').rows();
  } finally {
    await engine.stop();
  }
}

async function explainError(sql: string): Promise<WeirError> {
  try {
    await new Engine().explain(DDL + sql);
  } catch (e) {
    if (e instanceof WeirError) return e;
    throw e;
  }
  throw new Error('expected a WeirError');
}

const nest = (k: number, open: string, mid: string, close: string): string => open.repeat(k) + mid + close.repeat(k);
const chain = (k: number, term: string, op: string): string => new Array<string>(k).fill(term).join(` ${op} `);
const sorted = (rows: Record<string, unknown>[]): Record<string, unknown>[] => [...rows].sort((x, y) => String(Object.values(x)).localeCompare(String(Object.values(y))));

describe('nesting at the limit runs', () => {
  const L = MAX_BRACKET_NESTING;

  it(`a ROW type nested ${L - 1} deep (in the table's parentheses)`, async () => {
    const text = await new Engine().explain(`CREATE TABLE x (c ${nest(L - 1, 'ROW<f ', 'INT', '>')}) WITH ('connector' = 'memory');\nSELECT c${'.f'.repeat(L - 1)} FROM x;`);
    expect(text).toContain('Scan(x');
  });

  it(`${L} nested parentheses, function calls, CASEs and NOTs around arithmetic`, async () => {
    const rows = await runSelect('p INT, f INT, c INT, n INT', `SELECT ${nest(L, '(', 'a + 1', ')')}, ${nest(L, 'ABS(', '-a', ')')}, ` +
      `${nest(L / 2, 'CASE WHEN a > 0 THEN ', 'a', ' END')}, ${nest(L / 2, '-(', 'a', ')')} FROM t`);
    expect(sorted(rows)).toEqual([{ p: 2, f: 1, c: 1, n: 1 }, { p: 3, f: 2, c: 2, n: 2 }, { p: 4, f: 3, c: 3, n: 3 }]);
  });

  it(`${L - 1} nested FROM subqueries, each with a filter`, async () => {
    const rows = await runSelect('a INT', nest(L - 1, 'SELECT a FROM (', 'SELECT a FROM t', ') WHERE a > 1'));
    expect(sorted(rows)).toEqual([{ a: 2 }, { a: 3 }]);
  });

  it(`a + chain of ${MAX_TREE_DEPTH - 10} terms and ${MAX_TREE_DEPTH - 10} NOTs`, async () => {
    const k = MAX_TREE_DEPTH - 10;
    const rows = await runSelect('v INT', `SELECT ${chain(k, 'a', '+')} FROM t WHERE ${'NOT '.repeat(k)} a = 2`);
    expect(rows).toEqual([{ v: 2 * k }]); // an even number of NOTs keeps a = 2
  });

  it('2,000-term AND, OR and || chains run; 20,000-term ones plan', { timeout: 60_000 }, async () => {
    const n = 2000;
    const rows = await runSelect('s STRING', `SELECT ${chain(n, 's', '||')} FROM t WHERE (${chain(n, 'a > 0', 'AND')}) AND (${chain(n, 'a = 2', 'OR')})`);
    expect(rows).toEqual([{ s: 'y'.repeat(n) }]);
    const big = 20_000;
    const text = await new Engine().explain(`${DDL}SELECT ${chain(big, 's', '||')} FROM t WHERE ${chain(big, 'a > 0', 'AND')} OR a = 2;`);
    expect(text).toContain('Filter(');
  });
});

describe('one level past a limit is a positioned PARSE or BIND error', () => {
  const L = MAX_BRACKET_NESTING;

  it.each([
    ['parentheses', `SELECT ${nest(L + 1, '(', 'a', ')')} FROM t;`, 8 + L],
    ['function calls', `SELECT ${nest(L + 1, 'ABS(', 'a', ')')} FROM t;`, 8 + 4 * L + 3],
    ['FROM subqueries', `${nest(L + 1, 'SELECT a FROM (', 'SELECT a FROM t', ')')};`, 15 * L + 15],
    ['CASE', `SELECT ${nest(L + 1, 'CASE WHEN a > 0 THEN ', 'a', ' END')} FROM t;`, 8 + 21 * L],
    // the table's own `(` is the first level
    ['ROW types', `CREATE TABLE x (c ${nest(L, 'ROW<f ', 'INT', '>')});`, 19 + 6 * (L - 1) + 3],
    ['comparisons do not count', `SELECT a FROM t WHERE ${chain(L + 1, 'a < 1', 'AND')} AND ${nest(L + 1, '(', 'a', ')')} > 0;`, 23 + 10 * L + 10 + L],
  ])('%s', async (_what, sql, column) => {
    const e = await explainError(sql);
    expect(e.code).toBe('PARSE');
    expect(e.message).toBe(`parentheses, subqueries, CASE or types nested too deeply: more than ${L} levels (the limit)`);
    expect(e.span).toMatchObject({ line: 2, column });
  });

  it('a 20,000-term + chain and 2,000 NOTs', async () => {
    for (const sql of [`SELECT ${chain(20_000, 'a', '+')} FROM t;`, `SELECT a FROM t WHERE ${'NOT '.repeat(2000)} a = 2;`]) {
      const e = await explainError(sql);
      expect(e.code).toBe('PARSE');
      expect(e.message).toBe(`expression nested too deeply: more than ${MAX_TREE_DEPTH} levels (the limit)`);
      expect(e.span?.line).toBe(2);
    }
  });

  it('a chain of views one longer than the limit, at the innermost reference', async () => {
    const views = (n: number): string => ['CREATE VIEW v0 AS SELECT a FROM t;',
      ...Array.from({ length: n - 1 }, (_, i) => `CREATE VIEW v${i + 1} AS SELECT a + 1 AS a FROM v${i};`),
      `SELECT a FROM v${n - 1};`].join('\n');
    await expect(new Engine().explain(DDL + views(MAX_EXPANSION_NESTING))).resolves.toContain('Project');
    const e = await explainError(views(MAX_EXPANSION_NESTING + 1));
    expect(e.code).toBe('BIND');
    expect(e.message).toMatch(/^view 'v0' is nested too deeply: more than \d+ views and WITH queries inside one another \(the limit\)$/);
    expect(e.span).toMatchObject({ line: 3, column: 42 }); // v0 in CREATE VIEW v1 ... FROM v0
  });
});

describe('long IN lists plan in linear time', () => {
  it('20,000 elements take at most ~4x (not 16x) the time of 5,000', { timeout: 120_000 }, async () => {
    const sql = (n: number): string => `${DDL}SELECT a FROM t WHERE a IN (${Array.from({ length: n }, (_, i) => i).join(', ')});`;
    const best = async (n: number): Promise<number> => {
      let ms = Infinity;
      for (let r = 0; r < 3; r++) {
        const t0 = performance.now();
        await new Engine().explain(sql(n));
        ms = Math.min(ms, performance.now() - t0);
      }
      return ms;
    };
    await best(1000); // warm up the parser and the planner
    const small = await best(5000);
    const large = await best(20_000);
    console.log(`IN list: 5,000 elements ${small.toFixed(0)} ms, 20,000 elements ${large.toFixed(0)} ms`);
    // linear is 4x; quadratic would be 16x. The margin is for GC and a loaded machine.
    expect(large / small).toBeLessThan(9);
  });
});
