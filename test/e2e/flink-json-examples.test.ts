/**
 * The examples of Flink's documentation for its JSON functions (System Functions, "JSON Functions"),
 * each with the result the documentation gives, run with `weir run` over a one-row table. JSON text
 * is compared as parsed JSON (Flink's pages print `'[1, 2]'` where its functions return `[1,2]`).
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeJsonFiles, writeSql } from '../support/cli.js';

/** [expression, the documented result: a JSON text, a value, or null] */
const EXAMPLES: readonly (readonly [string, unknown])[] = [
  [`JSON_EXISTS('{"a": true}', '$.a')`, true],
  [`JSON_EXISTS('{"a": true}', '$.b')`, false],
  [`JSON_EXISTS('{"a": [{ "b": 1 }]}', '$.a[0].b')`, true],
  [`JSON_EXISTS('{"a": true}', 'strict $.b' TRUE ON ERROR)`, true],
  [`JSON_EXISTS('{"a": true}', 'strict $.b' FALSE ON ERROR)`, false],
  [`'1' IS JSON`, true],
  [`'[]' IS JSON`, true],
  [`'{}' IS JSON`, true],
  [`'"abc"' IS JSON`, true],
  [`'abc' IS JSON`, false],
  [`'1' IS JSON SCALAR`, true],
  [`'1' IS JSON ARRAY`, false],
  [`'1' IS JSON OBJECT`, false],
  [`'{}' IS JSON SCALAR`, false],
  [`'{}' IS JSON ARRAY`, false],
  [`'{}' IS JSON OBJECT`, true],
  [`JSON_VALUE('{"a": true}', '$.a')`, 'true'],
  [`JSON_VALUE('{"a": true}', '$.a' RETURNING BOOLEAN)`, true],
  [`JSON_VALUE('{"a": true}', 'lax $.b' DEFAULT FALSE ON EMPTY)`, 'false'],
  [`JSON_VALUE('{"a": true}', 'strict $.b' DEFAULT FALSE ON ERROR)`, 'false'],
  [`JSON_VALUE('{"a.b": [0.998,0.996]}','$.["a.b"][0]' RETURNING DOUBLE)`, 0.998],
  [`JSON_VALUE('{"contains blank": "right"}', 'strict $.[''contains blank'']' NULL ON EMPTY DEFAULT 'wrong' ON ERROR)`, 'right'],
  [`JSON_QUERY('{ "a": { "b": 1 } }', '$.a')`, '{ "b": 1 }'],
  [`JSON_QUERY('[1, 2]', '$')`, '[1, 2]'],
  [`JSON_QUERY(CAST(NULL AS STRING), '$')`, null],
  [`JSON_QUERY('{"a":[{"c":"c1"},{"c":"c2"}]}', 'lax $.a[*].c')`, '["c1","c2"]'],
  [`JSON_QUERY('{"a":[{"c":"c1"},{"c":"c2"}]}', 'lax $.a[*].c' RETURNING ARRAY<STRING>)`, ['c1', 'c2']],
  [`JSON_QUERY('{}', '$' WITH CONDITIONAL ARRAY WRAPPER)`, '[{}]'],
  [`JSON_QUERY('[1, 2]', '$' WITH CONDITIONAL ARRAY WRAPPER)`, '[1, 2]'],
  [`JSON_QUERY('[1, 2]', '$' WITH UNCONDITIONAL ARRAY WRAPPER)`, '[[1, 2]]'],
  // the page writes the number 1 as the JSON text; Weir takes JSON text as a string
  [`JSON_QUERY('1', '$')`, null],
  [`JSON_QUERY('1', '$' WITH CONDITIONAL ARRAY WRAPPER)`, '[1]'],
  [`JSON_QUERY('{}', 'lax $.invalid' EMPTY OBJECT ON EMPTY)`, '{}'],
  [`JSON_QUERY('{}', 'strict $.invalid' EMPTY ARRAY ON ERROR)`, '[]'],
  // clauses in other orders, and the lax / strict rule for a scalar left unwrapped
  [`JSON_QUERY('[1]', '$' RETURNING STRING WITHOUT ARRAY WRAPPER)`, '[1]'],
  [`JSON_QUERY('{"a": 1}', 'lax $.a' EMPTY ARRAY ON EMPTY)`, '[]'],
  [`JSON_QUERY('{"a": 1}', 'strict $.a' EMPTY OBJECT ON ERROR)`, '{}'],
  [`JSON_OBJECT()`, '{}'],
  [`JSON_OBJECT('K1' VALUE 'V1', 'K2' VALUE 'V2')`, '{"K1":"V1","K2":"V2"}'],
  [`JSON_OBJECT(KEY 'K1' VALUE CAST(NULL AS STRING) NULL ON NULL)`, '{"K1":null}'],
  [`JSON_OBJECT(KEY 'K1' VALUE CAST(NULL AS STRING) ABSENT ON NULL)`, '{}'],
  [`JSON_OBJECT(KEY 'K1' VALUE JSON_OBJECT(KEY 'K2' VALUE 'V'))`, '{"K1":{"K2":"V"}}'],
  [`JSON_ARRAY()`, '[]'],
  [`JSON_ARRAY(1, '2')`, '[1,"2"]'],
  [`JSON_ARRAY(CAST(NULL AS STRING) NULL ON NULL)`, '[null]'],
  [`JSON_ARRAY(CAST(NULL AS STRING) ABSENT ON NULL)`, '[]'],
  [`JSON_ARRAY(JSON_ARRAY(1))`, '[[1]]'],
];

/** The value as printed (`name=value` of the print sink), read back as the documented result's kind. */
function same(printed: string, want: unknown): void {
  if (want === null) expect(printed).toBe('null');
  else if (typeof want === 'boolean' || typeof want === 'number') expect(printed).toBe(String(want));
  else if (Array.isArray(want)) expect(printed).toBe(`[${want.join(', ')}]`);
  else if (/^[[{]/.test(want as string)) expect(JSON.parse(printed)).toEqual(JSON.parse(want as string));
  else expect(printed).toBe(want);
}

describe("Flink's JSON function examples", () => {
  it('give the documented results', async () => {
    const dir = tempDir('weir-json-examples-');
    writeJsonFiles(path.join(dir, 'in'), [[{ x: 1 }]]);
    const select = EXAMPLES.map(([e], i) => `${e} AS e${i}`).join(',\n  ');
    const file = writeSql(dir, `CREATE TABLE one (x INT) WITH ('connector' = 'filesystem', 'path' = '${path.join(dir, 'in')}', 'format' = 'json');
SELECT ${select} FROM one;\n`);
    const res = await runCli(['run', file]);
    expect(res.stderr).toBe('');
    const line = res.stdout.split('\n').find((l) => l.startsWith('+I['))!;
    const values = new Map(line.slice(3, -1).split(/, (?=e\d+=)/).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    EXAMPLES.forEach(([e, want], i) => {
      const got = values.get(`e${i}`);
      expect(got, e).toBeDefined();
      same(got!, want);
    });
  });
});
