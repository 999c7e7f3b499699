/**
 * SQL types, and how each is held in an Arrow column.
 *
 * | SQL                         | Arrow (physical)          | JS value in kernels   |
 * | --------------------------- | ------------------------- | --------------------- |
 * | BOOLEAN                     | Bool                      | boolean               |
 * | TINYINT/SMALLINT/INT        | Int8/Int16/Int32          | number                |
 * | BIGINT                      | Int64                     | number (exact ≤ 2^53) |
 * | FLOAT / DOUBLE              | Float32 / Float64         | number                |
 * | DECIMAL(p,s)                | Int64 (unscaled integer)  | unscaled, as BIGINT   |
 * | VARCHAR / STRING            | Utf8                      | string                |
 * | DATE                        | DateDay                   | number (days)         |
 * | TIMESTAMP(3), TIMESTAMP_LTZ | TimestampMillisecond      | number (epoch ms)     |
 * | INTERVAL                    | Float64 (milliseconds)    | number (ms)           |
 * | ROW<...>                    | Struct                    | object                |
 * | ARRAY<T>                    | List<T>                   | array of T's values   |
 * | MAP<K, V>                   | Map<K, V>                 | Map (K's → V's values)|
 * | MULTISET<T>                 | Map<T, INT> (tagged)      | Map (value → count)   |
 * | NULL (untyped literal)      | Null                      | null                  |
 *
 * BIGINT is exact (int64.ts: a number within 2^53, a bigint beyond). DECIMAL is exact too: its
 * unscaled integer (12.34 in DECIMAL(5, 2) is 1234) held like a BIGINT, up to int64's bound
 * (decimal.ts); at the API's edge it is a number, or its exact text where a number would round.
 */
import type * as Arrow from 'apache-arrow';
import { assertNever, InternalError } from './errors.js';

export type SqlType =
  | { readonly kind: 'BOOLEAN' }
  | { readonly kind: 'TINYINT' }
  | { readonly kind: 'SMALLINT' }
  | { readonly kind: 'INT' }
  | { readonly kind: 'BIGINT' }
  | { readonly kind: 'FLOAT' }
  | { readonly kind: 'DOUBLE' }
  | { readonly kind: 'DECIMAL'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'VARCHAR' }
  | { readonly kind: 'DATE' }
  | { readonly kind: 'TIMESTAMP'; readonly precision: number; readonly ltz: boolean }
  | { readonly kind: 'INTERVAL' }
  | { readonly kind: 'ROW'; readonly fields: readonly RowField[] }
  | { readonly kind: 'ARRAY'; readonly element: SqlType }
  | { readonly kind: 'MAP'; readonly key: SqlType; readonly value: SqlType }
  /** Flink's MULTISET: each distinct value with how many times it occurs (held as a MAP<T, INT>) */
  | { readonly kind: 'MULTISET'; readonly element: SqlType }
  | { readonly kind: 'NULL' };

export interface RowField {
  readonly name: string;
  readonly type: SqlType;
}

export type SqlTypeKind = SqlType['kind'];

export const T = {
  BOOLEAN: { kind: 'BOOLEAN' } as SqlType,
  TINYINT: { kind: 'TINYINT' } as SqlType,
  SMALLINT: { kind: 'SMALLINT' } as SqlType,
  INT: { kind: 'INT' } as SqlType,
  BIGINT: { kind: 'BIGINT' } as SqlType,
  FLOAT: { kind: 'FLOAT' } as SqlType,
  DOUBLE: { kind: 'DOUBLE' } as SqlType,
  VARCHAR: { kind: 'VARCHAR' } as SqlType,
  DATE: { kind: 'DATE' } as SqlType,
  TIMESTAMP: { kind: 'TIMESTAMP', precision: 3, ltz: false } as SqlType,
  TIMESTAMP_LTZ: { kind: 'TIMESTAMP', precision: 3, ltz: true } as SqlType,
  INTERVAL: { kind: 'INTERVAL' } as SqlType,
  NULL: { kind: 'NULL' } as SqlType,
  decimal: (precision: number, scale: number): SqlType => ({ kind: 'DECIMAL', precision, scale }),
  row: (fields: readonly RowField[]): SqlType => ({ kind: 'ROW', fields }),
  array: (element: SqlType): SqlType => ({ kind: 'ARRAY', element }),
  map: (key: SqlType, value: SqlType): SqlType => ({ kind: 'MAP', key, value }),
  multiset: (element: SqlType): SqlType => ({ kind: 'MULTISET', element }),
} as const;

