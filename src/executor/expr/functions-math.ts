/**
 * Numeric functions. ROUND is half-up (away from zero on a tie) as Flink's BigDecimal rounding;
 * TRUNCATE cuts toward zero; both take an optional number of decimals, which may be negative.
 * GREATEST and LEAST are NULL when any argument is NULL (Flink). RAND(seed) repeats its sequence
 * for a given seed across the whole query (the generator's state lives in the kernel).
 */
import type { SqlType } from '../../common/types.js';
import type { ScalarFunctionName } from '../../planner/functions.js';
import { roundDecimal } from './cast.js';
import { compareText } from './functions-logic.js';
import { decimalMath, type DecimalMathFn } from './decimal-kernels.js';
import { canonicalInt64 } from '../../common/int64.js';
import type { FnImpl, Input, Node } from './node.js';
import { constOf, isConst, mapNum, perRow } from './node.js';
import type { NumVec, Vec } from './vector.js';
import { andValidAll, numVec } from './vector.js';

const unary = (f: (x: number) => number): FnImpl => (args) => mapNum(args[0]!, f);

/** Round half-up to `d` decimals (d may be negative: ROUND(1234, -2) = 1200). */
export function roundTo(x: number, d: number): number {
  if (d >= 0) return roundDecimal(x, d);
  const f = 10 ** -d;
  const a = Math.abs(x) / f;
  const r = Math.floor(a + 0.5 + a * 1.7763568394002505e-15) * f;
  return x < 0 ? -r : r;
}

/** Cut toward zero at `d` decimals, forgiving the binary error of x * 10^d (0.29 * 100 = 28.999...). */
export function truncateTo(x: number, d: number): number {
  const f = 10 ** d;
  const a = Math.abs(x) * f;
  if (!(a < 4503599627370496)) return x;
  const r = Math.floor(a + a * 1.7763568394002505e-15) / f;
  return x < 0 ? -r : r;
}

/** A function of a number and an optional INT (ROUND, TRUNCATE), with a fast path for a constant INT. */
function withDigits(f: (x: number, d: number) => number, integerResult: (t: SqlType) => boolean): FnImpl {
  return (args, call) => {
    const [x, d] = args as [Node, Node | undefined];
    const wholeNumbers = integerResult(call.type);
    if (!d || isConst(d)) {
      const digits = d ? (constOf(d) as number | null) : 0;
      if (digits === null) return perRow(args, call.type, () => null, true);
      if (wholeNumbers && digits >= 0) return (inp: Input) => x.eval(inp);
      return mapNum(x, (v) => f(v, digits));
    }
    return perRow(args, call.type, (v, k) => f(v as number, k as number));
  };
}

const isIntegral = (t: SqlType): boolean => ['TINYINT', 'SMALLINT', 'INT', 'BIGINT'].includes(t.kind);

/** GREATEST / LEAST: NULL when any argument is NULL. */
function extreme(greatest: boolean): FnImpl {
  return (args, call) => {
    if (call.type.kind === 'VARCHAR') {
      return perRow(args, call.type, (...xs) => {
        let best = xs[0] as string;
        for (const x of xs) { const c = compareText(x as string, best); if (greatest ? c > 0 : c < 0) best = x as string; }
        return best;
      });
    }
    if (call.type.kind === 'ROW' || call.type.kind === 'BOOLEAN') {
      return perRow(args, call.type, (...xs) => xs.reduce((a, b) => (greatest ? ((a as number) >= (b as number) ? a : b) : ((a as number) <= (b as number) ? a : b))));
    }
    return (inp: Input): Vec => {
      const n = inp.length;
      const vs = args.map((a) => a.eval(inp) as NumVec);
      const out = Float64Array.from(vs[0]!.values.subarray(0, n));
      for (let k = 1; k < vs.length; k++) {
        const y = vs[k]!.values;
        if (greatest) for (let i = 0; i < n; i++) { if (y[i]! > out[i]!) out[i] = y[i]!; }
        else for (let i = 0; i < n; i++) { if (y[i]! < out[i]!) out[i] = y[i]!; }
      }
      return numVec(out, andValidAll(vs, n));
    };
  };
}

/** A small seeded generator (mulberry32): RAND(seed) gives the same sequence every run. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand: FnImpl = (args) => {
  const seedNode = args[0];
  let gen: (() => number) | null = null;
  let genSeed: number | null = null;
  return (inp: Input): Vec => {
    const n = inp.length;
    const out = new Float64Array(n);
    if (!seedNode) {
      for (let i = 0; i < n; i++) out[i] = Math.random();
      return numVec(out, null);
    }
    const s = seedNode.eval(inp) as NumVec;
    for (let i = 0; i < n; i++) {
      const seed = s.values[i]!;
      if (gen === null || seed !== genSeed) { gen = seeded(seed); genSeed = seed; }
      out[i] = gen();
    }
    return numVec(out, s.valid);
  };
};

/**
 * The DECIMAL form of a function (its argument's unscaled integer in, the result's out: exact, see
 * decimal-kernels.ts), else the double one.
 */
function decimalAware(fn: DecimalMathFn, forDoubles: FnImpl): FnImpl {
  return (args, call, cx) => {
    const x = args[0]!;
    if (x.type.kind !== 'DECIMAL') return forDoubles(args, call, cx);
    const s = x.type.scale, outScale = call.type.kind === 'DECIMAL' ? call.type.scale : 0;
    return perRow(args, call.type, (u, d) => {
      if (d === null) return null;
      const r = decimalMath(fn, BigInt(u as number | bigint), s, outScale, d === undefined ? 0 : Number(d));
      return canonicalInt64(r);
    });
  };
}

export const MATH_FUNCTIONS = {
  abs: decimalAware('abs', unary(Math.abs)),
  floor: decimalAware('floor', unary(Math.floor)),
  ceil: decimalAware('ceil', unary(Math.ceil)),
  round: decimalAware('round', withDigits(roundTo, isIntegral)),
  truncate: decimalAware('truncate', withDigits(truncateTo, isIntegral)),
  power: (args, call) => perRow(args, call.type, (x, y) => Math.pow(x as number, y as number)),
  sqrt: unary(Math.sqrt),
  exp: unary(Math.exp),
  ln: unary(Math.log),
  log10: unary(Math.log10),
  sign: decimalAware('sign', unary(Math.sign)),
  greatest: extreme(true),
  least: extreme(false),
  rand,
} satisfies Partial<Record<ScalarFunctionName, FnImpl>>;
