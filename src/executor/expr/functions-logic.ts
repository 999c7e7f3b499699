/**
 * Comparisons, IN, and SQL's three-valued logic.
 *
 * Numbers, booleans and temporal values compare as doubles. Text compares in Unicode code-point
 * order, which is UTF-8 byte order: a Utf8 column against a literal (or another Utf8 column) is
 * compared byte by byte without decoding. AND/OR follow the SQL truth tables (FALSE AND NULL is
 * FALSE, TRUE OR NULL is TRUE); when the right operand may fail at run time (a CAST of text, a UDF)
 * it is only evaluated on the rows the left operand does not already decide, as Flink's
 * short-circuit evaluation would.
 */
import { Buffer } from 'node:buffer';
import type { SqlType } from '../../common/types.js';
import { isCollection } from '../../common/types.js';
import type { ScalarFunctionName } from '../../planner/functions.js';
import type { FnImpl, Input, Node } from './node.js';
import type { Alloc } from './pool.js';
import { constOf, evalOn, isConst } from './node.js';
import { exactOrder, hasBig, type Operand } from './exact-int.js';
import type { BoolVec, NumVec, StrVec, Utf8View, Vec } from './vector.js';
import { andValid, boolVec, getter, validIndices } from './vector.js';

type Cmp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
const FLIP: Record<Cmp, Cmp> = { eq: 'eq', ne: 'ne', lt: 'gt', le: 'ge', gt: 'lt', ge: 'le' };

type Nums = Float64Array | Uint8Array;

function cmpVV(op: Cmp, x: Nums, y: Nums, out: Uint8Array, n: number): void {
  switch (op) {
    case 'eq': for (let i = 0; i < n; i++) out[i] = x[i] === y[i] ? 1 : 0; break;
    case 'ne': for (let i = 0; i < n; i++) out[i] = x[i] !== y[i] ? 1 : 0; break;
    case 'lt': for (let i = 0; i < n; i++) out[i] = x[i]! < y[i]! ? 1 : 0; break;
    case 'le': for (let i = 0; i < n; i++) out[i] = x[i]! <= y[i]! ? 1 : 0; break;
    case 'gt': for (let i = 0; i < n; i++) out[i] = x[i]! > y[i]! ? 1 : 0; break;
    case 'ge': for (let i = 0; i < n; i++) out[i] = x[i]! >= y[i]! ? 1 : 0; break;
  }
}

function cmpVC(op: Cmp, x: Nums, c: number, out: Uint8Array, n: number): void {
  switch (op) {
    case 'eq': for (let i = 0; i < n; i++) out[i] = x[i] === c ? 1 : 0; break;
    case 'ne': for (let i = 0; i < n; i++) out[i] = x[i] !== c ? 1 : 0; break;
    case 'lt': for (let i = 0; i < n; i++) out[i] = x[i]! < c ? 1 : 0; break;
    case 'le': for (let i = 0; i < n; i++) out[i] = x[i]! <= c ? 1 : 0; break;
    case 'gt': for (let i = 0; i < n; i++) out[i] = x[i]! > c ? 1 : 0; break;
    case 'ge': for (let i = 0; i < n; i++) out[i] = x[i]! >= c ? 1 : 0; break;
  }
}

const fromOrder = (op: Cmp, c: number): number => {
  switch (op) {
    case 'eq': return c === 0 ? 1 : 0;
    case 'ne': return c !== 0 ? 1 : 0;
    case 'lt': return c < 0 ? 1 : 0;
    case 'le': return c <= 0 ? 1 : 0;
    case 'gt': return c > 0 ? 1 : 0;
    case 'ge': return c >= 0 ? 1 : 0;
  }
};

const WIDE = 2 ** 53;

/**
 * BIGINT beyond 2^53 on both sides: the doubles may tie or misorder where the int64s do not, so
 * those rows are compared exactly (a value within 2^53 against one beyond it orders right as doubles).
 */
function exactFixup(op: Cmp, x: NumVec, y: Operand, out: Uint8Array, n: number): void {
  if (!hasBig(x) && !hasBig(y)) return;
  const xs = x.values;
  if (typeof y === 'number' || typeof y === 'bigint') {
    const c = Number(y);
    if (!(c >= WIDE || c <= -WIDE)) return;
    for (let i = 0; i < n; i++) { const a = xs[i]!; if (a >= WIDE || a <= -WIDE) out[i] = fromOrder(op, exactOrder(x, y, i)); }
    return;
  }
  const ys = y.values;
  for (let i = 0; i < n; i++) {
    const a = xs[i]!, b = ys[i]!;
    if ((a >= WIDE || a <= -WIDE) && (b >= WIDE || b <= -WIDE)) out[i] = fromOrder(op, exactOrder(x, y, i));
  }
}

