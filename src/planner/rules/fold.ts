/**
 * Constant evaluation in the planner, for the constant-folding rule and for the binder (window sizes
 * must be constants).
 *
 * Only a safe subset is folded: the result must be exactly what the executor would compute. So
 * integer arithmetic folds only when the result stays in the type's range, DECIMAL and FLOAT
 * arithmetic and division are left to run time (rounding and division by zero are the kernels'
 * business), and strings are only compared for equality (ordering depends on the kernels' collation).
 */
import type { SqlType } from '../../common/types.js';
import { isInteger, T } from '../../common/types.js';
import type { BoundExpr, Call, Cast, Case, Literal } from '../expr.js';
import { mapExpr } from '../expr.js';

type Value = Literal['value'];

const INTEGER_RANGE: Readonly<Record<string, readonly [number, number]>> = {
  TINYINT: [-128, 127], SMALLINT: [-32768, 32767], INT: [-(2 ** 31), 2 ** 31 - 1],
  BIGINT: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

const isLit = (e: BoundExpr): e is Literal => e.kind === 'literal';
const isBoolLit = (e: BoundExpr, v: boolean): boolean => isLit(e) && e.value === v;

function lit(value: Value, type: SqlType, like: BoundExpr): Literal {
  return like.span ? { kind: 'literal', value, type, span: like.span } : { kind: 'literal', value, type };
}

/** Whether number `v` is a value of numeric type `t` as the executor would hold it. */
function fits(v: number, t: SqlType): boolean {
  if (!Number.isFinite(v)) return false;
  const r = INTEGER_RANGE[t.kind];
  if (r) return Number.isInteger(v) && v >= r[0] && v <= r[1];
  if (t.kind === 'DOUBLE' || t.kind === 'INTERVAL' || t.kind === 'TIMESTAMP') return true;
  if (t.kind === 'DECIMAL') return Number.isSafeInteger(v) && Math.abs(v) < 10 ** t.precision; // the unscaled integer
  return false;
}

/** Fold every constant sub-expression of `e` that is safe to fold. */
export function foldExpr(e: BoundExpr): BoundExpr {
  return mapExpr(e, foldNode);
}

function foldNode(e: BoundExpr): BoundExpr {
  switch (e.kind) {
    case 'cast': return foldCast(e) ?? e;
    case 'call': return foldCall(e) ?? e;
    case 'case': return foldCase(e);
    default: return e;
  }
}

function foldCast(e: Cast): BoundExpr | undefined {
  const x = e.operand;
  if (!isLit(x)) return undefined;
  const to = e.type;
  if (x.value === null) return lit(null, to, e);
  const from = x.type;
  if (typeof x.value !== 'number') return undefined;
  const v = x.value;
  if (from.kind === 'DECIMAL' || to.kind === 'DECIMAL') return undefined; // rescaling is the kernels' (decimal-cast.ts)
  if (isInteger(from)) {
    if (isInteger(to) && isInteger(from)) return fits(v, to) ? lit(v, to, e) : undefined;
    if (to.kind === 'DOUBLE') return fits(v, to) ? lit(v, to, e) : undefined;
    if (to.kind === 'VARCHAR' && isInteger(from)) return lit(String(v), to, e);
  }
  if (from.kind === 'INTERVAL' && to.kind === 'INTERVAL') return lit(v, to, e);
  if (from.kind === 'TIMESTAMP' && to.kind === 'TIMESTAMP' && from.ltz === to.ltz) return lit(v, to, e);
  return undefined;
}

function foldCase(e: Case): BoundExpr {
  // WHEN FALSE / WHEN NULL branches never fire; a leading WHEN TRUE always does.
  const whens = e.whens.filter((w) => !(isLit(w.when) && w.when.value !== true));
  if (whens.length > 0 && isBoolLit(whens[0]!.when, true)) return whens[0]!.then;
  if (whens.length === 0) return e.else ?? lit(null, e.type, e);
  return whens.length === e.whens.length ? e : { ...e, whens };
}

/** AND/OR with one constant side, NOT NOT x: simplifications that hold in three-valued logic. */
function simplifyLogic(e: Call): BoundExpr | undefined {
  const [a, b] = e.args;
  if (e.fn === 'and') {
    if (isBoolLit(a!, true)) return b;
    if (isBoolLit(b!, true)) return a;
    if (isBoolLit(a!, false) || isBoolLit(b!, false)) return lit(false, T.BOOLEAN, e);
  }
  if (e.fn === 'or') {
    if (isBoolLit(a!, false)) return b;
    if (isBoolLit(b!, false)) return a;
    if (isBoolLit(a!, true) || isBoolLit(b!, true)) return lit(true, T.BOOLEAN, e);
  }
  if (e.fn === 'not' && a!.kind === 'call' && a!.fn === 'not') return a!.args[0];
  return undefined;
}

function foldCall(e: Call): BoundExpr | undefined {
  const simple = simplifyLogic(e);
  if (simple) return simple;
  if (!e.args.every(isLit)) return undefined;
  const vals = (e.args as readonly Literal[]).map((a) => a.value);
  const v = evalCall(e, vals, e.args as readonly Literal[]);
  return v === undefined ? undefined : lit(v, e.type, e);
}

const isNum = (v: Value): v is number => typeof v === 'number';

/** The value of `e` over constant arguments, or undefined when it is not safe to compute here. */
function evalCall(e: Call, vals: readonly Value[], args: readonly Literal[]): Value | undefined {
  const [a, b] = vals;
  const t = e.type;
  const anyNull = vals.some((v) => v === null);
  switch (e.fn) {
    case 'add': case 'subtract': case 'multiply': {
      if (anyNull) return null;
      if (!isNum(a) || !isNum(b)) return undefined;
      const numericOk = isInteger(t) || t.kind === 'DOUBLE' || t.kind === 'INTERVAL' || t.kind === 'TIMESTAMP';
      if (!numericOk || args.some((x) => x.type.kind === 'DECIMAL' || x.type.kind === 'FLOAT')) return undefined;
      const r = e.fn === 'add' ? a + b : e.fn === 'subtract' ? a - b : a * b;
      if ((t.kind === 'INTERVAL' || t.kind === 'TIMESTAMP') && !Number.isInteger(r)) return undefined;
      return fits(r, t) ? r : undefined;
    }
    case 'negate':
      if (a === null) return null;
      return isNum(a) && t.kind !== 'FLOAT' && fits(-a, t) ? -a : undefined;
    case 'eq': case 'ne': case 'lt': case 'le': case 'gt': case 'ge': {
      if (anyNull) return null;
      if (typeof a !== typeof b || (typeof a === 'string' && e.fn !== 'eq' && e.fn !== 'ne')) return undefined;
      if (!isNum(a) && typeof a !== 'string' && typeof a !== 'boolean') return undefined;
      const x = a as number, y = b as number;
      switch (e.fn) {
        case 'eq': return x === y;
        case 'ne': return x !== y;
        case 'lt': return x < y;
        case 'le': return x <= y;
        case 'gt': return x > y;
        default: return x >= y;
      }
    }
    case 'is_distinct_from': case 'is_not_distinct_from': {
      if (typeof a === 'object' && a !== null) return undefined;
      const same = a === b;
      return e.fn === 'is_distinct_from' ? !same : same;
    }
    case 'in': {
      if (a === null) return null;
      const rest = vals.slice(1);
      if (rest.some((v) => v !== null && typeof v !== typeof a)) return undefined;
      if (rest.includes(a)) return true;
      return rest.includes(null) ? null : false;
    }
    case 'and':
      if (a === false || b === false) return false;
      return a === null || b === null ? null : true;
    case 'or':
      if (a === true || b === true) return true;
      return a === null || b === null ? null : false;
    case 'not': return a === null ? null : !a;
    case 'is_null': return a === null;
    case 'is_not_null': return a !== null;
    case 'is_true': return a === true;
    case 'is_false': return a === false;
    case 'is_not_true': return a !== true;
    case 'is_not_false': return a !== false;
    default:
      return undefined;
  }
}
