/**
 * ARRAY, MAP and MULTISET columns in Parquet: Weir's files read back by Weir and by DuckDB (values
 * and LIST/MAP types), seeded random rows with empty and NULL collections, NULL elements, nested
 * arrays, unicode, extreme integers, NaN and decimals; and LIST/MAP files DuckDB writes, read by Weir.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchToRows, rowsToBatch } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import { encodeParquet, parquetFormat } from '../../../src/connectors/formats/parquet.js';
import { Engine } from '../../../src/engine/engine.js';
import { ManualClock } from '../../../src/executor/streaming/clock.js';
import { lcg, pick } from '../../support/lcg.js';
import { propertySeed } from '../../support/property.js';
import { parquetDuckDb } from '../../support/duckdb-parquet.js';

const schema: Schema = {
  columns: [
    { name: 'id', type: T.INT, nullable: false },
    { name: 'a', type: T.array(T.INT), nullable: true },
    { name: 'sa', type: T.array(T.VARCHAR), nullable: true },
    { name: 'nested', type: T.array(T.array(T.BIGINT)), nullable: true },
    { name: 'm', type: T.map(T.VARCHAR, T.DOUBLE), nullable: true },
    { name: 'mi', type: T.map(T.INT, T.array(T.VARCHAR)), nullable: true },
    { name: 'ms', type: T.multiset(T.VARCHAR), nullable: true },
    { name: 'ad', type: T.array(T.decimal(10, 2)), nullable: true },
    { name: 'ar', type: T.array(T.row([{ name: 'x', type: T.INT }, { name: 'y', type: T.VARCHAR }])), nullable: true },
    { name: 'ts', type: T.array(T.TIMESTAMP), nullable: true },
  ],
};

function randomRows(r: () => number, n: number): Record<string, unknown>[] {
  const orNull = <V,>(x: V): V | null => (r() < 0.2 ? null : x);
  const list = <V,>(gen: () => V): V[] => Array.from({ length: pick(r, [0, 1, 2, 3, 5]) }, gen);
  const strs = ['', 'é日本😀', 'plain', 'ü', 'k'];
  return Array.from({ length: n }, (_, id) => ({
    id,
    a: orNull(list(() => orNull(pick(r, [0, -1, 2147483647, -2147483648])))),
    sa: orNull(list(() => orNull(pick(r, strs)))),
    nested: orNull(list(() => orNull(list(() => orNull(pick(r, [0n, 9007199254740993n, -9223372036854775808n, 9223372036854775807n])))))),
    m: orNull(new Map(list(() => [pick(r, strs), orNull(pick(r, [1.5, -0.25, NaN, 1e300]))] as const))),
    mi: orNull(new Map(list(() => [pick(r, [1, -7, 2147483647]), orNull(list(() => orNull(pick(r, strs))))] as const))),
    ms: orNull(new Map(list(() => [pick(r, strs), pick(r, [1, 2, 7])] as const))),
    ad: orNull(list(() => orNull(pick(r, ['1.50', '-0.01', '99999999.99', '0.00'])))),
    ar: orNull(list(() => orNull({ x: orNull(pick(r, [1, -2])), y: orNull(pick(r, strs)) }))),
    ts: orNull(list(() => orNull(pick(r, [0, -1, Date.UTC(2026, 0, 2, 3, 4, 5, 6)])))),
  }));
}

const { con, tmp, duckRows } = parquetDuckDb('parquet-collections');

describe('ARRAY, MAP and MULTISET columns in Parquet', () => {
  const seed = propertySeed();

  it('read back what Weir wrote, exactly (seeded)', async () => {
    for (let run = 0; run < 6; run++) {
      const batch = rowsToBatch(schema, randomRows(lcg(seed + run), 60));
      for (const b of [batch, batch.slice(5, 50)]) {
        const back = await parquetFormat.decodeBytes(encodeParquet(b, schema), schema, 'c.parquet');
        expect(back.rejected, `seed ${seed + run}`).toEqual([]);
        expect(batchToRows(back.batch), `seed ${seed + run}`).toEqual(batchToRows(b));
      }
    }
  });

  it('are LIST and MAP columns DuckDB reads to the same values', async () => {
    const rows = randomRows(lcg(seed), 80);
    const batch = rowsToBatch(schema, rows);
    writeFileSync(tmp('w'), encodeParquet(batch, schema));
    const types = await duckRows(`SELECT typeof(COLUMNS(*)) FROM read_parquet('${tmp('w')}') LIMIT 1`);
    expect(Object.values(types[0]!)).toEqual([
      'INTEGER', 'INTEGER[]', 'VARCHAR[]', 'BIGINT[][]', 'MAP(VARCHAR, DOUBLE)', 'MAP(INTEGER, VARCHAR[])',
      'MAP(VARCHAR, INTEGER)', 'DECIMAL(10,2)[]', 'STRUCT(x INTEGER, y VARCHAR)[]', 'TIMESTAMP[]',
    ]);
    // DuckDB's values as JSON text beside Weir's values put the same way
    const got = await duckRows(`SELECT id, to_json(a)::VARCHAR AS a, to_json(sa)::VARCHAR AS sa, to_json(nested::VARCHAR[][])::VARCHAR AS nested,
      cardinality(m) AS mn, to_json(map_keys(m))::VARCHAR AS mk, to_json(map_values(m)::VARCHAR[])::VARCHAR AS mv,
      to_json(map_keys(mi))::VARCHAR AS mik, to_json(map_values(mi))::VARCHAR AS miv, to_json(ms)::VARCHAR AS ms,
      to_json(ad::VARCHAR[])::VARCHAR AS ad, to_json(ar)::VARCHAR AS ar, to_json(list_transform(ts, x -> epoch_ms(x)))::VARCHAR AS ts
      FROM read_parquet('${tmp('w')}') ORDER BY id`);
    const j = (v: unknown): string | null => (v === null ? null : JSON.stringify(v));
    const dbl = (x: number | null): string | null => (x === null ? null : Number.isNaN(x) ? 'nan' : x === 1e300 ? '1e+300' : String(x));
    const want = rows.map((r) => {
      const m = r.m as Map<string, number | null> | null;
      const mi = r.mi as Map<number, (string | null)[] | null> | null;
      const ms = r.ms as Map<string, number> | null;
      return {
        id: r.id, a: j(r.a), sa: j(r.sa),
        nested: r.nested === null ? null : j((r.nested as (bigint | null)[][]).map((l) => l && l.map((x) => (x === null ? null : String(x))))),
        mn: m === null ? null : BigInt(m.size), mk: m && j([...m.keys()]), mv: m && j([...m.values()].map(dbl)),
        mik: mi && j([...mi.keys()]), miv: mi && j([...mi.values()]),
        ms: ms && j(Object.fromEntries(ms)), ad: j(r.ad), ar: j(r.ar), ts: j(r.ts),
      };
    });
    expect(got).toEqual(want);
  });

  it('read the LIST and MAP files DuckDB writes', async () => {
    await con().run(`COPY (SELECT * FROM (VALUES
      (1, [1, NULL, 3], [['x'], [], NULL], MAP {'k': 1.5, 'é': NULL}, [1.25, -0.5]::DECIMAL(9,2)[], MAP {2: ['a', NULL]}),
      (2, [], NULL, MAP {}, NULL, NULL),
      (3, NULL, [[]], NULL, [NULL]::DECIMAL(9,2)[], MAP {-1: []})
    ) t(id, a, nested, m, ad, mi)) TO '${tmp('duck')}' (FORMAT parquet)`);
    const s: Schema = {
      columns: [
        { name: 'id', type: T.INT, nullable: true },
        { name: 'a', type: T.array(T.INT), nullable: true },
        { name: 'nested', type: T.array(T.array(T.VARCHAR)), nullable: true },
        { name: 'm', type: T.map(T.VARCHAR, T.DOUBLE), nullable: true },
        { name: 'ad', type: T.array(T.decimal(9, 2)), nullable: true },
        { name: 'mi', type: T.map(T.INT, T.array(T.VARCHAR)), nullable: true },
      ],
    };
    const back = await parquetFormat.decodeBytes(readFileSync(tmp('duck')), s, 'duck.parquet');
    expect(back.rejected).toEqual([]);
    const rows = batchToRows(back.batch).sort((x, y) => (x.id as number) - (y.id as number));
    const dec = (x: unknown): unknown => (x === null ? null : String(x));
    expect(rows.map((r) => ({ ...r, ad: r.ad && (r.ad as unknown[]).map(dec) }))).toEqual([
      { id: 1, a: [1, null, 3], nested: [['x'], [], null], m: new Map<string, number | null>([['k', 1.5], ['é', null]]), ad: ['1.25', '-0.5'], mi: new Map([[2, ['a', null]]]) },
      { id: 2, a: [], nested: null, m: new Map(), ad: null, mi: null },
      { id: 3, a: null, nested: [[]], m: null, ad: [null], mi: new Map([[-1, []]]) },
    ]);
  });

  it('go through queries: JSON into a Parquet sink, that Parquet into a JSON sink, as DuckDB reads it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-parquet-coll-'));
    mkdirSync(path.join(dir, 'in'));
    writeFileSync(path.join(dir, 'in', 'a.json'), [
      { id: 1, tags: ['a', 'ü', null], m: { x: 1, y: null }, nested: [[1, 2], [], null], ms: { a: 2 } },
      { id: 2, tags: [], m: {}, nested: null, ms: ['q', 'q', 'r'] },
      { id: 3, tags: null, m: null },
    ].map((r) => JSON.stringify(r)).join('\n') + '\n');
    const cols = 'id INT, tags ARRAY<STRING>, m MAP<STRING, INT>, nested ARRAY<ARRAY<BIGINT>>, ms MULTISET<STRING>';
    const engine = new Engine({ clock: new ManualClock(0) });
    try {
      const [q1] = await engine.execute(`
        CREATE TABLE j (${cols}) WITH ('connector' = 'filesystem', 'path' = '${dir}/in', 'format' = 'json');
        CREATE TABLE p (${cols}) WITH ('connector' = 'filesystem', 'path' = '${dir}/pq', 'format' = 'parquet');
        INSERT INTO p SELECT * FROM j;`);
      await q1!.processAllAvailable();
      const [q2] = await engine.execute(`
        CREATE TABLE o (${cols}, n12 BIGINT) WITH ('connector' = 'filesystem', 'path' = '${dir}/out', 'format' = 'json');
        INSERT INTO o SELECT id, tags, m, nested, ms, nested[1][2] FROM p;`);
      await q2!.processAllAvailable();
    } finally {
      await engine.stop();
    }
    const lines = readdirSync(path.join(dir, 'out')).filter((f) => f.startsWith('part-')).flatMap((f) =>
      readFileSync(path.join(dir, 'out', f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: number }));
    expect(lines.sort((a, b) => a.id - b.id)).toEqual([
      { id: 1, tags: ['a', 'ü', null], m: { x: 1, y: null }, nested: [[1, 2], [], null], ms: { a: 2 }, n12: 2 },
      { id: 2, tags: [], m: {}, nested: null, ms: { q: 2, r: 1 }, n12: null },
      { id: 3, tags: null, m: null, nested: null, ms: null, n12: null },
    ]);
    const duck = await duckRows(`SELECT id, to_json(tags)::VARCHAR AS tags, to_json(m)::VARCHAR AS m, typeof(nested) AS tn, to_json(ms)::VARCHAR AS ms
      FROM read_parquet('${dir}/pq/part-*.parquet') ORDER BY id`);
    expect(duck).toEqual([
      { id: 1, tags: '["a","ü",null]', m: '{"x":1,"y":null}', tn: 'BIGINT[][]', ms: '{"a":2}' },
      { id: 2, tags: '[]', m: '{}', tn: 'BIGINT[][]', ms: '{"q":2,"r":1}' },
      { id: 3, tags: null, m: null, tn: 'BIGINT[][]', ms: null },
    ]);
  });
});