const INTEGER_KINDS: ReadonlySet<SqlTypeKind> = new Set(['TINYINT', 'SMALLINT', 'INT', 'BIGINT']);
const NUMERIC_KINDS: ReadonlySet<SqlTypeKind> = new Set([
  'TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'FLOAT', 'DOUBLE', 'DECIMAL',
]);

export const isInteger = (t: SqlType): boolean => INTEGER_KINDS.has(t.kind);
export const isNumeric = (t: SqlType): boolean => NUMERIC_KINDS.has(t.kind);
export const isTemporal = (t: SqlType): boolean => t.kind === 'TIMESTAMP' || t.kind === 'DATE';
export const isString = (t: SqlType): boolean => t.kind === 'VARCHAR';

/** Integer digits of each integer type: a DECIMAL with as many holds every value. */
const INTEGER_DIGITS: Readonly<Partial<Record<SqlTypeKind, number>>> = { TINYINT: 3, SMALLINT: 5, INT: 10, BIGINT: 19 };

/**
 * Whether every value of numeric type `from` is already a value of numeric type `to` as kernels hold
 * numbers (doubles; a DECIMAL as its unscaled integer): a store of one into the other changes nothing
 * and cannot fail.
 */
export function isLosslessNumeric(from: SqlType, to: SqlType): boolean {
  if (to.kind === 'DOUBLE') return isNumeric(from) && from.kind !== 'DECIMAL';
  const fd = INTEGER_DIGITS[from.kind];
  if (fd !== undefined) {
    const td = INTEGER_DIGITS[to.kind];
    if (td !== undefined) return td >= fd;
    return to.kind === 'DECIMAL' && to.scale === 0 && to.precision >= fd;
  }
  if (from.kind === 'DECIMAL' && to.kind === 'DECIMAL') return to.scale === from.scale && to.precision >= from.precision;
  return from.kind === 'FLOAT' && to.kind === 'FLOAT';
}

/** Values of these types are JS numbers in kernels (see the table above). */
export function isNumberLike(t: SqlType): boolean {
  return NUMERIC_KINDS.has(t.kind) || t.kind === 'DATE' || t.kind === 'TIMESTAMP' || t.kind === 'INTERVAL';
}

export function typeToString(t: SqlType): string {
  switch (t.kind) {
    case 'DECIMAL':
      return `DECIMAL(${t.precision}, ${t.scale})`;
    case 'TIMESTAMP':
      return t.ltz ? `TIMESTAMP_LTZ(${t.precision})` : `TIMESTAMP(${t.precision})`;
    case 'ROW':
      return `ROW<${t.fields.map((f) => `${f.name} ${typeToString(f.type)}`).join(', ')}>`;
    case 'ARRAY': return `ARRAY<${typeToString(t.element)}>`;
    case 'MAP': return `MAP<${typeToString(t.key)}, ${typeToString(t.value)}>`;
    case 'MULTISET': return `MULTISET<${typeToString(t.element)}>`;
    case 'BOOLEAN': case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': case 'FLOAT':
    case 'DOUBLE': case 'VARCHAR': case 'DATE': case 'INTERVAL': case 'NULL':
      return t.kind;
    default:
      return assertNever(t, 'type');
  }
}

export function typesEqual(a: SqlType, b: SqlType): boolean {
  return typeToString(a) === typeToString(b);
}

/** Numeric rank for implicit widening: TINYINT < SMALLINT < INT < BIGINT < DECIMAL < FLOAT < DOUBLE. */
const NUMERIC_RANK: Partial<Record<SqlTypeKind, number>> = {
  TINYINT: 1, SMALLINT: 2, INT: 3, BIGINT: 4, DECIMAL: 5, FLOAT: 6, DOUBLE: 7,
};

