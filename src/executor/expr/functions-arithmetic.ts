/**
 * + - * / % and unary minus over Float64Array vectors, with a loop per operator and per shape
 * (column op column, column op constant, constant op column) so the hot loops have no calls.
 *
 * Number semantics:
 * - every number-like type is a double here, and integer results are exact: a BIGINT beyond 2^53 is
 *   also held as an int64 (the vector's `big`, see exact-int.ts); a result outside its integer type's
 *   range fails the query naming the expression and the values (never wraps around, as DuckDB);
 * - DECIMAL values are unscaled integers (common/decimal.ts): + - MOD as integers, * and / rescaled
 *   to the result's scale, rounding half away from zero (decimal-kernels.ts), exact as DuckDB's;
 * - integer `/` already arrives as DOUBLE (the resolver casts), so x / 0 is ±Infinity or NaN;
 *   DECIMAL division by zero and integer or DECIMAL MOD by zero are errors, as in Flink;
 * - MOD is the truncated remainder with the sign of the dividend (Java's %).
 */
import type { SqlType } from '../../common/types.js';
import { isInteger } from '../../common/types.js';
import type { Call } from '../../planner/expr.js';
import { exprForUser } from '../../planner/expr.js';
import type { ScalarFunctionName } from '../../planner/functions.js';
import { exactIntegerResults, type IntOp } from './exact-int.js';
import { decimalMulDiv, type DecimalOp } from './decimal-kernels.js';
import type { FnImpl, Input, Node } from './node.js';
import { constOf, isConst, runtimeError } from './node.js';
import type { NumVec, Vec } from './vector.js';
import { andValid, numVec } from './vector.js';

/**
 * `imod` is MOD of integers: x - trunc(x / y) * y, which is exact for |x| < 2^53 (the quotient's
 * rounding error is below 1/|y| there) and several times faster than the double `%` (fmod).
 */
type Op = 'add' | 'subtract' | 'multiply' | 'divide' | 'mod' | 'imod';

function vv(op: Op, x: Float64Array, y: Float64Array, out: Float64Array, n: number): void {
  switch (op) {
    case 'add': for (let i = 0; i < n; i++) out[i] = x[i]! + y[i]!; break;
    case 'subtract': for (let i = 0; i < n; i++) out[i] = x[i]! - y[i]!; break;
    case 'multiply': for (let i = 0; i < n; i++) out[i] = x[i]! * y[i]!; break;
    case 'divide': for (let i = 0; i < n; i++) out[i] = x[i]! / y[i]!; break;
    case 'mod': for (let i = 0; i < n; i++) out[i] = x[i]! % y[i]!; break;
    case 'imod': for (let i = 0; i < n; i++) { const a = x[i]!, b = y[i]!; out[i] = a - Math.trunc(a / b) * b; } break;
  }
}

function vc(op: Op, x: Float64Array, c: number, out: Float64Array, n: number): void {
  switch (op) {
    case 'add': for (let i = 0; i < n; i++) out[i] = x[i]! + c; break;
    case 'subtract': for (let i = 0; i < n; i++) out[i] = x[i]! - c; break;
    case 'multiply': for (let i = 0; i < n; i++) out[i] = x[i]! * c; break;
    case 'divide': for (let i = 0; i < n; i++) out[i] = x[i]! / c; break;
    case 'mod': for (let i = 0; i < n; i++) out[i] = x[i]! % c; break;
    case 'imod': for (let i = 0; i < n; i++) { const a = x[i]!; out[i] = a - Math.trunc(a / c) * c; } break;
  }
}

function cv(op: Op, c: number, y: Float64Array, out: Float64Array, n: number): void {
  switch (op) {
    case 'add': for (let i = 0; i < n; i++) out[i] = c + y[i]!; break;
    case 'subtract': for (let i = 0; i < n; i++) out[i] = c - y[i]!; break;
    case 'multiply': for (let i = 0; i < n; i++) out[i] = c * y[i]!; break;
    case 'divide': for (let i = 0; i < n; i++) out[i] = c / y[i]!; break;
    case 'mod': for (let i = 0; i < n; i++) out[i] = c % y[i]!; break;
    case 'imod': for (let i = 0; i < n; i++) { const b = y[i]!; out[i] = c - Math.trunc(c / b) * b; } break;
  }
}

