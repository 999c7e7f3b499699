/**
 * The two measurements the kernels are judged by, over 1 M-row BIGINT columns: the predicate
 * MOD(x, 123) = 0 and the projection 0.908 * x. The checks make sure the fast paths compute the right
 * thing; the timings are printed (ns/row) rather than asserted, as machines differ.
 */
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { batchFromColumns, makeAny, valueAt } from '../../../src/common/columns.js';
import { compileExpr, compilePredicate } from '../../../src/executor/expr/compile.js';
import { call, col, ctx, lit, schemaOf, T } from './helpers.js';

const N = 1_000_000;

function bigintBatch(): arrow.RecordBatch {
  const data = new BigInt64Array(N);
  for (let i = 0; i < N; i++) data[i] = BigInt(i * 7 + 3);
  const d = makeAny({ type: new arrow.Int64(), length: N, nullCount: 0, data });
  return batchFromColumns(schemaOf({ x: T.BIGINT }), [d], N);
}

function timeIt(f: () => void, reps = 7): number {
  f(); f(); // warm up
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    f();
    times.push(Number(process.hrtime.bigint() - t0));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(reps / 2)]! / N;
}

describe('kernel speed over 1 M BIGINT rows', () => {
  const batch = bigintBatch();
  const schema = schemaOf({ x: T.BIGINT });
  const x = col(0, 'x', T.BIGINT);

  it('MOD(x, 123) = 0 as a predicate', () => {
    const pred = compilePredicate(
      call('eq', T.BOOLEAN, call('mod', T.BIGINT, x, lit(123, T.BIGINT)), lit(0, T.BIGINT)), schema, ctx);
    let res = pred(batch);
    const ns = timeIt(() => { res = pred(batch); });
    let expected = 0;
    for (let i = 0; i < N; i++) if ((i * 7 + 3) % 123 === 0) expected++;
    expect(res.count).toBe(expected);
    for (let k = 0; k < res.count; k++) expect((res.indices[k]! * 7 + 3) % 123).toBe(0);
    console.log(`predicate MOD(x, 123) = 0: ${ns.toFixed(2)} ns/row`);
  });

  it('0.908 * x as a projection', () => {
    const t = T.decimal(23, 3);
    const e = call('multiply', t, lit(0.908, t), { kind: 'cast', operand: x, type: t, try: false });
    const k = compileExpr(e, schema, ctx);
    let out = k(batch);
    const ns = timeIt(() => { out = k(batch); });
    // DECIMAL(23, 3): unscaled integers, exact, in a Decimal128 column (more than 18 digits)
    for (const i of [0, 1, 12345, N - 1]) expect(valueAt(out, i)).toBe(908 * (i * 7 + 3));
    console.log(`projection 0.908 * x: ${ns.toFixed(2)} ns/row`);
  });
});
