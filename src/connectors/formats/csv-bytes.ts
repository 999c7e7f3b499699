/**
 * The byte-level readers of the CSV scanner (csv-scan.ts): line breaks, blank lines, integer cells
 * and null literals read from a piece's bytes without making strings.
 */
import type { Schema } from '../../common/schema.js';
import { SMALL_RANGES, type IntegerKind } from './numbers.js';

/** Whether b[a, z) holds exactly the bytes of `x`. */
export function sameBytes(b: Uint8Array, a: number, z: number, x: Uint8Array): boolean {
  if (z - a !== x.length) return false;
  for (let i = 0; i < x.length; i++) if (b[a + i] !== x[i]) return false;
  return true;
}

/** The ranges of the integer types a cell's digits may be read in straight from the bytes (index 1-4; 0 is "not an integer field"). */
const KINDS: readonly IntegerKind[] = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT'];
const INT_MIN = Float64Array.of(0, ...KINDS.map((k) => SMALL_RANGES[k][0]));
const INT_MAX = Float64Array.of(0, ...KINDS.map((k) => SMALL_RANGES[k][1]));
const INT_KINDS: Readonly<Record<string, number>> = Object.fromEntries(KINDS.map((k, i) => [k, i + 1]));

/**
 * For each field, the INT_MIN / INT_MAX index of the integer column that alone reads it (0: none, or the
 * field is read by another type, or by two columns). None at all when the null literal is itself an
 * integer: then a cell of digits may be NULL, which only the text comparison says.
 */
export function integerFields(cols: Schema['columns'], read: readonly boolean[], fieldOfColumn: readonly number[], fields: number, nullLiteral: string | undefined): Uint8Array {
  const out = new Uint8Array(fields);
  if (nullLiteral !== undefined && /^\s*[+-]?[0-9]+\s*$/.test(nullLiteral)) return out;
  const readers = new Uint8Array(fields);
  for (let c = 0; c < cols.length; c++) {
    const k = fieldOfColumn[c]!;
    if (!read[c] || k < 0 || k >= fields) continue;
    readers[k]!++;
    out[k] = INT_KINDS[cols[c]!.type.kind] ?? 0;
  }
  for (let k = 0; k < fields; k++) if (readers[k]! > 1) out[k] = 0;
  return out;
}

/**
 * The integer [a, z) spells (an optional sign, then at most 15 characters of ASCII digits in all, so
 * below 2^53), when it is within the type's range: the very number readInteger gives the cell's text
 * (-0 as 0). Undefined for anything else (blanks, more digits, out of range), which goes the text way
 * and gets its exact value or its reason from readInteger.
 */
export function smallInteger(b: Buffer, a: number, z: number, kind: number): number | undefined {
  if (z - a > 15) return undefined;
  let i = a;
  const sign = b[i]!;
  if (sign === 0x2d || sign === 0x2b) i++;
  if (i === z) return undefined;
  let v = 0;
  for (; i < z; i++) {
    const d = b[i]! - 0x30;
    if (d < 0 || d > 9) return undefined;
    v = v * 10 + d;
  }
  if (sign === 0x2d) v = v === 0 ? 0 : -v;
  return v >= INT_MIN[kind]! && v <= INT_MAX[kind]! ? v : undefined;
}

/**
 * How the piece's `lines` line breaks end: 'lf' when no CR is in it, 'crlf' when every LF follows a
 * CR and every CR comes before an LF, else 'mixed' (left to the whole-text decoder).
 */
export function lineEnds(b: Buffer, lines: number): 'lf' | 'crlf' | 'mixed' {
  let cr = b.indexOf(0x0d);
  if (cr < 0) return 'lf';
  let count = 0;
  for (; cr >= 0; cr = b.indexOf(0x0d, cr + 1)) {
    if (b[cr + 1] !== 0x0a) return 'mixed';
    count++;
  }
  return count === lines ? 'crlf' : 'mixed';
}

/** Whether [s, e) holds only blanks (as String.trim sees them, for the bytes a plain piece holds). */
export function isBlank(b: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0b && c !== 0x0c) {
      // a non-ASCII blank (U+00A0, U+3000...) is rare: ask String.trim
      return c >= 0x80 ? b.toString('utf8', s, e).trim() === '' : false;
    }
  }
  return true;
}

export function countNewlines(b: Uint8Array): number {
  let k = 0;
  for (let i = b.indexOf(0x0a); i >= 0; i = b.indexOf(0x0a, i + 1)) k++;
  return k;
}
