/**
 * Aggregate functions as accumulators over small JS arrays (the per-group state saved in the state
 * store, so they must stay JSON-serialisable). Every function supports retraction, so aggregates
 * work over updating inputs: MIN/MAX keep a count per value for that reason.
 *
 * The caller skips NULL arguments (SQL aggregates ignore NULLs) except for COUNT(*).
 */
import type { AggregateFunctionName } from '../../../planner/functions.js';
import type { SqlType } from '../../../common/types.js';
import { typeToString } from '../../../common/types.js';
import { InternalError } from '../../../common/errors.js';
import { decimalToText, divRoundHalfUp } from '../../../common/decimal.js';
import { canonicalInt64 } from '../../../common/int64.js';
import { boundsOf } from '../../expr/exact-int.js';
import { sameValue } from '../../expr/functions-collections.js';


/** An aggregate's integer result beyond its type (SUM of BIGINTs past 2^63). */
export class OverflowResult extends Error {
  constructor(readonly value: bigint, readonly type: SqlType) {
    super(`${type.kind === 'DECIMAL' ? decimalToText(value, type.scale) : value} is out of range for ${typeToString(type)}`);
  }
}

export type AccState = unknown[];

export interface Accumulator {
  init(): AccState;
  add(s: AccState, v: unknown): void;
  retract(s: AccState, v: unknown): void;
  result(s: AccState): unknown;
  copy(s: AccState): AccState;
  /** Fold `other` into `s` (session windows merge their states). */
  merge(s: AccState, other: AccState): void;
  /**
   * Every change add/retract makes to a state is recorded in the batch's undo log, so a batch may
   * change the stored state itself instead of a copy (DISTINCT with a log).
   */
  readonly logged?: boolean;
  /**
   * The state is a few values (no nested arrays or maps; add and retract change only its elements
   * and its length): recording them keeps it whole (state-undo-log.ts), as would a slice().
   */
  readonly flat?: true;
}

const addAll = (s: AccState, o: AccState): void => {
  for (let i = 0; i < s.length; i++) s[i] = (s[i] as number) + (o[i] as number);
};

const shallow = (s: AccState): AccState => s.slice();

/** [count] */
const count: Accumulator = {
  init: () => [0],
  add: (s) => { s[0] = (s[0] as number) + 1; },
  retract: (s) => { s[0] = (s[0] as number) - 1; },
  result: (s) => s[0],
  copy: shallow,
  merge: addAll,
  flat: true,
};

/** [sum, nonNullCount]: SUM of no rows is NULL */
const sum: Accumulator = {
  init: () => [0, 0],
  add: (s, v) => { s[0] = (s[0] as number) + (v as number); s[1] = (s[1] as number) + 1; },
  retract: (s, v) => { s[0] = (s[0] as number) - (v as number); s[1] = (s[1] as number) - 1; },
  result: (s) => ((s[1] as number) > 0 ? s[0] : null),
  copy: shallow,
  merge: addAll,
  flat: true,
};

/**
 * Exact sum of integers: a number while it stays within 2^53, then a bigint (which may pass int64 in
 * between, as long as the result is back in range: the range is checked when the result is read).
 */
function addExact(a: unknown, b: unknown, sign: 1 | -1): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = sign === 1 ? a + b : a - b;
    if (r <= Number.MAX_SAFE_INTEGER && r >= -Number.MAX_SAFE_INTEGER) return r;
  }
  const x = BigInt(a as number | bigint), y = BigInt(b as number | bigint);
  const r = sign === 1 ? x + y : x - y;
  return canonicalInt64(r);
}

const addAllExact = (s: AccState, o: AccState): void => {
  for (let i = 0; i < s.length; i++) s[i] = addExact(s[i], o[i], 1);
};

/** [sum, nonNullCount] over integers, exact (see addExact) */
const integerSum: Accumulator = {
  init: () => [0, 0],
  add: (s, v) => { s[0] = addExact(s[0], v, 1); s[1] = (s[1] as number) + 1; },
  retract: (s, v) => { s[0] = addExact(s[0], v, -1); s[1] = (s[1] as number) - 1; },
  result: (s) => ((s[1] as number) > 0 ? s[0] : null),
  copy: shallow,
  merge: addAllExact,
  flat: true,
};

/** [sum, count] over integers: the sum exact, the mean a double of it */
const integerAvg: Accumulator = {
  ...integerSum,
  result: (s) => ((s[1] as number) > 0 ? Number(s[0] as number | bigint) / (s[1] as number) : null),
};

/**
 * AVG of DECIMAL(p, s) into DECIMAL(38, t): the exact sum of unscaled values over the count, scaled
 * to t and rounded half up.
 */
export function decimalAvg(inScale: number, outScale: number): Accumulator {
  const f = 10n ** BigInt(Math.max(0, outScale - inScale));
  return {
    ...integerSum,
    result: (s) => {
      const n = s[1] as number;
      if (n <= 0) return null;
      const q = divRoundHalfUp(BigInt(s[0] as number | bigint) * f, BigInt(n));
      return canonicalInt64(q);
    },
  };
}