function arithmetic(name: Exclude<Op, 'imod'>): FnImpl {
  return (args: readonly Node[], call: Call) => {
    const [a, b] = args as [Node, Node];
    const op: Op = name === 'mod' && (isInteger(a.type) || a.type.kind === 'DECIMAL') && (isInteger(b.type) || b.type.kind === 'DECIMAL') ? 'imod' : name;
    // Division by zero is an error only where Java would throw: integer and DECIMAL operands.
    const operandType = b.type;
    const zeroFails = (name === 'mod' && (isInteger(operandType) || operandType.kind === 'DECIMAL'))
      || (op === 'divide' && operandType.kind === 'DECIMAL');
    const ca = isConst(a) ? constOf(a) : undefined, cb = isConst(b) ? constOf(b) : undefined;
    // integers and DECIMALs (unscaled integers) are exact: + - MOD as integers, * / rescaled
    const dec = call.type.kind === 'DECIMAL';
    const opScale = a.type.kind === 'DECIMAL' ? a.type.scale : 0;
    const decOp: DecimalOp | undefined = dec && (name === 'divide' || (name === 'multiply' && call.type.kind === 'DECIMAL' && call.type.scale !== 2 * opScale))
      ? (name as DecimalOp) : undefined;
    const intOp: IntOp | undefined = (isInteger(call.type) || dec) && name !== 'divide' && decOp === undefined
      ? (op === 'mod' || op === 'imod' ? 'imod' : op as IntOp) : undefined;
    const what = (): string => exprForUser(call);
    const checkZero = (y: NumVec | number, valid: Uint8Array | null, n: number): void => {
      if (!zeroFails) return;
      if (typeof y === 'number') {
        if (y === 0 && (valid === null || valid.includes(1))) throw runtimeError('division by zero', call.span);
        return;
      }
      const ys = y.values;
      for (let i = 0; i < n; i++) if (ys[i] === 0 && (valid === null || valid[i] === 1)) throw runtimeError('division by zero', call.span);
    };
    const kernel = (inp: Input): Vec => {
      const n = inp.length;
      const out = inp.alloc.f64(n);
      let valid: Uint8Array | null;
      let x: NumVec | number | bigint, y: NumVec | number | bigint;
      if (cb !== undefined && ca === undefined) {
        if (cb === null) return numVec(out, new Uint8Array(n));
        x = a.eval(inp) as NumVec; y = cb as number | bigint;
        valid = x.valid;
        checkZero(Number(cb), valid, n);
        vc(op, x.values, Number(cb), out, n);
      } else if (ca !== undefined && cb === undefined) {
        if (ca === null) return numVec(out, new Uint8Array(n));
        x = ca as number | bigint; y = b.eval(inp) as NumVec;
        valid = y.valid;
        checkZero(y, valid, n);
        cv(op, Number(ca), y.values, out, n);
      } else {
        x = a.eval(inp) as NumVec; y = b.eval(inp) as NumVec;
        valid = andValid(x.valid, y.valid, n);
        checkZero(y, valid, n);
        vv(op, x.values, y.values, out, n);
      }
      if (decOp !== undefined) return numVec(out, valid, decimalMulDiv(decOp, x, y, out, valid, n, opScale, call.type, what, call.span));
      if (intOp === undefined) return numVec(out, valid);
      return numVec(out, valid, exactIntegerResults(intOp, x, y, out, valid, n, call.type, what, call.span, a.type));
    };
    return { eval: kernel, mayThrow: zeroFails };
  };
}

const negate: FnImpl = (args, call) => {
  const a = args[0]!;
  return (inp) => {
    const x = a.eval(inp) as NumVec;
    const n = inp.length, xs = x.values;
    const out = inp.alloc.f64(n);
    for (let i = 0; i < n; i++) out[i] = -xs[i]!;
    if (!isInteger(call.type) && call.type.kind !== 'DECIMAL') return numVec(out, x.valid);
    return numVec(out, x.valid, exactIntegerResults('negate', x, undefined, out, x.valid, n, call.type, () => exprForUser(call), call.span));
  };
};

export const ARITHMETIC_FUNCTIONS = {
  add: arithmetic('add'),
  subtract: arithmetic('subtract'),
  multiply: arithmetic('multiply'),
  divide: arithmetic('divide'),
  mod: arithmetic('mod'),
  negate,
} satisfies Partial<Record<ScalarFunctionName, FnImpl>>;
