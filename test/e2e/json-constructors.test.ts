/**
 * JSON_OBJECT and JSON_ARRAY's ON NULL clauses, end to end (parsed, bound, run), with the outputs
 * Flink's documentation gives for its examples: `{}`, `{"K1":"V1","K2":"V2"}`, NULL ON NULL (the
 * default for JSON_OBJECT) and ABSENT ON NULL (JSON_ARRAY's), a JSON_OBJECT or JSON_ARRAY value
 * nested as JSON rather than as a string; and the mistakes refused at their position.
 */
import { describe, expect, it } from 'vitest';
import { Engine, ManualClock } from '../../src/index.js';
import { WeirError } from '../../src/common/errors.js';
import { evaluate } from '../support/evaluate-exprs.js';


const one = async (e: string): Promise<unknown> => (await evaluate([e]))[0]![0];

describe('JSON_OBJECT (Flink\'s documented examples)', () => {
  it.each([
    ['JSON_OBJECT()', '{}'],
    ["JSON_OBJECT('K1' VALUE 'V1', 'K2' VALUE 'V2')", '{"K1":"V1","K2":"V2"}'],
    ["JSON_OBJECT('orderNo' VALUE x)", '{"orderNo":1}'],
    ["JSON_OBJECT(KEY 'K1' VALUE CAST(NULL AS STRING) NULL ON NULL)", '{"K1":null}'],
    ["JSON_OBJECT(KEY 'K1' VALUE CAST(NULL AS STRING))", '{"K1":null}'],
    ["JSON_OBJECT(KEY 'K1' VALUE CAST(NULL AS STRING) ABSENT ON NULL)", '{}'],
    ["JSON_OBJECT(KEY 'K1' VALUE JSON_OBJECT(KEY 'K2' VALUE 'V'))", '{"K1":{"K2":"V"}}'],
    ["JSON_OBJECT(KEY 'K1' VALUE JSON_ARRAY(1, 2), 'K2' VALUE TRUE)", '{"K1":[1,2],"K2":true}'],
    ["JSON_OBJECT(KEY s VALUE x + 1, 'q\"' VALUE 'a\"b')", '{"a":2,"q\\"":"a\\"b"}'],
  ])('%s = %s', async (e, want) => {
    expect(await one(e)).toBe(want);
  });

  it('reads a column named key as a key, not the KEY keyword', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(`CREATE TABLE t (key STRING, v INT) WITH ('connector' = 'memory');
      CREATE TABLE o (j STRING) WITH ('connector' = 'memory');
      INSERT INTO o SELECT JSON_OBJECT(KEY key VALUE v, key VALUE v + 1 ABSENT ON NULL) FROM t;`);
    engine.input('t').push([{ key: 'k', v: 1 }, { key: 'm', v: null }]);
    engine.input('t').end();
    await q!.awaitTermination(10_000);
    expect(engine.output('o').rows().map((r) => r.j)).toEqual(['{"k":2}', '{}']);
    await engine.stop();
  });
});

describe('JSON_ARRAY (Flink\'s documented examples)', () => {
  it.each([
    ['JSON_ARRAY()', '[]'],
    ["JSON_ARRAY(1, '2')", '[1,"2"]'],
    ['JSON_ARRAY(x)', '[1]'],
    ['JSON_ARRAY(CAST(NULL AS STRING) NULL ON NULL)', '[null]'],
    ['JSON_ARRAY(CAST(NULL AS STRING) ABSENT ON NULL)', '[]'],
    ['JSON_ARRAY(CAST(NULL AS STRING))', '[]'],
    ['JSON_ARRAY(JSON_ARRAY(1))', '[[1]]'],
    ["JSON_ARRAY(JSON_OBJECT('a' VALUE CAST(NULL AS INT)), CAST(NULL AS INT), 3 NULL ON NULL)", '[{"a":null},null,3]'],
  ])('%s = %s', async (e, want) => {
    expect(await one(e)).toBe(want);
  });
});

describe('mistakes', () => {
  const explainError = async (e: string): Promise<WeirError> => {
    const sql = `CREATE TABLE t (x INT, s STRING) WITH ('connector' = 'memory');\nSELECT ${e} FROM t;`;
    const err = await new Engine().explain(sql).then(() => undefined, (x: unknown) => x);
    expect(err).toBeInstanceOf(WeirError);
    return err as WeirError;
  };

  it('a key without VALUE, at the key', async () => {
    const e = await explainError("JSON_OBJECT('a' VALUE 1, 'b')");
    expect(e.message).toMatch(/JSON_OBJECT takes entries '\[KEY\] key VALUE value': expected VALUE after this key/);
    expect(e.span).toMatchObject({ line: 2, column: 33 });
  });

  it('a key that is no string, VALUE outside JSON_OBJECT, and clauses that belong elsewhere', async () => {
    expect((await explainError("JSON_OBJECT(x VALUE 1)")).message).toMatch(/string keys: key 1 is INT/);
    expect((await explainError("UPPER('a' VALUE 1)")).message).toMatch(/entries belong in JSON_OBJECT, not UPPER/);
    expect((await explainError("JSON_ARRAY('a' VALUE 1)")).message).toMatch(/JSON_ARRAY takes values/);
    expect((await explainError("JSON_OBJECT('a' VALUE 1 NULL ON EMPTY)")).message).toMatch(/only NULL ON NULL or ABSENT ON NULL/);
  });

  it('columns named like clause words are still arguments of any function', async () => {
    const sql = `CREATE TABLE w (error INT, \`default\` INT, returning INT, absent INT) WITH ('connector' = 'memory');
      SELECT ABS(error), COALESCE(returning, absent), JSON_ARRAY(error, absent NULL ON NULL) FROM w;`;
    expect(await new Engine().explain(sql)).toContain('json_array_nulls(error#0, absent#2)');
  });

  it('a NULL key is an error when the row is read', async () => {
    await expect(evaluate(["JSON_OBJECT(CAST(NULL AS STRING) VALUE 1)"])).rejects.toThrow(/JSON_OBJECT: a key is NULL/);
  });
});