/**
 * The common type two values are compared or combined in (CASE branches, UNION, IN lists,
 * comparisons), or undefined where none exists. NULL goes with everything.
 */
export function commonType(a: SqlType, b: SqlType): SqlType | undefined {
  if (a.kind === 'NULL') return b;
  if (b.kind === 'NULL') return a;
  if (typesEqual(a, b)) return a;
  const ra = NUMERIC_RANK[a.kind];
  const rb = NUMERIC_RANK[b.kind];
  if (ra !== undefined && rb !== undefined) {
    if (a.kind === 'DECIMAL' && b.kind === 'DECIMAL') {
      const scale = Math.max(a.scale, b.scale);
      const intDigits = Math.max(a.precision - a.scale, b.precision - b.scale);
      return T.decimal(Math.min(38, intDigits + scale), scale);
    }
    if (a.kind === 'DECIMAL' && isInteger(b)) return a;
    if (b.kind === 'DECIMAL' && isInteger(a)) return b;
    return ra >= rb ? a : b;
  }
  if (a.kind === 'ARRAY' && b.kind === 'ARRAY') {
    const e = commonType(a.element, b.element);
    return e && T.array(e);
  }
  if (a.kind === 'MULTISET' && b.kind === 'MULTISET') {
    const e = commonType(a.element, b.element);
    return e && T.multiset(e);
  }
  if (a.kind === 'MAP' && b.kind === 'MAP') {
    const k = commonType(a.key, b.key), v = commonType(a.value, b.value);
    return k && v && T.map(k, v);
  }
  if (isCollection(a) || isCollection(b)) return undefined;
  if (a.kind === b.kind) return a; // e.g. TIMESTAMP(3) vs TIMESTAMP(0), ROW types: take the left
  if (a.kind === 'TIMESTAMP' && b.kind === 'DATE') return a;
  if (a.kind === 'DATE' && b.kind === 'TIMESTAMP') return b;
  return undefined;
}

/** ARRAY, MAP or MULTISET: a value made of other values (common/collections.ts). */
export const isCollection = (t: SqlType): boolean => t.kind === 'ARRAY' || t.kind === 'MAP' || t.kind === 'MULTISET';

/** A DECIMAL of more than 18 digits: held in a Decimal128 column, its values beyond int64 (decimal.ts). */
export const isWideDecimal = (t: SqlType): boolean => t.kind === 'DECIMAL' && t.precision > 18;

/**
 * apache-arrow, handed over by arrow-binding.ts, which every module turning SQL types into Arrow ones
 * (or back) imports: the parser and the planner use SQL types without loading Arrow's ~135 modules
 * (`import('weir')` and `weir explain` start faster; test/engine/layering.test.ts checks it).
 */
let arrow: typeof Arrow = new Proxy({} as typeof Arrow, {
  get(_, key) {
    throw new InternalError(`common/types.ts read apache-arrow's ${String(key)} before common/arrow-binding.ts was imported: import it in the module converting types`);
  },
});

export function bindArrow(ns: typeof Arrow): void {
  arrow = ns;
}

/** Field metadata key holding the SQL type, so DECIMAL and INTERVAL survive the Arrow round trip. */
export const SQL_TYPE_METADATA_KEY = 'weir.sql_type';

