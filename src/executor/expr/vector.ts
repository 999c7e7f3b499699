/**
 * The internal vectors kernels work on: one per expression node per batch, never one object per row.
 *
 * | SQL type                                   | vector | values                                |
 * | ------------------------------------------ | ------ | ------------------------------------- |
 * | every number-like type (ints, DECIMAL, ...) | num    | Float64Array (DECIMAL: unscaled)      |
 * | BOOLEAN                                    | bool   | Uint8Array of 0/1                     |
 * | VARCHAR                                    | str    | UTF-8 bytes and/or lazily decoded strings |
 * | ROW                                        | row    | one lazily built vector per field     |
 * | ARRAY / MAP / MULTISET                     | obj    | JS values (arrays, Maps) per row      |
 * | NULL                                       | num    | (every row invalid)                   |
 *
 * `valid` is a byte-per-row mask (1 = valid) or null when every row is valid. Values at invalid rows
 * are unspecified (kernels compute them anyway and must not throw for them). Vectors are immutable
 * once built: a column's Float64Array may be a view of the input Arrow buffer, and a literal's vector
 * is reused across batches.
 */
import { Buffer } from 'node:buffer';
import { canonicalInt64 } from '../../common/int64.js';
import type { SqlType } from '../../common/types.js';

export type Valid = Uint8Array | null;

/**
 * The exact lane of a NumVec: int64s (BIGINT, DECIMAL(p <= 18)), or plain bigints once some value is
 * beyond int64 (DECIMAL(19..38): up to 38 digits). Read either as `lane[i]`; build one with
 * exactLane (a lane is never written after it is built, so an int64 one never wraps a wider value).
 */
export type ExactLane = BigInt64Array | readonly bigint[];

/** A lane holding `values` (one per row): int64s when every one fits, else the bigints themselves. */
export function exactLane(values: bigint[]): ExactLane {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > 9223372036854775807n || v < -9223372036854775808n) return values;
  }
  return BigInt64Array.from(values);
}

export interface NumVec {
  readonly kind: 'num';
  readonly length: number;
  readonly values: Float64Array;
  readonly valid: Valid;
  /**
   * BIGINT and DECIMAL only: the exact integer of every row, present when some row is beyond 2^53
   * (where `values` holds the nearest double). Absent, `values` is exact. See exact-int.ts.
   */
  readonly big?: ExactLane;
}

export interface BoolVec {
  readonly kind: 'bool';
  readonly length: number;
  readonly values: Uint8Array;
  readonly valid: Valid;
}

/** Row i's UTF-8 bytes are bytes[offsets[base + i] .. offsets[base + i + 1]). */
export interface Utf8View {
  readonly offsets: Int32Array;
  readonly bytes: Uint8Array;
  readonly base: number;
}

export interface RowVec {
  readonly kind: 'row';
  readonly length: number;
  readonly valid: Valid;
  /** The field's own vector: its validity does not include the parent's (see fieldOf). */
  field(i: number): Vec;
}

/** Collections (ARRAY, MAP, MULTISET): each row's JS value (common/collections.ts); null at invalid rows. */
export interface ObjVec {
  readonly kind: 'obj';
  readonly length: number;
  readonly values: readonly unknown[];
  readonly valid: Valid;
}

export const objVec = (values: readonly unknown[], valid: Valid): ObjVec => ({ kind: 'obj', length: values.length, values, valid });

export type Vec = NumVec | BoolVec | StrVec | RowVec | ObjVec;
export type VecKind = Vec['kind'];

/**
 * Strings: either UTF-8 bytes straight from an Arrow column (decoded only when a function needs JS
 * strings, and then once), or JS strings a kernel produced. Invalid rows hold ''.
 */
export class StrVec {
  readonly kind = 'str' as const;
  private decoded: string[] | null;
  private buf: Buffer | null = null;

  constructor(
    readonly length: number,
    readonly valid: Valid,
    readonly utf8: Utf8View | null,
    strings: string[] | null,
  ) {
    this.decoded = strings;
  }

  static of(strings: string[], valid: Valid): StrVec {
    return new StrVec(strings.length, valid, null, strings);
  }

  /** Every row as a JS string (decoding all rows once). */
  strings(): readonly string[] {
    if (this.decoded) return this.decoded;
    const n = this.length;
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.decodeRow(i);
    this.decoded = out;
    return out;
  }

  /** One row as a JS string, without decoding the others. */
  get(i: number): string {
    return this.decoded ? this.decoded[i]! : this.decodeRow(i);
  }

  private decodeRow(i: number): string {
    const u = this.utf8!;
    const s = u.offsets[u.base + i]!, e = u.offsets[u.base + i + 1]!;
    if (e === s) return '';
    this.buf ??= Buffer.from(u.bytes.buffer, u.bytes.byteOffset, u.bytes.byteLength);
    return this.buf.toString('utf8', s, e);
  }
}