/** SUM and AVG whose argument is an integer type keep an exact sum (no rounding beyond 2^53). */
export const INTEGER_ACCUMULATORS: Partial<Record<AggregateFunctionName, Accumulator>> = { sum: integerSum, avg: integerAvg };

/** [sum, count] */
const avg: Accumulator = {
  init: () => [0, 0],
  add: (s, v) => { s[0] = (s[0] as number) + (v as number); s[1] = (s[1] as number) + 1; },
  retract: (s, v) => { s[0] = (s[0] as number) - (v as number); s[1] = (s[1] as number) - 1; },
  result: (s) => ((s[1] as number) > 0 ? (s[0] as number) / (s[1] as number) : null),
  copy: shallow,
  merge: addAll,
  flat: true,
};

/** [n, mean, m2] (Welford), for the variance family */
function variance(kind: 'pop' | 'samp', sqrt: boolean): Accumulator {
  return {
    init: () => [0, 0, 0],
    add: (s, v) => {
      const x = v as number;
      const n = (s[0] as number) + 1;
      const d = x - (s[1] as number);
      const mean = (s[1] as number) + d / n;
      s[0] = n; s[1] = mean; s[2] = (s[2] as number) + d * (x - mean);
    },
    retract: (s, v) => {
      const x = v as number;
      const n = (s[0] as number) - 1;
      if (n <= 0) { s[0] = 0; s[1] = 0; s[2] = 0; return; }
      const mean = ((s[1] as number) * (n + 1) - x) / n;
      s[2] = (s[2] as number) - (x - mean) * (x - (s[1] as number));
      s[0] = n; s[1] = mean;
    },
    result: (s) => {
      const n = s[0] as number;
      const denom = kind === 'pop' ? n : n - 1;
      if (denom <= 0) return null;
      const r = Math.max(0, s[2] as number) / denom;
      return sqrt ? Math.sqrt(r) : r;
    },
    copy: shallow,
    merge: (s, o) => {
      // Chan et al.'s parallel combination of two (n, mean, m2) summaries
      const na = s[0] as number, nb = o[0] as number;
      if (nb === 0) return;
      if (na === 0) { s[0] = nb; s[1] = o[1]; s[2] = o[2]; return; }
      const d = (o[1] as number) - (s[1] as number);
      const n = na + nb;
      s[1] = (s[1] as number) + (d * nb) / n;
      s[2] = (s[2] as number) + (o[2] as number) + (d * d * na * nb) / n;
      s[0] = n;
    },
  };
}

/** [[value, count], ...] sorted by value, so MIN/MAX survive retraction of the extreme. */
function extreme(max: boolean): Accumulator {
  const cmp = (a: unknown, b: unknown): number => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0);
  const find = (s: AccState, v: unknown): number => {
    let lo = 0, hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp((s[mid] as [unknown, number])[0], v) < 0) lo = mid + 1; else hi = mid;
    }
    return lo;
  };
  return {
    init: () => [],
    add: (s, v) => {
      const i = find(s, v);
      const e = s[i] as [unknown, number] | undefined;
      if (e && cmp(e[0], v) === 0) e[1]++;
      else s.splice(i, 0, [v, 1]);
    },
    retract: (s, v) => {
      const i = find(s, v);
      const e = s[i] as [unknown, number] | undefined;
      if (e && cmp(e[0], v) === 0 && --e[1] === 0) s.splice(i, 1);
    },
    result: (s) => (s.length === 0 ? null : (s[max ? s.length - 1 : 0] as [unknown, number])[0]),
    copy: (s) => s.map((e) => (e as [unknown, number]).slice()),
    merge(s, o) {
      for (const e of o) {
        const [v, n] = e as [unknown, number];
        for (let k = 0; k < n; k++) this.add(s, v);
      }
    },
  };
}

/** The last position of `v` in `s`, an ARRAY or MAP value found by value (a retraction brings an equal copy, never the same object). */
function lastIndexOfValue(s: AccState, v: unknown): number {
  if (typeof v !== 'object' || v === null) return s.lastIndexOf(v);
  for (let i = s.length - 1; i >= 0; i--) if (sameValue(s[i], v)) return i;
  return -1;
}

/** The key of `m` equal to `v` by value, or `v` itself when none is. */
function firstEqualKey(m: Map<unknown, number>, v: unknown): unknown {
  for (const k of m.keys()) if (typeof k === 'object' && sameValue(k, v)) return k;
  return v;
}

/** [[value, seq], ...] in arrival order */
function firstLast(last: boolean): Accumulator {
  return {
    init: () => [],
    add: (s, v) => { s.push(v); },
    retract: (s, v) => { const i = lastIndexOfValue(s, v); if (i >= 0) s.splice(i, 1); },
    result: (s) => (s.length === 0 ? null : s[last ? s.length - 1 : 0]),
    copy: shallow,
    merge: (s, o) => { for (const v of o) s.push(v); },
  };
}