export function toArrowType(t: SqlType): Arrow.DataType {
  switch (t.kind) {
    case 'BOOLEAN': return new arrow.Bool();
    case 'TINYINT': return new arrow.Int8();
    case 'SMALLINT': return new arrow.Int16();
    case 'INT': return new arrow.Int32();
    case 'BIGINT': return new arrow.Int64();
    case 'FLOAT': return new arrow.Float32();
    case 'DOUBLE': return new arrow.Float64();
    // the unscaled integer (decimal.ts): an Int64 up to 18 digits (the field's metadata says DECIMAL),
    // a Decimal128 beyond
    case 'DECIMAL': return isWideDecimal(t) ? new arrow.Decimal(t.scale, t.precision, 128) : new arrow.Int64();
    case 'VARCHAR': return new arrow.Utf8();
    case 'DATE': return new arrow.DateDay();
    case 'TIMESTAMP': return new arrow.TimestampMillisecond();
    case 'INTERVAL': return new arrow.Float64();
    case 'ROW': return new arrow.Struct(t.fields.map((f) => toArrowField(f.name, f.type)));
    case 'ARRAY': return new arrow.List(toArrowField('element', t.element));
    case 'MAP': return mapArrowType(t.key, t.value);
    case 'MULTISET': return mapArrowType(t.element, T.INT);
    case 'NULL': return new arrow.Null();
    default: return assertNever(t, 'type');
  }
}

/** Arrow's Map: a list of non-null entries, each a key (never null, as Flink's and DuckDB's) and a value. */
function mapArrowType(key: SqlType, value: SqlType): Arrow.DataType {
  return new arrow.Map_(new arrow.Field('entries', new arrow.Struct([toArrowField('key', key, false), toArrowField('value', value)] as Arrow.Field[]), false) as never);
}

export function toArrowField(name: string, t: SqlType, nullable = true): Arrow.Field {
  const meta = t.kind === 'DECIMAL' || t.kind === 'INTERVAL' || (t.kind === 'TIMESTAMP' && t.ltz) || t.kind === 'MULTISET'
    ? new Map([[SQL_TYPE_METADATA_KEY, typeToString(t)]])
    : undefined;
  return new arrow.Field(name, toArrowType(t), nullable, meta);
}

/** The SQL type of an Arrow field (inverse of toArrowField for Weir's own columns). */
export function fromArrowField(f: Arrow.Field): SqlType {
  const tagged = f.metadata.get(SQL_TYPE_METADATA_KEY);
  if (tagged) {
    const m = /^DECIMAL\((\d+), (\d+)\)$/.exec(tagged);
    if (m) return T.decimal(Number(m[1]), Number(m[2]));
    if (tagged === 'INTERVAL') return T.INTERVAL;
    if (tagged.startsWith('TIMESTAMP_LTZ')) return T.TIMESTAMP_LTZ;
    if (tagged.startsWith('MULTISET') && f.type.typeId === arrow.Type.Map) {
      return T.multiset(fromArrowField((f.type as Arrow.Map_).children[0]!.type.children[0]!));
    }
  }
  return fromArrowType(f.type);
}

export function fromArrowType(t: Arrow.DataType): SqlType {
  switch (t.typeId) {
    case arrow.Type.Bool: return T.BOOLEAN;
    case arrow.Type.Int: {
      const bits = (t as Arrow.Int).bitWidth;
      return bits === 8 ? T.TINYINT : bits === 16 ? T.SMALLINT : bits === 32 ? T.INT : T.BIGINT;
    }
    case arrow.Type.Float: return (t as Arrow.Float).precision === arrow.Precision.SINGLE ? T.FLOAT : T.DOUBLE;
    case arrow.Type.Decimal: return T.decimal((t as Arrow.Decimal).precision, (t as Arrow.Decimal).scale);
    case arrow.Type.Utf8: case arrow.Type.LargeUtf8: return T.VARCHAR;
    case arrow.Type.Date: return T.DATE;
    case arrow.Type.Timestamp: return T.TIMESTAMP;
    case arrow.Type.Struct:
      return T.row((t as Arrow.Struct).children.map((c) => ({ name: c.name, type: fromArrowField(c) })));
    case arrow.Type.List: return T.array(fromArrowField((t as Arrow.List).children[0]!));
    case arrow.Type.Map: {
      const [key, value] = (t as Arrow.Map_).children[0]!.type.children as Arrow.Field[];
      return T.map(fromArrowField(key!), fromArrowField(value!));
    }
    case arrow.Type.Null: return T.NULL;
    case arrow.Type.Dictionary: return fromArrowType((t as Arrow.Dictionary).dictionary); // the values' type
    default:
      throw new InternalError(`Arrow type ${String(t)} has no SQL type in Weir`);
  }
}
