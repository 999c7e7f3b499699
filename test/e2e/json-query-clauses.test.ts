/**
 * (Written with the A branch's implementation, kept for its cases when the lead's landed instead.)
 * JSON_QUERY's ON EMPTY / ON ERROR clauses with its wrapper clauses, end to end (parsed, bound, run):
 * the outputs Flink's documentation and its (Calcite's) JSON_QUERY tests give, where "empty" is a path
 * that finds nothing (or JSON null) and, in lax mode, a scalar left unwrapped, and an "error" is text
 * that is not JSON, a strict path that finds nothing, or, in strict mode, a scalar left unwrapped.
 * ERROR ON … fails the query naming the function and its position; clauses JSON_QUERY does not take
 * are refused at theirs.
 */
import { describe, expect, it } from 'vitest';
import { Engine, ManualClock } from '../../src/index.js';
import { WeirError } from '../../src/common/errors.js';
import { evaluate } from '../support/evaluate-exprs.js';


const CASES: readonly (readonly [string, string | null])[] = [
  // Flink's documentation
  ["JSON_QUERY('{ \"a\": { \"b\": 1 } }', '$.a')", '{"b":1}'],
  ["JSON_QUERY('{\"a\":[{\"c\":\"c1\"},{\"c\":\"c2\"}]}', 'lax $.a[*].c')", '["c1","c2"]'],
  ["JSON_QUERY('[1, 2]', '$')", '[1,2]'],
  ["JSON_QUERY(CAST(NULL AS STRING), '$')", null],
  ["JSON_QUERY('{}', '$' WITH CONDITIONAL ARRAY WRAPPER)", '[{}]'],
  ["JSON_QUERY('[1, 2]', '$' WITH CONDITIONAL ARRAY WRAPPER)", '[1,2]'],
  ["JSON_QUERY('[1, 2]', '$' WITH UNCONDITIONAL ARRAY WRAPPER)", '[[1,2]]'],
  ["JSON_QUERY('1', '$')", null],
  ["JSON_QUERY('1', '$' WITH CONDITIONAL ARRAY WRAPPER)", '[1]'],
  ["JSON_QUERY('{}', 'lax $.invalid' EMPTY OBJECT ON EMPTY)", '{}'],
  ["JSON_QUERY('{}', 'strict $.invalid' EMPTY ARRAY ON ERROR)", '[]'],
  // Flink's JSON_QUERY tests: a lax scalar is empty, whatever the error behaviour
  ["JSON_QUERY('{\"foo\":100}', 'lax $' NULL ON EMPTY)", '{"foo":100}'],
  ["JSON_QUERY('{\"foo\":100}', 'lax $' ERROR ON EMPTY)", '{"foo":100}'],
  ["JSON_QUERY('{\"foo\":100}', 'lax $.foo' NULL ON EMPTY)", null],
  ["JSON_QUERY('{\"foo\":100}', 'lax $.foo' EMPTY ARRAY ON EMPTY)", '[]'],
  ["JSON_QUERY('{\"foo\":100}', 'lax $.foo' EMPTY OBJECT ON EMPTY EMPTY ARRAY ON ERROR)", '{}'],
  // strict: a scalar unwrapped, or a missing key, is an error
  ["JSON_QUERY('{\"foo\":100}', 'strict $.foo' EMPTY OBJECT ON EMPTY)", null],
  ["JSON_QUERY('{\"foo\":100}', 'strict $.foo' EMPTY ARRAY ON ERROR)", '[]'],
  ["JSON_QUERY('{\"foo\":100}', 'strict $.foo' WITH ARRAY WRAPPER ERROR ON ERROR)", '[100]'],
  ["JSON_QUERY('{\"foo\":100}', 'strict $.bar' EMPTY OBJECT ON ERROR ERROR ON EMPTY)", '{}'],
  // text that is not JSON: ON ERROR; a JSON null found: ON EMPTY (even with a wrapper)
  ["JSON_QUERY('{oops', '$' EMPTY OBJECT ON ERROR EMPTY ARRAY ON EMPTY)", '{}'],
  ["JSON_QUERY('{\"a\":null}', '$.a' WITH ARRAY WRAPPER EMPTY ARRAY ON EMPTY)", '[]'],
  ["JSON_QUERY('{\"a\":[1]}', '$.b' WITH ARRAY WRAPPER EMPTY ARRAY ON EMPTY)", '[]'],
  // clauses in any order, the wrapper last
  ["JSON_QUERY('{\"a\":{\"b\":true}}', '$.a' RETURNING STRING NULL ON ERROR WITHOUT ARRAY WRAPPER)", '{"b":true}'],
];

describe('JSON_QUERY ON EMPTY / ON ERROR (Flink\'s documented examples and tests)', () => {
  it.each(CASES)('%s = %s', async (e, want) => {
    expect((await evaluate([e]))[0]![0]).toBe(want);
  });

  it('per row: empty and error apart, over a column', async () => {
    const rows = [{ x: 1, s: '{"a":{"b":1}}' }, { x: 2, s: '{"a":7}' }, { x: 3, s: '{}' }, { x: 4, s: 'nope' }, { x: 5, s: null }];
    const out = await evaluate(["JSON_QUERY(s, '$.a' EMPTY ARRAY ON EMPTY EMPTY OBJECT ON ERROR)", "JSON_QUERY(s, 'strict $.a' EMPTY ARRAY ON EMPTY EMPTY OBJECT ON ERROR)"], rows);
    expect(out).toEqual([['{"b":1}', '{"b":1}'], ['[]', '{}'], ['[]', '{}'], ['{}', '{}'], [null, null]]);
  });
});

