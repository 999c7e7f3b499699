/**
 * A literal regular expression the linear-time engine cannot run is refused when the query is bound
 * (by `execute` before the query starts, and by EXPLAIN), at the pattern, naming the function.
 */
import { describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';

const DDL = `CREATE TABLE words (w STRING) WITH ('connector' = 'memory');
CREATE TABLE out (w STRING, b BOOLEAN) WITH ('connector' = 'memory');
`;

async function refusal(run: (engine: Engine) => Promise<unknown>): Promise<WeirError> {
  const engine = new Engine({ clock: new ManualClock(0) });
  const err = await run(engine).catch((e: unknown) => e);
  await engine.stop();
  expect(err).toBeInstanceOf(WeirError);
  return err as WeirError;
}

describe('regular-expression literals are checked at plan time', () => {
  const sql = `${DDL}INSERT INTO out SELECT w, REGEXP(w, '^(\\w+) \\1$') FROM words;`;
  const column = sql.split('\n')[2]!.indexOf("'^(") + 1;

  it('execute refuses a backreference before any query starts, at the pattern literal', async () => {
    const err = await refusal((engine) => engine.execute(sql, { file: 'job.sql' }));
    expect(err.code).toBe('UNSUPPORTED');
    expect(err.format()).toBe(`job.sql:3:${column}: REGEXP: the pattern '^(\\w+) \\1$' uses a backreference (\\1) at position 8, `
      + "which Weir's linear-time regular expressions (RE2) cannot run; rewrite it without backreferences, lookahead, atomic groups or possessive quantifiers");
  });

  it('EXPLAIN refuses it the same way', async () => {
    const err = await refusal((engine) => engine.explain(sql, { file: 'job.sql' }));
    expect(err.span).toMatchObject({ line: 3, column });
    expect(err.message).toMatch(/^REGEXP: the pattern/);
  });

  it('names REGEXP_REPLACE and REGEXP_EXTRACT, and lookahead', async () => {
    const replace = await refusal((engine) => engine.execute(`${DDL}INSERT INTO out SELECT REGEXP_REPLACE(w, 'a(?=b)', 'x'), TRUE FROM words;`));
    expect(replace.message).toMatch(/^REGEXP_REPLACE: the pattern 'a\(\?=b\)' uses a lookahead \(\(\?=\.\.\.\) at position 2/);
    const extract = await refusal((engine) => engine.execute(`${DDL}INSERT INTO out SELECT REGEXP_EXTRACT(w, '(a)++', 1), TRUE FROM words;`));
    expect(extract.message).toMatch(/^REGEXP_EXTRACT: the pattern '\(a\)\+\+' uses a possessive quantifier \(\+\+\) at position 4/);
  });

  it('runs a pattern RE2 can run, and the catastrophic one, over rows', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(`${DDL}
      CREATE TABLE out2 (w STRING, r STRING) WITH ('connector' = 'memory');
      INSERT INTO out2 SELECT w, REGEXP_REPLACE(w, '(a+)+$', 'x') FROM words;`);
    const evil = `${'a'.repeat(34)}b`;
    engine.input('words').push([{ w: evil }, { w: 'baaa' }]);
    const t0 = performance.now();
    await q!.processAllAvailable();
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(engine.output('out2').rows()).toEqual([{ w: evil, r: evil }, { w: 'baaa', r: 'bx' }]);
    await engine.stop();
  });
});
