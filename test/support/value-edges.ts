/**
 * Arbitraries for the values where engines go wrong: integers at the edges of float64 exactness
 * (±2^53) and of int64 (±2^63), strings holding the characters key encoders and formats use as
 * separators or escapes, unicode that UTF-16 and UTF-8 see differently, NULLs, NaN, -0 and ROW
 * values. Shared by property tests; each test says which of these it draws.
 *
 * BIGINT values are canonical (src/common/int64.ts): a number when a safe integer, a bigint otherwise.
 */
import fc from 'fast-check';
import { canonicalInt64, INT64_MAX, INT64_MIN, type Int64Value } from '../../src/common/int64.js';

const TWO_53 = 2n ** 53n;

/** `arb` or NULL (about one value in `freq`). */
export function nullable<T>(arb: fc.Arbitrary<T>, freq = 5): fc.Arbitrary<T | null> {
  return fc.option(arb, { nil: null, freq });
}

/** Integers within `radius` of each of `centres`, as canonical BIGINT values. */
function around(centres: readonly bigint[], radius: number): fc.Arbitrary<Int64Value> {
  return fc.tuple(fc.constantFrom(...centres), fc.integer({ min: -radius, max: radius }))
    .map(([c, d]) => c + BigInt(d))
    .filter((b) => b >= INT64_MIN && b <= INT64_MAX)
    .map(canonicalInt64);
}

/** Safe integers only, near ±(2^53 - 1) and near 0: what a double holds exactly. */
export const safeIntegerEdges: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -3, max: 3 }).map((d) => Number.MAX_SAFE_INTEGER - Math.abs(d)),
  fc.integer({ min: -3, max: 3 }).map((d) => Number.MIN_SAFE_INTEGER + Math.abs(d)),
  fc.integer({ min: -5, max: 5 }),
);

/** BIGINT values near ±2^53 (both sides of float64 exactness), near ±2^63 (int64's ends) and near 0. */
export const int64Edges: fc.Arbitrary<Int64Value> = fc.oneof(
  around([TWO_53, -TWO_53], 3),
  around([INT64_MAX, INT64_MIN], 3),
  around([0n], 3),
);

/**
 * Characters that break naive encodings and comparisons: NUL and \u0001 (key separators), comma,
 * quotes, backslash, newline and CR (CSV and JSON), U+2028, an astral character (a surrogate pair in
 * UTF-16, 4 bytes in UTF-8), a precomposed and a combining é (equal to the eye, different as text).
 */
export const EDGE_CHARACTERS: readonly string[] = [
  '\u0000', '\u0001', ',', "'", '"', '\\', '\n', '\r', '\u2028', 'a', 'b', ' ', 'é', 'e\u0301', '😀', 's',
];

/** Short strings made of EDGE_CHARACTERS (the empty string included). */
export const edgeStrings: fc.Arbitrary<string> = fc.string({ unit: fc.constantFrom(...EDGE_CHARACTERS), maxLength: 6 });

/**
 * Pairs of distinct strings that a separator-joined key would confuse: ('x\u0001sy', 'z') and
 * ('x', 'y\u0001sz') join to the same text.
 */
export const separatorCollisions: fc.Arbitrary<readonly [readonly [string, string], readonly [string, string]]> =
  fc.tuple(edgeStrings, edgeStrings, edgeStrings, fc.constantFrom('\u0001', '\u0000', ',', '|'))
    .map(([x, y, z, sep]) => [[`${x}${sep}s${y}`, z], [x, `${y}${sep}s${z}`]] as const);

/** DOUBLE values where equality and ordering are subtle: NaN, -0 and 0, infinities, 2^53 ± 1. */
export const doubleEdges: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(Number.NaN, -0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), Number.MIN_VALUE, 0.1),
  fc.integer({ min: -20, max: 20 }).map((i) => i / 4),
);

/** A ROW<a INT, b STRING> value (fields may be NULL), the shape of ROW keys. */
export const rowValues: fc.Arbitrary<{ readonly a: number | null; readonly b: string | null }> =
  fc.record({ a: nullable(fc.integer({ min: -2, max: 2 })), b: nullable(fc.constantFrom('', 'x', '\u0001', 'x\u0001y')) });

/** SQL equality of two key values as a JS model sees it: NULLs group together, -0 = 0, NaN = NaN. */
export function sameKeyValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => sameKeyValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

/** Rows grouped by `key` with SQL equality (sameKeyValue); groups in first-seen order. */
export function groupByModel<R>(rows: readonly R[], key: (r: R) => readonly unknown[]): { key: readonly unknown[]; rows: R[] }[] {
  const groups: { key: readonly unknown[]; rows: R[] }[] = [];
  for (const r of rows) {
    const k = key(r);
    const g = groups.find((x) => x.key.length === k.length && x.key.every((v, i) => sameKeyValue(v, k[i])));
    if (g) g.rows.push(r); else groups.push({ key: k, rows: [r] });
  }
  return groups;
}

const DECIMAL38_MAX = 10n ** 38n - 1n;

/**
 * Unscaled DECIMAL(38, s) values where a wide decimal goes wrong: near ±(10^38 - 1) (the precision's
 * end), ±2^63 and ±2^64 (an int64 lane's end, a 64-bit word boundary), ±2^53 and near 0.
 */
export const decimal38Edges: fc.Arbitrary<bigint> = fc.tuple(
  fc.constantFrom(DECIMAL38_MAX, -DECIMAL38_MAX, 2n ** 63n, -(2n ** 63n), 2n ** 64n, -(2n ** 64n), TWO_53, -TWO_53, 0n),
  fc.integer({ min: -3, max: 3 }),
).map(([c, d]) => c + BigInt(d)).filter((u) => u <= DECIMAL38_MAX && u >= -DECIMAL38_MAX);
