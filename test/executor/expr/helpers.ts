import { canonicalInt64 } from '../../../src/common/int64.js';
/** Shared helpers for the expression kernel tests: batches from rows, calls by hand, results as values. */
import * as arrow from 'apache-arrow';
import { fromApiValue, rowsToBatch, toApiValue } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import type { SqlType } from '../../../src/common/types.js';
import { T } from '../../../src/common/types.js';
import type { BoundExpr, Call } from '../../../src/planner/expr.js';
import { col, lit as literal } from '../../../src/planner/expr.js';
import type { ScalarFunctionName } from '../../../src/planner/functions.js';
import type { ExprContext } from '../../../src/executor/expr/compile.js';
import { compileExpr, compilePredicate, defaultExprContext, evaluateConstant } from '../../../src/executor/expr/compile.js';

export { col, T };

/** A literal as the API writes it: a DECIMAL from its number (held as its unscaled integer). */
export const lit = (value: Parameters<typeof literal>[0], type: SqlType): ReturnType<typeof literal> =>
  literal(fromApiValue(value, type) as Parameters<typeof literal>[0], type);

export const ctx: ExprContext = defaultExprContext();

export function schemaOf(cols: Record<string, SqlType>): Schema {
  return { columns: Object.entries(cols).map(([name, type]) => ({ name, type, nullable: true })) };
}

export function call(fn: ScalarFunctionName, type: SqlType, ...args: BoundExpr[]): Call {
  return { kind: 'call', fn, args, type };
}

export const cast = (operand: BoundExpr, type: SqlType, tryCast = false): BoundExpr => ({ kind: 'cast', operand, type, try: tryCast });

/**
 * Values of one column of a kernel's output, read with arrow-js's own getters (which honour sliced
 * Data the arrow-js way: buffers narrowed by slice, `offset` for bitmaps only).
 */
export function dataValues(d: arrow.Data): unknown[] {
  const v = arrow.makeVector(d);
  const out: unknown[] = [];
  // a Decimal128 value (DECIMAL(p > 18)) is its unscaled integer: arrow-js's text of it, made exact
  const decimal = d.typeId === arrow.Type.Decimal;
  for (let i = 0; i < d.length; i++) out.push(decimal ? (v.get(i) === null ? null : canonicalInt64(BigInt(String(v.get(i))))) : plain(v.get(i)));
  return out;
}

function plain(x: unknown): unknown {
  if (typeof x === 'bigint') return canonicalInt64(x); // exact: a number within 2^53, else the bigint
  if (x !== null && typeof x === 'object' && typeof (x as { toJSON?: unknown }).toJSON === 'function') {
    const o = (x as { toJSON(): Record<string, unknown> }).toJSON();
    return Object.fromEntries(Object.entries(o).map(([k, y]) => [k, plain(y)]));
  }
  return x;
}

/** Evaluate `e` over rows of `schema`, returning one JS value per row. */
export function evalRows(e: BoundExpr, schema: Schema, rows: Record<string, unknown>[], c: ExprContext = ctx): unknown[] {
  const batch = rowsToBatch(schema, rows);
  const out = compileExpr(e, schema, c)(batch);
  expect(out.length).toBe(rows.length);
  return dataValues(out).map((v) => toApiValue(v, e.type));
}

/** Evaluate `e` over one column `x` of type t holding `values`. */
export function evalCol(t: SqlType, values: unknown[], make: (x: BoundExpr) => BoundExpr, c: ExprContext = ctx): unknown[] {
  const s = schemaOf({ x: t });
  return evalRows(make(col(0, 'x', t)), s, values.map((x) => ({ x })), c);
}

/** Rows selected by a predicate. */
export function selected(e: BoundExpr, schema: Schema, rows: Record<string, unknown>[], c: ExprContext = ctx): number[] {
  const { indices, count } = compilePredicate(e, schema, c)(rowsToBatch(schema, rows));
  return Array.from(indices.subarray(0, count));
}

export const constant = (e: BoundExpr, c: ExprContext = ctx): unknown => toApiValue(evaluateConstant(e, c), e.type);

import { expect } from 'vitest';