/** LISTAGG(x [, separator]): the values in arrival order, joined by the separator (',' by default) */
export function listaggWith(separator: string): Accumulator {
  return {
    init: () => [],
    add: (s, v) => { s.push(v); },
    retract: (s, v) => { const i = s.lastIndexOf(v); if (i >= 0) s.splice(i, 1); },
    result: (s) => (s.length === 0 ? null : s.join(separator)),
    copy: shallow,
    merge: (s, o) => { for (const v of o) s.push(v); },
  };
}

const listagg = listaggWith(',');

/** COLLECT: the values in arrival order; the result counts them (a MULTISET, common/collections.ts) */
const collect: Accumulator = {
  init: () => [],
  add: (s, v) => { s.push(v); },
  retract: (s, v) => { const i = lastIndexOfValue(s, v); if (i >= 0) s.splice(i, 1); },
  result: (s) => {
    const m = new Map<unknown, number>();
    for (const v of s) {
      // a ROW, ARRAY or MAP value counts with the equal values before it (never the same object)
      const key = typeof v === 'object' && v !== null ? firstEqualKey(m, v) : v;
      m.set(key, (m.get(key) ?? 0) + 1);
    }
    return m;
  },
  copy: shallow,
  merge: (s, o) => { for (const v of o) s.push(v); },
};

export const ACCUMULATORS: Record<AggregateFunctionName, Accumulator> = {
  count, count_star: count, sum, avg,
  min: extreme(false), max: extreme(true),
  first_value: firstLast(false), last_value: firstLast(true),
  stddev_pop: variance('pop', true), stddev_samp: variance('samp', true),
  var_pop: variance('pop', false), var_samp: variance('samp', false),
  listagg,
  collect,
  // a UDAF's accumulator is made per call from its module (js-accumulator.ts)
  udaf: {
    init: () => { throw new InternalError('a UDAF call has no built-in accumulator'); },
    add: () => undefined, retract: () => undefined, result: () => null, copy: shallow, merge: () => undefined,
  },
};

/**
 * An empty state with room for one value: a push into `[]` makes V8 reserve 16 more slots, so a
 * one-value state took about 190 bytes of heap instead of 67 (a million of each, measured), one per
 * group (q4: 120 K auctions). Emptied, `[null]` keeps its one slot for the push.
 */
function emptyWithRoomForOne(): AccState {
  const s: AccState = [null];
  s.pop();
  return s;
}

/**
 * MIN/MAX over an input that never retracts: [value] (empty for no rows). The retractable form keeps
 * every distinct value sorted, which costs a splice per new value; an append-only input needs only
 * the running extreme.
 */
function runningExtreme(max: boolean): Accumulator {
  const better = (v: unknown, cur: unknown): boolean => (max ? (v as number) > (cur as number) : (v as number) < (cur as number));
  const self: Accumulator = {
    init: emptyWithRoomForOne,
    add: (s, v) => { if (s.length === 0) s.push(v); else if (better(v, s[0])) s[0] = v; },
    retract: () => { throw new InternalError('a retraction reached an append-only MIN/MAX'); },
    result: (s) => (s.length === 0 ? null : s[0]),
    copy: (s) => (s.length === 0 ? emptyWithRoomForOne() : s.slice()),
    merge: (s, o) => { if (o.length > 0) self.add(s, o[0]); },
    flat: true,
  };
  return self;
}

/** Cheaper forms of the functions whose retractable state is costly, for inputs that only insert. */
export const APPEND_ONLY_ACCUMULATORS: Partial<Record<AggregateFunctionName, Accumulator>> = {
  min: runningExtreme(false), max: runningExtreme(true),
};

/**
 * Round a result to its SQL type: integer SUMs stay integers, DECIMALs keep their scale. An integer
 * result outside its type's range throws OverflowResult (the caller names the aggregate).
 */
export function finishValue(v: unknown, t: SqlType): unknown {
  if (typeof v !== 'number' && typeof v !== 'bigint') return v;
  const bounds = boundsOf(t); // integer types, and a DECIMAL's unscaled integer
  if (bounds === undefined) return v;
  const [lo, hi] = bounds;
  if (typeof v === 'bigint') {
    if (v < lo || v > hi) throw new OverflowResult(v, t);
    return v;
  }
  const x = Math.trunc(v);
  // doubles decide plainly inside 2^53; beyond, the bigint does (2^63 - 1 is 2^63 as a double)
  if (!(x >= -Number.MAX_SAFE_INTEGER && x <= Number.MAX_SAFE_INTEGER && x >= Number(lo) && x <= Number(hi))) {
    const b = BigInt(x);
    if (b < lo || b > hi) throw new OverflowResult(b, t);
  }
  return x;
}