/** Code-point order of two JS strings (UTF-16 order differs only for surrogates vs U+E000..U+FFFF). */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        const xs = x < 0xe000, ys = y < 0xe000;
        if (xs !== ys) return xs ? 1 : -1;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

function compareBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const la = ae - as, lb = be - bs;
  const m = la < lb ? la : lb;
  for (let k = 0; k < m; k++) {
    const d = a[as + k]! - b[bs + k]!;
    if (d !== 0) return d;
  }
  return la - lb;
}

function compareStrings(op: Cmp, x: StrVec, y: StrVec | string, out: Uint8Array, n: number): void {
  const u = x.utf8;
  if (typeof y === 'string') {
    if (u) {
      const c = Buffer.from(y, 'utf8');
      const cl = c.length, o = u.offsets, bytes = u.bytes, base = u.base;
      if (op === 'eq' || op === 'ne') {
        const hit = op === 'eq' ? 1 : 0;
        for (let i = 0; i < n; i++) {
          const s = o[base + i]!, e = o[base + i + 1]!;
          let eq = e - s === cl;
          for (let k = 0; eq && k < cl; k++) if (bytes[s + k] !== c[k]) eq = false;
          out[i] = eq ? hit : 1 - hit;
        }
      } else {
        for (let i = 0; i < n; i++) out[i] = fromOrder(op, compareBytes(bytes, o[base + i]!, o[base + i + 1]!, c, 0, cl));
      }
      return;
    }
    const xs = x.strings();
    for (let i = 0; i < n; i++) out[i] = fromOrder(op, compareText(xs[i]!, y));
    return;
  }
  const w: Utf8View | null = y.utf8;
  if (u && w) {
    for (let i = 0; i < n; i++) {
      out[i] = fromOrder(op, compareBytes(u.bytes, u.offsets[u.base + i]!, u.offsets[u.base + i + 1]!,
        w.bytes, w.offsets[w.base + i]!, w.offsets[w.base + i + 1]!));
    }
    return;
  }
  const xs = x.strings(), ys = y.strings();
  for (let i = 0; i < n; i++) out[i] = fromOrder(op, compareText(xs[i]!, ys[i]!));
}

/** Order of two non-null JS values of one type (rows field by field); null when a NULL decides it. */
export function compareValues(a: unknown, b: unknown, t: SqlType): number | null {
  if (a === null || b === null) return null;
  if (t.kind === 'ROW') {
    for (const f of t.fields) {
      const c = compareValues((a as Record<string, unknown>)[f.name] ?? null, (b as Record<string, unknown>)[f.name] ?? null, f.type);
      if (c !== 0) return c;
    }
    return 0;
  }
  if (t.kind === 'ARRAY' || t.kind === 'MAP' || t.kind === 'MULTISET') return compareCollections(a, b, t);
  if (typeof a === 'string') return compareText(a, b as string);
  if (typeof a === 'bigint' || typeof b === 'bigint') return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  return Number(a) - Number(b);
}

/**
 * Order of two collections: ARRAYs element by element, then by length (a NULL element first, equal
 * to a NULL); MAPs and MULTISETs are equal when they hold the same entries, in any order (they have
 * no order of their own: unequal ones compare by size, then as their entries).
 */
function compareCollections(a: unknown, b: unknown, t: SqlType): number {
  const elem = (x: unknown, y: unknown, et: SqlType): number => {
    if (x === null || x === undefined) return y === null || y === undefined ? 0 : -1;
    if (y === null || y === undefined) return 1;
    return compareValues(x, y, et) ?? 0;
  };
  if (t.kind === 'ARRAY') {
    const xs = a as unknown[], ys = b as unknown[];
    for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
      const c = elem(xs[i], ys[i], t.element);
      if (c !== 0) return c;
    }
    return xs.length - ys.length;
  }
  const keyType = t.kind === 'MAP' ? t.key : t.kind === 'MULTISET' ? t.element : t;
  const valueType: SqlType = t.kind === 'MAP' ? t.value : { kind: 'INT' };
  const x = a as Map<unknown, unknown>, y = b as Map<unknown, unknown>;
  if (x.size !== y.size) return x.size - y.size;
  const sorted = (m: Map<unknown, unknown>): [unknown, unknown][] => [...m.entries()].sort((p, q) => elem(p[0], q[0], keyType));
  const xe = sorted(x), ye = sorted(y);
  for (let i = 0; i < xe.length; i++) {
    const c = elem(xe[i]![0], ye[i]![0], keyType) || elem(xe[i]![1], ye[i]![1], valueType);
    if (c !== 0) return c;
  }
  return 0;
}

