import { describe, expect, it } from 'vitest';
import type { BoundExpr } from '../../../src/planner/expr.js';
import { parseJsonPath } from '../../../src/executor/expr/json-path.js';
import { call, constant, lit, T } from './helpers.js';

const V = (x: string | null): BoundExpr => lit(x, T.VARCHAR);
const value = (j: string | null, p: string) => constant(call('json_value', T.VARCHAR, V(j), V(p)));
const query = (j: string | null, p: string) => constant(call('json_query', T.VARCHAR, V(j), V(p)));
const exists = (j: string | null, p: string) => constant(call('json_exists', T.BOOLEAN, V(j), V(p)));

const DOC = '{"a": {"b": [10, {"c": "x"}], "ü ключ": true}, "n": null, "d": 1.5}';

describe('JSON_VALUE', () => {
  it('reads scalars along nested paths, with unicode and quoted keys', () => {
    expect(value(DOC, '$.a.b[0]')).toBe('10');
    expect(value(DOC, '$.a.b[1].c')).toBe('x');
    expect(value(DOC, "$.a['ü ключ']")).toBe('true');
    expect(value(DOC, 'lax $.d')).toBe('1.5');
  });
  it('is NULL for NULL input, a JSON null, a missing path, a non-scalar, bad JSON and a strict miss', () => {
    expect(value(null, '$.a')).toBeNull();
    expect(value(DOC, '$.n')).toBeNull();
    expect(value(DOC, '$.zz')).toBeNull();
    expect(value(DOC, '$.a')).toBeNull();
    expect(value('{not json', '$.a')).toBeNull();
    expect(value(DOC, 'strict $.zz')).toBeNull();
  });
  it('refuses a path it cannot read, saying what it reads', () => {
    expect(() => value(DOC, 'a.b')).toThrow(/starts with '\$'/);
    expect(() => value(DOC, '$.a[?(@.b)]')).toThrow(/supported: \$, \.key/);
    expect(() => value(DOC, '$.a..b')).toThrow(/a key expected/);
  });
  it('wildcards give every match: JSON_VALUE of several is no scalar (NULL), JSON_QUERY an array, JSON_EXISTS whether any', () => {
    expect(value(DOC, '$.a[*]')).toBeNull();
    expect(query('{"a": [{"c": 1}, {"d": 2}, {"c": [3]}]}', '$.a[*].c')).toBe('[1,[3]]');
    expect(query('{"a": {"x": 1, "y": {"z": 2}}}', '$.a.*')).toBe('[1,{"z":2}]');
    expect(query('{"a": []}', '$.a[*]')).toBe('[]'); // no match: an empty sequence (Calcite's wildcard paths), not empty
    expect(exists('{"a": [{"c": 1}]}', '$.a[*].c')).toBe(true);
    expect(exists('{"a": [{"d": 1}]}', '$.a[*].c')).toBe(false);
    // a wildcard over 300 000 elements: taken element by element, not spread onto the stack
    const long = JSON.stringify({ a: Array.from({ length: 300_000 }, (_, i) => i) });
    expect(exists(long, '$.a[*]')).toBe(true);
    expect(JSON.parse(query(long, '$.a[*]') as string)).toHaveLength(300_000);
    expect(query('{"a.b": [1]}', '$.["a.b"]')).toBe('[1]');
  });
});

describe('JSON_QUERY, JSON_EXISTS, JSON_ARRAY', () => {
  it('JSON_QUERY returns objects and arrays as JSON text, NULL for scalars', () => {
    expect(query(DOC, '$.a.b')).toBe('[10,{"c":"x"}]');
    expect(query(DOC, '$.a.b[1]')).toBe('{"c":"x"}');
    expect(query(DOC, '$.d')).toBeNull();
  });
  it('JSON_EXISTS is FALSE on a miss and on bad JSON', () => {
    expect(exists(DOC, '$.n')).toBe(true);
    expect(exists(DOC, '$.a.b[2]')).toBe(false);
    expect(exists('[1', '$')).toBe(false);
  });
  it('JSON_ARRAY leaves NULLs out and quotes strings', () => {
    expect(constant(call('json_array', T.VARCHAR, lit(1, T.INT), V('a"b'), V(null), lit(true, T.BOOLEAN)))).toBe('[1,"a\\"b",true]');
  });
  it('parses the path subset', () => {
    expect(parseJsonPath(`strict $."a b"[3]['c']`)).toEqual({ strict: true, steps: [{ kind: 'key', key: 'a b' }, { kind: 'index', index: 3 }, { kind: 'key', key: 'c' }] });
  });
});

