/**
 * Implicit and explicit casts.
 *
 * The binder casts a function's arguments to the types the registry's resolver asks for; INSERT
 * casts the query's columns to the sink's types when the cast is implicit (widening only, as
 * Flink's `supportsImplicitCast`); CAST checks that a conversion exists at all.
 */
import type { SqlType } from '../../common/types.js';
import { isInteger, isNumeric, T, typesEqual } from '../../common/types.js';
import type { BoundExpr } from '../expr.js';
import { exprType } from '../expr.js';

/** Digits an integer type needs, to size the DECIMAL it is cast to. */
const INTEGER_DIGITS: Readonly<Record<string, number>> = { TINYINT: 3, SMALLINT: 5, INT: 10, BIGINT: 19 };

/**
 * The type an implicit cast of `from` to `to` really targets. A DECIMAL that cannot hold the integer
 * digits of the value (the registry types `0.908 * price` as DECIMAL(4, 3) arguments) is widened so
 * that no value overflows: the scale, which is what the result is rounded to, is kept.
 */
function implicitTarget(from: SqlType, to: SqlType): SqlType {
  if (to.kind !== 'DECIMAL') return to;
  let intDigits: number | undefined;
  if (isInteger(from)) intDigits = INTEGER_DIGITS[from.kind];
  else if (from.kind === 'DECIMAL') intDigits = from.precision - from.scale;
  if (intDigits === undefined || intDigits <= to.precision - to.scale) return to;
  return T.decimal(Math.min(38, intDigits + to.scale), to.scale);
}

/** `e` as a value of type `to`: unchanged when it already is, a typed NULL for NULL, else a Cast. */
export function coerce(e: BoundExpr, to: SqlType): BoundExpr {
  const from = exprType(e);
  if (typesEqual(from, to)) return e;
  if (e.kind === 'literal' && e.value === null) return { ...e, type: to };
  const target = implicitTarget(from, to);
  if (typesEqual(from, target)) return e;
  return { kind: 'cast', operand: e, type: target, try: false, ...(e.span ? { span: e.span } : {}) };
}

const NUMERIC_RANK: Readonly<Record<string, number>> = { TINYINT: 1, SMALLINT: 2, INT: 3, BIGINT: 4, DECIMAL: 5, FLOAT: 6, DOUBLE: 7 };

/** Whether a value of `from` may be stored in a column of `to` without an explicit CAST. */
export function canImplicitCast(from: SqlType, to: SqlType): boolean {
  if (from.kind === 'NULL' || typesEqual(from, to)) return true;
  if (isNumeric(from) && isNumeric(to)) {
    if (from.kind === 'DECIMAL' && to.kind === 'DECIMAL') return true;
    if (isInteger(from) && to.kind === 'DECIMAL') return true;
    return NUMERIC_RANK[from.kind]! <= NUMERIC_RANK[to.kind]! && !(from.kind === 'DECIMAL' && isInteger(to));
  }
  if (from.kind === 'TIMESTAMP' && to.kind === 'TIMESTAMP') return true;
  if (from.kind === 'DATE' && to.kind === 'TIMESTAMP') return true;
  if (from.kind === 'ROW' && to.kind === 'ROW') {
    return from.fields.length === to.fields.length && from.fields.every((f, i) => canImplicitCast(f.type, to.fields[i]!.type));
  }
  if ((from.kind === 'ARRAY' && to.kind === 'ARRAY') || (from.kind === 'MULTISET' && to.kind === 'MULTISET')) return canImplicitCast(from.element, to.element);
  if (from.kind === 'MAP' && to.kind === 'MAP') return canImplicitCast(from.key, to.key) && canImplicitCast(from.value, to.value);
  return from.kind === to.kind;
}

/** Whether CAST(from AS to) is defined. */
export function canExplicitCast(from: SqlType, to: SqlType): boolean {
  if (from.kind === 'NULL' || from.kind === to.kind) {
    if (from.kind === 'ROW' && to.kind === 'ROW') {
      return from.fields.length === to.fields.length && from.fields.every((f, i) => canExplicitCast(f.type, to.fields[i]!.type));
    }
    if ((from.kind === 'ARRAY' && to.kind === 'ARRAY') || (from.kind === 'MULTISET' && to.kind === 'MULTISET')) return canExplicitCast(from.element, to.element);
    if (from.kind === 'MAP' && to.kind === 'MAP') return canExplicitCast(from.key, to.key) && canExplicitCast(from.value, to.value);
    return true;
  }
  const collection = (t: SqlType): boolean => t.kind === 'ARRAY' || t.kind === 'MAP' || t.kind === 'MULTISET';
  if (collection(from)) return to.kind === 'VARCHAR';
  if (collection(to)) return false;
  if (from.kind === 'ROW' || to.kind === 'ROW' || to.kind === 'NULL') return false;
  if (from.kind === 'VARCHAR' || to.kind === 'VARCHAR') return true;
  if (isNumeric(from) && (isNumeric(to) || to.kind === 'BOOLEAN')) return true;
  if (from.kind === 'BOOLEAN' && isNumeric(to)) return true;
  const temporal = (t: SqlType): boolean => t.kind === 'DATE' || t.kind === 'TIMESTAMP';
  return temporal(from) && temporal(to);
}
