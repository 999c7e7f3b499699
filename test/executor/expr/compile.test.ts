import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { rowsToBatch } from '../../../src/common/columns.js';
import { WeirError } from '../../../src/common/errors.js';
import { compileExpr, compileProjection, defaultExprContext } from '../../../src/executor/expr/compile.js';
import type { BoundExpr, FieldRef, UdfCall } from '../../../src/planner/expr.js';
import { call, cast, col, constant, ctx, dataValues, evalRows, lit, schemaOf, T } from './helpers.js';

const inner = T.row([{ name: 'p', type: T.INT }, { name: 'q', type: T.VARCHAR }]);
const R = T.row([{ name: 'x', type: T.INT }, { name: 'y', type: T.VARCHAR }, { name: 'z', type: inner }]);
const schema = schemaOf({ id: T.BIGINT, r: R, s: T.VARCHAR });
const rows = [
  { id: 1, r: { x: 10, y: 'a', z: { p: 1, q: 'u' } }, s: 'one' },
  { id: 2, r: null, s: null },
  { id: 3, r: { x: null, y: 'c', z: null }, s: 'three' },
  { id: 4, r: { x: 40, y: 'd', z: { p: 4, q: null } }, s: 'four' },
];
const r = col(1, 'r', R);
const field = (operand: BoundExpr, fieldIndex: number, name: string, type: typeof T.INT): FieldRef =>
  ({ kind: 'field', operand, fieldIndex, name, type });

describe('projection', () => {
  it('passes bare column references through as the same Data object', () => {
    const batch = rowsToBatch(schema, rows);
    const out = compileProjection([col(2, 's', T.VARCHAR), col(0, 'id', T.BIGINT)], schema, ctx)(batch);
    expect(out[0]).toBe(batch.data.children[2]);
    expect(out[1]).toBe(batch.data.children[0]);
    expect(compileExpr(col(0, 'id', T.BIGINT), schema, ctx)(batch)).toBe(batch.data.children[0]);
  });

  it('passes a struct field through, with the parent’s nulls', () => {
    const batch = rowsToBatch(schema, rows);
    const out = compileProjection([field(r, 0, 'x', T.INT), field(r, 1, 'y', T.VARCHAR), field(field(r, 2, 'z', inner), 0, 'p', T.INT)], schema, ctx)(batch);
    expect(dataValues(out[0]!)).toEqual([10, null, null, 40]);
    expect(dataValues(out[1]!)).toEqual(['a', null, 'c', 'd']);
    expect(dataValues(out[2]!)).toEqual([1, null, null, 4]);
    expect(out[0]!.type).toBeInstanceOf(arrow.Int32);
  });

  it('without parent nulls, the struct field is the child Data itself', () => {
    const noNulls = [rows[0]!, rows[3]!];
    const batch = rowsToBatch(schema, noNulls);
    const [x] = compileProjection([field(r, 0, 'x', T.INT)], schema, ctx)(batch);
    expect(x).toBe(batch.data.children[1]!.children[0]);
  });

  it('reads sliced batches (offset ≠ 0) correctly, struct children included', () => {
    const many = Array.from({ length: 20 }, (_, i) => (i % 5 === 2 ? { id: i, r: null, s: null } : { id: i, r: { x: i * 10, y: `y${i}`, z: { p: i, q: 'q' } }, s: `s${i}` }));
    const sliced = rowsToBatch(schema, many).slice(5, 17) as arrow.RecordBatch;
    expect(sliced.data.children[1]!.offset).toBe(5);
    const want = many.slice(5, 17);
    const exprs: BoundExpr[] = [
      field(r, 0, 'x', T.INT),
      call('add', T.INT, field(r, 0, 'x', T.INT), lit(1, T.INT)),
      call('concat', T.VARCHAR, col(2, 's', T.VARCHAR), field(r, 1, 'y', T.VARCHAR)),
      call('eq', T.BOOLEAN, col(2, 's', T.VARCHAR), lit('s9', T.VARCHAR)),
      call('multiply', T.BIGINT, col(0, 'id', T.BIGINT), lit(2, T.BIGINT)),
    ];
    const out = compileProjection(exprs, schema, ctx)(sliced);
    expect(dataValues(out[0]!)).toEqual(want.map((w) => w.r?.x ?? null));
    expect(dataValues(out[1]!)).toEqual(want.map((w) => (w.r ? w.r.x + 1 : null)));
    expect(dataValues(out[2]!)).toEqual(want.map((w) => (w.r ? `${w.s}${w.r.y}` : null)));
    expect(dataValues(out[3]!)).toEqual(want.map((w) => (w.s === null ? null : w.s === 's9')));
    expect(dataValues(out[4]!)).toEqual(want.map((w) => w.id * 2));
  });

  it('computes field access over an expression, NULL where the row is NULL', () => {
    const rc = cast(r, R); // a ROW value that is not a plain column
    expect(evalRows(field(rc, 1, 'y', T.VARCHAR), schema, rows)).toEqual(['a', null, 'c', 'd']);
    expect(evalRows(field(field(rc, 2, 'z', inner), 1, 'q', T.VARCHAR), schema, rows)).toEqual(['u', null, null, null]);
  });

  it('writes every output type back to its Arrow type, and runs batch after batch', () => {
    const k = compileProjection([
      call('add', T.BIGINT, col(0, 'id', T.BIGINT), lit(2 ** 40, T.BIGINT)),
      call('gt', T.BOOLEAN, col(0, 'id', T.BIGINT), lit(2, T.BIGINT)),
      call('upper', T.VARCHAR, col(2, 's', T.VARCHAR)),
      cast(col(0, 'id', T.BIGINT), T.TIMESTAMP),
      call('divide', T.DOUBLE, cast(col(0, 'id', T.BIGINT), T.DOUBLE), lit(4, T.DOUBLE)),
    ], schema, ctx);
    for (let round = 0; round < 3; round++) {
      const out = k(rowsToBatch(schema, rows));
      expect(out.map((d) => d.type.constructor.name)).toEqual(['Int64', 'Bool', 'Utf8', 'TimestampMillisecond', 'Float64']);
      expect(dataValues(out[0]!)).toEqual([1, 2, 3, 4].map((x) => x + 2 ** 40));
      expect(dataValues(out[1]!)).toEqual([false, false, true, true]);
      expect(dataValues(out[2]!)).toEqual(['ONE', null, 'THREE', 'FOUR']);
      expect(dataValues(out[3]!)).toEqual([1000, 2000, 3000, 4000]);
      expect(dataValues(out[4]!)).toEqual([0.25, 0.5, 0.75, 1]);
    }
  });

  it('keeps earlier outputs intact when later batches reuse scratch memory', () => {
    const k = compileExpr(call('multiply', T.DOUBLE, cast(col(0, 'id', T.BIGINT), T.DOUBLE), lit(2, T.DOUBLE)), schema, ctx);
    const first = k(rowsToBatch(schema, rows));
    k(rowsToBatch(schema, rows.map((x) => ({ ...x, id: x.id * 100 }))));
    expect(dataValues(first)).toEqual([2, 4, 6, 8]);
  });
});