describe('JSON in SQL', () => {
  it('IS [NOT] JSON [kind], JSON_VALUE and JSON_EXISTS from a query', async () => {
    const { addData, checkAnswer, testStream } = await import('../../support/stream-test.js');
    await testStream(`
      CREATE TABLE t (s STRING) WITH ('connector' = 'memory');
      CREATE TABLE out (s STRING, v BOOLEAN, o BOOLEAN, nsc BOOLEAN, a STRING, e BOOLEAN) WITH ('connector' = 'memory');
      INSERT INTO out SELECT s, s IS JSON, s IS JSON OBJECT, s IS NOT JSON SCALAR, JSON_VALUE(s, '$.a'), JSON_EXISTS(s, 'strict $.a') FROM t;`, [
      addData('t', [{ s: '{"a": 1}' }, { s: '[1]' }, { s: '"x"' }, { s: 'nope' }, { s: null }]),
      checkAnswer('out', [
        { s: '{"a": 1}', v: true, o: true, nsc: true, a: '1', e: true },
        { s: '[1]', v: true, o: false, nsc: true, a: null, e: false },
        { s: '"x"', v: true, o: false, nsc: false, a: null, e: false },
        { s: 'nope', v: false, o: false, nsc: true, a: null, e: false },
        { s: null, v: false, o: false, nsc: true, a: null, e: null },
      ]),
    ]);
  });
});

describe('JSON_VALUE and JSON_QUERY clauses in SQL', () => {
  it('RETURNING, DEFAULT ... ON EMPTY / ON ERROR, WITH [CONDITIONAL] ARRAY WRAPPER', async () => {
    const { addData, checkAnswer, testStream } = await import('../../support/stream-test.js');
    await testStream(`
      CREATE TABLE t (s STRING) WITH ('connector' = 'memory');
      CREATE TABLE out (n INT, d STRING, e STRING, w STRING, c STRING) WITH ('connector' = 'memory');
      INSERT INTO out SELECT JSON_VALUE(s, '$.n' RETURNING INT), JSON_VALUE(s, '$.x' DEFAULT 'none' ON EMPTY),
        JSON_VALUE(s, '$.o' DEFAULT 'err' ON ERROR), JSON_QUERY(s, '$.n' WITH ARRAY WRAPPER),
        JSON_QUERY(s, '$.o' WITH CONDITIONAL ARRAY WRAPPER) FROM t;`, [
      addData('t', [{ s: '{"n": 41, "o": {"k": 1}}' }, { s: '{"n": "abc", "x": 2, "o": 3}' }]),
      checkAnswer('out', [
        // CONDITIONAL wraps an object too (only an array is left as it is): Flink's JSON_QUERY('{}', '$'
        // WITH CONDITIONAL ARRAY WRAPPER) is '[{}]'
        { n: 41, d: 'none', e: 'err', w: '[41]', c: '[{"k":1}]' },
        { n: null, d: '2', e: '3', w: '["abc"]', c: '[3]' },
      ]),
    ]);
  });

  it('ERROR ON EMPTY fails the query naming the call', async () => {
    const { addData, testStream } = await import('../../support/stream-test.js');
    await expect(testStream(`
      CREATE TABLE t (s STRING) WITH ('connector' = 'memory');
      CREATE TABLE out (v STRING) WITH ('connector' = 'memory');
      INSERT INTO out SELECT JSON_VALUE(s, '$.x' ERROR ON EMPTY) FROM t;`, [
      addData('t', [{ s: '{}' }]),
    ])).rejects.toThrow(/JSON_VALUE: no value at the path \(ERROR ON EMPTY\)/);
  });
});