/** A comparison kernel (also used by IN, NULLIF and IS [NOT] DISTINCT FROM). */
export function comparison(op: Cmp, a: Node, b: Node): (inp: Input) => BoolVec {
  const t = a.type;
  if (isConst(a) && !isConst(b)) return comparison(FLIP[op], b, a);
  const c = isConst(b) ? constOf(b) : undefined;
  return (inp) => {
    const n = inp.length;
    if (c === null) return boolVec(new Uint8Array(n), new Uint8Array(n));
    const x = a.eval(inp);
    const generic = x.kind === 'row' || x.kind === 'obj';
    const out = generic ? new Uint8Array(n) : inp.alloc.u8(n); // filled in full below
    if (c !== undefined && !generic) {
      if (x.kind === 'str') compareStrings(op, x, String(c), out, n);
      else if (typeof c === 'bigint') { cmpVC(op, x.values, Number(c), out, n); exactFixup(op, x as NumVec, c, out, n); }
      else { cmpVC(op, x.values, typeof c === 'boolean' ? (c ? 1 : 0) : (c as number), out, n); if (x.kind === 'num') exactFixup(op, x, c as number, out, n); }
      return boolVec(out, x.valid);
    }
    const y = b.eval(inp);
    const valid = andValid(x.valid, y.valid, n);
    if (x.kind === 'str') compareStrings(op, x, y as StrVec, out, n);
    else if (generic) {
      const gx = getter(x, t), gy = getter(y, t);
      const v2 = valid ? valid.slice() : new Uint8Array(n).fill(1);
      for (let i = 0; i < n; i++) {
        if (v2[i] !== 1) continue;
        const r = compareValues(gx(i), gy(i), t);
        if (r === null) v2[i] = 0; else out[i] = fromOrder(op, r);
      }
      return boolVec(out, v2);
    } else {
      cmpVV(op, x.values, (y as { values: Nums }).values, out, n);
      if (x.kind === 'num') exactFixup(op, x, y as NumVec, out, n);
    }
    return boolVec(out, valid);
  };
}

const cmp = (op: Cmp): FnImpl => (args) => comparison(op, args[0]!, args[1]!);

/** IS [NOT] DISTINCT FROM: equality where NULL equals NULL; never NULL itself. */
const distinct = (wantDistinct: boolean): FnImpl => (args) => {
  const a = args[0]!, b = args[1]!;
  const eq = comparison('eq', a, b);
  return (inp) => {
    const n = inp.length;
    const e = eq(inp);
    const va = a.eval(inp).valid, vb = b.eval(inp).valid;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const na = va !== null && va[i] !== 1, nb = vb !== null && vb[i] !== 1;
      const same = na || nb ? na && nb : e.values[i] === 1;
      out[i] = same === wantDistinct ? 0 : 1;
    }
    return boolVec(out, null);
  };
};

/** x IN (v1, ...): TRUE if some vi = x; else NULL if x or some vi is NULL; else FALSE. */
const inList: FnImpl = (args) => {
  const [x, ...items] = args as [Node, ...Node[]];
  if (items.every(isConst) && x.type.kind !== 'ROW' && !isCollection(x.type)) {
    const values = items.map(constOf);
    const hasNull = values.some((v) => v === null);
    const set = new Set(values.filter((v) => v !== null).map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v)));
    return (inp) => {
      const n = inp.length;
      const v = x.eval(inp);
      const out = new Uint8Array(n);
      const valid = v.valid === null && !hasNull ? null : new Uint8Array(n);
      const vv = v.valid;
      const probe = v.kind === 'str' ? (i: number) => set.has(v.get(i)) : (i: number) => set.has((v as { values: Nums }).values[i]!);
      for (let i = 0; i < n; i++) {
        if (vv !== null && vv[i] !== 1) continue;
        if (probe(i)) { out[i] = 1; if (valid) valid[i] = 1; } else if (valid && !hasNull) valid[i] = 1;
      }
      return boolVec(out, valid);
    };
  }
  const eqs = items.map((it) => comparison('eq', x, it));
  return (inp) => {
    let acc: BoolVec | null = null;
    for (const e of eqs) acc = acc === null ? e(inp) : or3(acc, e(inp), inp.length, inp.alloc);
    return acc!;
  };
};