export function vecKind(t: SqlType): VecKind {
  switch (t.kind) {
    case 'BOOLEAN': return 'bool';
    case 'VARCHAR': return 'str';
    case 'ROW': return 'row';
    case 'ARRAY': case 'MAP': case 'MULTISET': return 'obj';
    default: return 'num';
  }
}

// ─── validity helpers ──────────────────────────────────────────────────────────────────────────

export const isValid = (v: Valid, i: number): boolean => v === null || v[i] === 1;

export function andValid(a: Valid, b: Valid, n: number): Valid {
  if (a === null) return b;
  if (b === null) return a;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i]! & b[i]!;
  return out;
}

export function andValidAll(vs: readonly Vec[], n: number): Valid {
  let acc: Valid = null;
  for (const v of vs) acc = andValid(acc, v.valid, n);
  return acc;
}

export function allInvalid(n: number): Uint8Array {
  return new Uint8Array(n);
}

/** Row indices where `valid` is set (all rows when null). */
export function validIndices(valid: Valid, n: number): Uint32Array {
  if (valid === null) {
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return out;
  }
  let c = 0;
  for (let i = 0; i < n; i++) c += valid[i]!;
  const out = new Uint32Array(c);
  for (let i = 0, k = 0; i < n; i++) if (valid[i] === 1) out[k++] = i;
  return out;
}

// ─── constructors ──────────────────────────────────────────────────────────────────────────────

export const numVec = (values: Float64Array, valid: Valid, big?: ExactLane): NumVec =>
  (big === undefined ? { kind: 'num', length: values.length, values, valid } : { kind: 'num', length: values.length, values, valid, big });
export const boolVec = (values: Uint8Array, valid: Valid): BoolVec => ({ kind: 'bool', length: values.length, values, valid });

export function rowVec(length: number, valid: Valid, make: (i: number) => Vec): RowVec {
  const cache: (Vec | undefined)[] = [];
  return {
    kind: 'row', length, valid,
    field(i: number): Vec {
      return (cache[i] ??= make(i));
    },
  };
}

/** A field of a row vector with the parent's nulls folded in: null where the row is null. */
export function fieldOf(r: RowVec, i: number): Vec {
  const f = r.field(i);
  return r.valid === null ? f : withValid(f, andValid(r.valid, f.valid, r.length));
}

export function withValid(v: Vec, valid: Valid): Vec {
  if (v.valid === valid) return v;
  switch (v.kind) {
    case 'num': return numVec(v.values, valid, v.big);
    case 'bool': return boolVec(v.values, valid);
    case 'str': {
      const s = new StrVec(v.length, valid, v.utf8, null);
      return v.utf8 ? s : StrVec.of(v.strings() as string[], valid);
    }
    case 'row': return rowVec(v.length, valid, (i) => v.field(i));
    case 'obj': return objVec(v.values, valid);
  }
}

/** A vector of `n` nulls of the given type. */
export function nullVec(t: SqlType, n: number): Vec {
  const valid = allInvalid(n);
  switch (vecKind(t)) {
    case 'num': return numVec(new Float64Array(n), valid);
    case 'bool': return boolVec(new Uint8Array(n), valid);
    case 'str': return StrVec.of(new Array<string>(n).fill(''), valid);
    case 'row': {
      const fields = t.kind === 'ROW' ? t.fields : [];
      return rowVec(n, valid, (i) => nullVec(fields[i]!.type, n));
    }
    case 'obj': return objVec(new Array<unknown>(n).fill(null), valid);
  }
}

/** A vector holding one JS value (see common/types.ts) in every row. */
export function broadcast(t: SqlType, value: unknown, n: number): Vec {
  if (value === null || value === undefined) return nullVec(t, n);
  switch (vecKind(t)) {
    case 'num':
      return typeof value === 'bigint'
        ? numVec(new Float64Array(n).fill(Number(value)), null, exactLane(new Array<bigint>(n).fill(value)))
        : numVec(new Float64Array(n).fill(Number(value)), null);
    case 'bool': return boolVec(new Uint8Array(n).fill(value ? 1 : 0), null);
    case 'str': return StrVec.of(new Array<string>(n).fill(String(value)), null);
    case 'row': {
      const fields = t.kind === 'ROW' ? t.fields : [];
      const obj = value as Record<string, unknown>;
      return rowVec(n, null, (i) => broadcast(fields[i]!.type, obj[fields[i]!.name], n));
    }
    case 'obj': return objVec(new Array<unknown>(n).fill(value), null);
  }
}

// ─── row access as JS values (slow paths: UDFs, generic per-row functions) ─────────────────────