describe('[*] in the other JSON functions', () => {
  it('JSON_VALUE finds no scalar (NULL ON ERROR); JSON_EXISTS is whether anything matched', async () => {
    const doc = '{"a":[{"c":1},{"c":2}]}';
    const out = await evaluate([
      "JSON_VALUE(s, '$.a[*].c')", "JSON_VALUE(s, '$.a[*].c' DEFAULT 'many' ON ERROR)",
      "CAST(JSON_EXISTS(s, '$.a[*].c') AS STRING)", "CAST(JSON_EXISTS(s, '$.a[*].zz') AS STRING)", "CAST(JSON_EXISTS(s, '$.b[*]') AS STRING)",
    ], [{ x: 1, s: doc }]);
    expect(out).toEqual([[null, 'many', 'TRUE', 'FALSE', 'FALSE']]);
  });
});

describe('JSON_QUERY RETURNING ARRAY<STRING>', () => {
  it('gives the array found as an ARRAY<STRING> (Flink\'s example and its edges)', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    try {
      const [q] = await engine.execute(`CREATE TABLE t (s STRING) WITH ('connector' = 'memory');
        CREATE TABLE o (a ARRAY<STRING>, b ARRAY<STRING>, n INT) WITH ('connector' = 'memory');
        INSERT INTO o SELECT JSON_QUERY(s, 'lax $.a[*].c' RETURNING ARRAY<STRING>),
          JSON_QUERY(s, '$.x' RETURNING ARRAY<STRING> EMPTY ARRAY ON EMPTY EMPTY ARRAY ON ERROR),
          CARDINALITY(JSON_QUERY(s, '$.a' RETURNING ARRAY<STRING>)) FROM t;`);
      engine.input('t').push([
        { s: '{"a":[{"c":"c1"},{"c":"c2"}]}' },
        { s: '{"a":[{"c":1},{"d":2},{"c":{"e":null}},{"c":null}], "x":{"k":1}}' },
        { s: '{"x":[true, "t", 2.5]}' },
        { s: null },
      ]);
      engine.input('t').end();
      await q!.awaitTermination(10_000);
      expect(engine.output('o').rows()).toEqual([
        { a: ['c1', 'c2'], b: [], n: 2 },
        // the missing c is left out (lax), a null kept; {"k":1} is no array: EMPTY ARRAY ON ERROR
        { a: ['1', '{"e":null}', null], b: [], n: 4 },
        { a: [], b: ['true', 't', '2.5'], n: null },
        { a: null, b: null, n: null },
      ]);
    } finally {
      await engine.stop();
    }
  });
});

describe('ERROR ON EMPTY / ERROR ON ERROR fail the query, naming the call', () => {
  it.each([
    ["JSON_QUERY(s, '$.x' ERROR ON EMPTY)", '{}', /JSON_QUERY: no value at the path \(ERROR ON EMPTY\)/],
    ["JSON_QUERY(s, '$.x' ERROR ON EMPTY)", '{"x":1}', /JSON_QUERY: the value at the path is a scalar, which needs WITH ARRAY WRAPPER \(ERROR ON EMPTY\)/],
    ["JSON_QUERY(s, '$' ERROR ON ERROR)", 'nope', /JSON_QUERY: not JSON, or a strict path found nothing \(ERROR ON ERROR\)/],
    ["JSON_QUERY(s, 'strict $.x' ERROR ON ERROR)", '{"x":1}', /JSON_QUERY: the value at the path is a scalar, which needs WITH ARRAY WRAPPER \(ERROR ON ERROR\)/],
  ])('%s over %s', async (e, s, message) => {
    const err = await evaluate([e], [{ x: 1, s }]).then(() => undefined, (x: unknown) => x);
    expect(err).toBeInstanceOf(WeirError);
    expect((err as WeirError).message).toMatch(message);
    expect((err as WeirError).code).toBe('RUNTIME');
    expect((err as WeirError).span).toMatchObject({ line: 3, column: 28 });
  });
});

describe('clauses JSON_QUERY does not take', () => {
  const explainError = async (e: string): Promise<WeirError> => {
    const sql = `CREATE TABLE t (x INT, s STRING) WITH ('connector' = 'memory');\nSELECT ${e} FROM t;`;
    const err = await new Engine().explain(sql).then(() => undefined, (x: unknown) => x);
    expect(err).toBeInstanceOf(WeirError);
    return err as WeirError;
  };

  it.each([
    ["JSON_QUERY(s, '$' RETURNING INT)", 'UNSUPPORTED', /JSON_QUERY RETURNING INT is not supported yet: JSON_QUERY returns STRING or ARRAY<STRING>/, 26],
    // at the EMPTY OBJECT clause
    ["JSON_QUERY(s, '$' RETURNING ARRAY<STRING> EMPTY OBJECT ON EMPTY)", 'PARSE', /JSON_QUERY RETURNING ARRAY<STRING> takes NULL, EMPTY ARRAY or ERROR ON EMPTY, not EMPTY OBJECT/, 50],
    ["JSON_QUERY(s, '$' DEFAULT '1' ON EMPTY)", 'PARSE', /JSON_QUERY takes NULL, EMPTY ARRAY, EMPTY OBJECT or ERROR ON EMPTY, not DEFAULT/, 26],
    ["JSON_QUERY(s, '$' NULL ON NULL)", 'PARSE', /JSON_QUERY takes no ON NULL clause/, 26],
    ["JSON_VALUE(s, '$' EMPTY ARRAY ON ERROR)", 'PARSE', /JSON_VALUE takes NULL, ERROR or DEFAULT value ON ERROR, not EMPTY ARRAY \/ OBJECT/, 26],
  ])('%s', async (e, code, message, column) => {
    const err = await explainError(e);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    expect(err.span).toMatchObject({ line: 2, column });
  });
});