describe('user-defined functions', () => {
  const udf = (name: string, args: BoundExpr[], type = T.VARCHAR): UdfCall => ({ kind: 'udf', name, args, type });
  const c = defaultExprContext({
    udfs: new Map<string, (...a: unknown[]) => unknown>([
      ['greet', (s, n) => (s === null ? 'nobody' : `${String(s)}#${String(n)}`)],
      ['boom', (x) => { if (x === 3) throw new Error('three is bad'); return x; }],
      ['big', () => 5n],
    ]),
  });
  it('are called per row with JS values, NULLs included', () => {
    expect(evalRows(udf('greet', [col(2, 's', T.VARCHAR), col(0, 'id', T.BIGINT)]), schema, rows, c))
      .toEqual(['one#1', 'nobody', 'three#3', 'four#4']);
    expect(evalRows(udf('big', [], T.BIGINT), schema, rows.slice(0, 1), c)).toEqual([5]);
  });
  it('a throwing UDF is a RUNTIME error naming the function and row', () => {
    let err: unknown;
    try { evalRows(udf('boom', [col(0, 'id', T.BIGINT)], T.BIGINT), schema, rows, c); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(WeirError);
    expect((err as WeirError).code).toBe('RUNTIME');
    expect((err as WeirError).message).toBe('function boom failed on the row with boom(3): three is bad');
  });
  it('a throwing UDF shows the row\'s arguments as SQL values: text quoted, NULL, long text cut', () => {
    const picky = defaultExprContext({ udfs: new Map([['picky', () => { throw new Error('no'); }]]) });
    const sch = schemaOf({ s: T.VARCHAR, n: T.BIGINT, ts: T.TIMESTAMP });
    let err: unknown;
    try {
      evalRows(udf('picky', [col(0, 's', T.VARCHAR), col(1, 'n', T.BIGINT), col(2, 'ts', T.TIMESTAMP)]), sch,
        [{ s: "it's", n: null, ts: Date.UTC(2026, 10, 23, 10, 0, 5) }], picky);
    } catch (e) { err = e; }
    expect((err as WeirError).message).toBe("function picky failed on the row with picky('it''s', NULL, '2026-11-23 10:00:05.000'): no");
    try { evalRows(udf('picky', [col(0, 's', T.VARCHAR)]), sch, [{ s: 'x'.repeat(200), n: 1, ts: 0 }], picky); } catch (e) { err = e; }
    expect((err as WeirError).message).toBe(`function picky failed on the row with picky('${'x'.repeat(77)}...'): no`);
  });
  it('a missing UDF is a BIND error at compile time', () => {
    expect(() => compileExpr(udf('nope', []), schema, c)).toThrow(expect.objectContaining({ code: 'BIND' }));
  });
});

describe('constants', () => {
  it('evaluateConstant computes expressions without columns', () => {
    expect(constant(call('add', T.INT, lit(1, T.INT), lit(2, T.INT)))).toBe(3);
    expect(constant(lit(null, T.NULL))).toBe(null);
    expect(constant(call('concat', T.VARCHAR, lit('a', T.VARCHAR), cast(lit(5, T.INT), T.VARCHAR)))).toBe('a5');
  });
  it('a constant that fails is only an error if a row reaches it', () => {
    const e = call('if', T.INT, call('gt', T.BOOLEAN, col(0, 'id', T.BIGINT), lit(100, T.BIGINT)),
      cast(lit('x', T.VARCHAR), T.INT), lit(0, T.INT));
    expect(evalRows(e, schema, rows)).toEqual([0, 0, 0, 0]);
    expect(() => evalRows(e, schema, [{ id: 101, r: null, s: null }])).toThrow(/cannot cast 'x' to INT/);
  });
  it('a bad time zone is an OPTION error', () => {
    expect(() => compileExpr(lit(1, T.INT), schema, defaultExprContext({ timeZone: 'Mars/Olympus' }))).toThrow(expect.objectContaining({ code: 'OPTION' }));
  });
});