function and3(a: BoolVec, b: BoolVec, n: number, alloc: Alloc): BoolVec {
  const out = alloc.u8(n);
  const x = a.values, y = b.values, va = a.valid, vb = b.valid;
  if (va === null && vb === null) {
    for (let i = 0; i < n; i++) out[i] = x[i]! & y[i]!;
    return boolVec(out, null);
  }
  const valid = alloc.u8(n);
  for (let i = 0; i < n; i++) {
    const ka = va === null ? 1 : va[i]!, kb = vb === null ? 1 : vb[i]!;
    const fa = ka & (1 - x[i]!), fb = kb & (1 - y[i]!); // a known FALSE decides
    out[i] = x[i]! & y[i]! & ka & kb;
    valid[i] = (ka & kb) | fa | fb;
  }
  return boolVec(out, valid);
}

function or3(a: BoolVec, b: BoolVec, n: number, alloc: Alloc): BoolVec {
  const out = alloc.u8(n);
  const x = a.values, y = b.values, va = a.valid, vb = b.valid;
  if (va === null && vb === null) {
    for (let i = 0; i < n; i++) out[i] = x[i]! | y[i]!;
    return boolVec(out, null);
  }
  const valid = alloc.u8(n);
  for (let i = 0; i < n; i++) {
    const ka = va === null ? 1 : va[i]!, kb = vb === null ? 1 : vb[i]!;
    const ta = ka & x[i]!, tb = kb & y[i]!; // a known TRUE decides
    out[i] = ta | tb;
    valid[i] = (ka & kb) | ta | tb;
  }
  return boolVec(out, valid);
}

/** AND / OR, evaluating a fallible right operand only where the left one leaves the answer open. */
const logical = (isAnd: boolean): FnImpl => (args) => {
  const a = args[0]!, b = args[1]!;
  return (inp) => {
    const n = inp.length;
    const x = a.eval(inp) as BoolVec;
    let rows: Uint32Array | null = null;
    if (b.mayThrow) {
      const open = new Uint8Array(n);
      const decide = isAnd ? 0 : 1;
      for (let i = 0; i < n; i++) open[i] = (x.valid === null || x.valid[i] === 1) && x.values[i] === decide ? 0 : 1;
      rows = validIndices(open, n);
    }
    const y = evalOn(b, inp, rows) as BoolVec;
    return isAnd ? and3(x, y, n, inp.alloc) : or3(x, y, n, inp.alloc);
  };
};

const not: FnImpl = (args) => (inp) => {
  const x = args[0]!.eval(inp) as BoolVec;
  const n = inp.length, out = inp.alloc.u8(n);
  for (let i = 0; i < n; i++) out[i] = 1 - x.values[i]!;
  return boolVec(out, x.valid);
};

/** IS [NOT] NULL / TRUE / FALSE: never NULL. `test(valid, value)` for one row. */
const isTest = (test: (valid: number, value: number) => number): FnImpl => (args) => (inp) => {
  const v: Vec = args[0]!.eval(inp);
  const n = inp.length, out = inp.alloc.u8(n), valid = v.valid;
  const vals = v.kind === 'bool' ? v.values : null;
  for (let i = 0; i < n; i++) out[i] = test(valid === null ? 1 : valid[i]!, vals === null ? 0 : vals[i]!);
  return boolVec(out, null);
};

export const LOGIC_FUNCTIONS = {
  eq: cmp('eq'), ne: cmp('ne'), lt: cmp('lt'), le: cmp('le'), gt: cmp('gt'), ge: cmp('ge'),
  is_distinct_from: distinct(true),
  is_not_distinct_from: distinct(false),
  in: inList,
  and: logical(true),
  or: logical(false),
  not,
  is_null: isTest((k) => 1 - k),
  is_not_null: isTest((k) => k),
  is_true: isTest((k, v) => k & v),
  is_false: isTest((k, v) => k & (1 - v)),
  is_not_true: isTest((k, v) => 1 - (k & v)),
  is_not_false: isTest((k, v) => 1 - (k & (1 - v))),
} satisfies Partial<Record<ScalarFunctionName, FnImpl>>;