/** A reader of row i's JS value (null when invalid). */
export function getter(v: Vec, t: SqlType): (i: number) => unknown {
  const valid = v.valid;
  switch (v.kind) {
    case 'num': {
      const vals = v.values, big = v.big;
      if (big !== undefined && (t.kind === 'BIGINT' || t.kind === 'DECIMAL')) {
        // beyond 2^53 the double is not the value: the int64 is (canonical: number when safe)
        return (i) => (valid === null || valid[i] === 1 ? (Number.isSafeInteger(vals[i]!) ? vals[i] : canonicalInt64(big[i]!)) : null);
      }
      return (i) => (valid === null || valid[i] === 1 ? vals[i] : null);
    }
    case 'bool': {
      const vals = v.values;
      return (i) => (valid === null || valid[i] === 1 ? vals[i] === 1 : null);
    }
    case 'str':
      return (i) => (valid === null || valid[i] === 1 ? v.get(i) : null);
    case 'row': {
      const fields = t.kind === 'ROW' ? t.fields : [];
      const gets = fields.map((f, k) => getter(v.field(k), f.type));
      return (i) => {
        if (valid !== null && valid[i] !== 1) return null;
        const o: Record<string, unknown> = {};
        for (let k = 0; k < fields.length; k++) o[fields[k]!.name] = gets[k]!(i);
        return o;
      };
    }
    case 'obj': {
      const vals = v.values;
      return (i) => (valid === null || valid[i] === 1 ? vals[i] ?? null : null);
    }
  }
}

/** Collects per-row JS results into a vector of type `t`. */
export interface VecBuilder {
  set(i: number, v: unknown): void;
  finish(): Vec;
}

export function builder(t: SqlType, n: number): VecBuilder {
  const valid = new Uint8Array(n);
  let nulls = 0;
  const done = (): Valid => (nulls === 0 ? null : valid);
  switch (vecKind(t)) {
    case 'num': {
      const vals = new Float64Array(n);
      // made when the first bigint arrives (BIGINT or DECIMAL beyond 2^53)
      let big: bigint[] | undefined;
      return {
        set(i, v) {
          if (v === null || v === undefined) { nulls++; return; }
          valid[i] = 1;
          if (typeof v === 'bigint') {
            if (big === undefined) {
              big = new Array<bigint>(n).fill(0n);
              for (let j = 0; j < i; j++) if (valid[j] === 1 && Number.isInteger(vals[j])) big[j] = BigInt(vals[j]!);
            }
            big[i] = v;
            vals[i] = Number(v);
            return;
          }
          vals[i] = typeof v === 'number' ? v : v instanceof Date ? v.getTime() : Number(v);
          if (big !== undefined && Number.isInteger(vals[i])) big[i] = BigInt(vals[i]!);
        },
        finish: () => numVec(vals, done(), big && exactLane(big)),
      };
    }
    case 'bool': {
      const vals = new Uint8Array(n);
      return {
        set(i, v) {
          if (v === null || v === undefined) { nulls++; return; }
          valid[i] = 1;
          vals[i] = v ? 1 : 0;
        },
        finish: () => boolVec(vals, done()),
      };
    }
    case 'str': {
      const vals = new Array<string>(n).fill('');
      return {
        set(i, v) {
          if (v === null || v === undefined) { nulls++; return; }
          valid[i] = 1;
          vals[i] = typeof v === 'string' ? v : String(v);
        },
        finish: () => StrVec.of(vals, done()),
      };
    }
    case 'row': {
      const fields = t.kind === 'ROW' ? t.fields : [];
      const objs = new Array<Record<string, unknown> | null>(n).fill(null);
      return {
        set(i, v) {
          if (v === null || v === undefined || typeof v !== 'object') { nulls++; return; }
          valid[i] = 1;
          objs[i] = v as Record<string, unknown>;
        },
        finish: () => {
          const vd = done();
          return rowVec(n, vd, (k) => {
            const b = builder(fields[k]!.type, n);
            for (let i = 0; i < n; i++) b.set(i, objs[i]?.[fields[k]!.name] ?? null);
            return b.finish();
          });
        },
      };
    }
    case 'obj': {
      const vals = new Array<unknown>(n).fill(null);
      return {
        set(i, v) {
          if (v === null || v === undefined) { nulls++; return; }
          valid[i] = 1;
          vals[i] = v;
        },
        finish: () => objVec(vals, done()),
      };
    }
  }
}

// ─── moving rows between vectors ───────────────────────────────────────────────────────────────

/**
 * Place the rows of `sub` (evaluated over the rows `rows` of a batch) back at those positions in a
 * vector of length n; every other row is null.
 */
