/**
 * Collection syntax Weir does not run yet (issue 11 item 6) is refused "not supported yet" at the
 * construct's position, not with a misleading syntax error; statements that parse are unaffected.
 */
import { describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { parseScript } from '../../src/parser/parse.js';

function failure(sql: string): WeirError {
  try {
    parseScript(sql, 'q.sql');
  } catch (e) {
    if (e instanceof WeirError) return e;
    throw e;
  }
  throw new Error(`expected a WeirError for ${sql}`);
}

describe('collection syntax refusals', () => {
  it.each([
    ['SELECT ARRAY[1, 2] FROM t;', 'q.sql:1:8: ARRAY[...] constructors are not supported yet'],
    ['SELECT map [1, 2] FROM t;', 'q.sql:1:8: MAP[...] constructors are not supported yet'],
    ['SELECT a,\n  tags[1] FROM t;', 'q.sql:2:7: element access \'[...]\' is not supported yet'],
    ['SELECT x FROM t CROSS JOIN UNNEST(t.tags) AS u(x);', 'q.sql:1:28: UNNEST is not supported yet'],
    ['SELECT x FROM t LEFT JOIN UNNEST(t.tags) AS u(x) ON TRUE;', 'q.sql:1:27: UNNEST is not supported yet'],
    ['SELECT x FROM t, UNNEST(t.tags) WITH ORDINALITY AS u(x, n);', 'q.sql:1:18: UNNEST is not supported yet'],
    ["CREATE TABLE t (a INT ARRAY) WITH ('connector' = 'datagen');", 'q.sql:1:23: type INT ARRAY is not supported yet'],
    ["CREATE TABLE t (a ARRAY<INT>) WITH ('connector' = 'datagen');", 'q.sql:1:19: type ARRAY is not supported yet'],
  ])('%s', (sql, expected) => {
    const e = failure(sql);
    expect(e.code).toBe('UNSUPPORTED');
    expect(e.format()).toBe(expected);
  });

  it('still reports an earlier, unrelated syntax error first', () => {
    const e = failure('SELECT FROM t CROSS JOIN UNNEST(t.tags) AS u(x);');
    expect(e.code).toBe('PARSE');
  });

  it('leaves a column named unnest alone', () => {
    expect(() => parseScript('SELECT unnest FROM t;', 'q.sql')).not.toThrow();
  });
});