export function scatter(sub: Vec, rows: Uint32Array, n: number): Vec {
  const valid = new Uint8Array(n);
  const sv = sub.valid;
  for (let j = 0; j < rows.length; j++) valid[rows[j]!] = sv === null ? 1 : sv[j]!;
  switch (sub.kind) {
    case 'num': {
      const out = new Float64Array(n);
      const s = sub.values;
      for (let j = 0; j < rows.length; j++) out[rows[j]!] = s[j]!;
      if (sub.big === undefined) return numVec(out, valid);
      const sb = sub.big;
      if (sb instanceof BigInt64Array) {
        const big = new BigInt64Array(n);
        for (let j = 0; j < rows.length; j++) big[rows[j]!] = sb[j]!;
        return numVec(out, valid, big);
      }
      const wide = new Array<bigint>(n).fill(0n);
      for (let j = 0; j < rows.length; j++) wide[rows[j]!] = sb[j]!;
      return numVec(out, valid, wide);
    }
    case 'bool': {
      const out = new Uint8Array(n);
      const s = sub.values;
      for (let j = 0; j < rows.length; j++) out[rows[j]!] = s[j]!;
      return boolVec(out, valid);
    }
    case 'str': {
      const out = new Array<string>(n).fill('');
      for (let j = 0; j < rows.length; j++) out[rows[j]!] = sub.get(j);
      return StrVec.of(out, valid);
    }
    case 'row':
      return rowVec(n, valid, (k) => scatter(sub.field(k), rows, n));
    case 'obj': {
      const out = new Array<unknown>(n).fill(null);
      for (let j = 0; j < rows.length; j++) out[rows[j]!] = sub.values[j];
      return objVec(out, valid);
    }
  }
}

/**
 * Row i of the result is row i of `vecs[choice[i]]`, or null where choice[i] < 0: how CASE, IF and
 * COALESCE assemble their branches. All vectors have the batch's length and the same kind.
 */
export function gather(kind: VecKind, vecs: readonly Vec[], choice: Int32Array, n: number): Vec {
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = choice[i]!;
    if (c >= 0) {
      const vv = vecs[c]!.valid;
      valid[i] = vv === null ? 1 : vv[i]!;
    }
  }
  switch (kind) {
    case 'num': {
      const out = new Float64Array(n);
      const vals = vecs.map((v) => (v as NumVec).values);
      for (let i = 0; i < n; i++) { const c = choice[i]!; if (c >= 0) out[i] = vals[c]![i]!; }
      if (vecs.every((v) => (v as NumVec).big === undefined)) return numVec(out, valid);
      const bigs = vecs.map((v) => (v as NumVec).big);
      const big = new Array<bigint>(n).fill(0n);
      for (let i = 0; i < n; i++) {
        const c = choice[i]!;
        if (c >= 0) { const b = bigs[c]; big[i] = b !== undefined ? b[i]! : BigInt(Number.isInteger(out[i]) ? out[i]! : 0); }
      }
      return numVec(out, valid, exactLane(big));
    }
    case 'bool': {
      const out = new Uint8Array(n);
      const vals = vecs.map((v) => (v as BoolVec).values);
      for (let i = 0; i < n; i++) { const c = choice[i]!; if (c >= 0) out[i] = vals[c]![i]!; }
      return boolVec(out, valid);
    }
    case 'str': {
      const out = new Array<string>(n).fill('');
      const ss = vecs as readonly StrVec[];
      for (let i = 0; i < n; i++) { const c = choice[i]!; if (c >= 0 && valid[i] === 1) out[i] = ss[c]!.get(i); }
      return StrVec.of(out, valid);
    }
    case 'row': {
      const rs = vecs as readonly RowVec[];
      return rowVec(n, valid, (k) => {
        const fs = rs.map((r) => r.field(k));
        return gather(fs[0]?.kind ?? 'num', fs, choice, n);
      });
    }
    case 'obj': {
      const out = new Array<unknown>(n).fill(null);
      const os = vecs as readonly ObjVec[];
      for (let i = 0; i < n; i++) { const c = choice[i]!; if (c >= 0 && valid[i] === 1) out[i] = os[c]!.values[i]; }
      return objVec(out, valid);
    }
  }
}

/** Indices of rows where a boolean vector is TRUE (SQL WHERE semantics: NULL is not TRUE). */
export function trueIndices(b: BoolVec): { indices: Uint32Array; count: number } {
  const n = b.length;
  const vals = b.values, valid = b.valid;
  // count first: the selection is exactly as large as it needs to be (fresh memory is costly)
  let count = 0;
  if (valid === null) for (let i = 0; i < n; i++) count += vals[i]!;
  else for (let i = 0; i < n; i++) count += vals[i]! & valid[i]!;
  const out = new Uint32Array(count);
  if (count === 0) return { indices: out, count };
  let c = 0;
  if (valid === null) {
    for (let i = 0; i < n && c < count; i++) { if (vals[i] === 1) out[c++] = i; }
  } else {
    for (let i = 0; i < n && c < count; i++) { if ((vals[i]! & valid[i]!) === 1) out[c++] = i; }
  }
  return { indices: out, count };
}
