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

/**
 * Where the record starting at `s` ends, by quote parity (a line break inside quotes ends none, a
 * doubled quote toggles twice): just past its line break, or b.length when it runs to the end of `b`
 * outside quotes; -1 when a quote is still open at the end of `b`. `inQuote`: the count goes on
 * from `s` inside a quote (a record found open up to `s` before: see CsvStreamDecoder.decode).
 */
export function recordEnd(b: Uint8Array, s: number, quote: number, inQuote = false): number {
  for (let pos = s; ;) {
    const qi = b.indexOf(quote, pos);
    const nl = b.indexOf(0x0a, pos);
    if (!inQuote && (qi < 0 || (nl >= 0 && nl < qi))) return nl < 0 ? b.length : nl + 1;
    if (qi < 0) return -1;
    inQuote = !inQuote;
    pos = qi + 1;
  }
}

/**
 * The last line break in [from, to) of `b`, or -1. A short stretch (the delimiter between two quoted
 * fields, a line's unquoted numbers) is looked at byte by byte, where a call costs more than the
 * bytes; a long one is searched by lastIndexOf.
 */
export function lastLineBreak(b: Uint8Array, from: number, to: number): number {
  if (to - from > 32) {
    const nl = b.lastIndexOf(0x0a, to - 1);
    return nl >= from ? nl : -1;
  }
  for (let i = to - 1; i >= from; i--) if (b[i] === 0x0a) return i;
  return -1;
}

export function countNewlines(b: Uint8Array): number {
  let k = 0;
  for (let i = b.indexOf(0x0a); i >= 0; i = b.indexOf(0x0a, i + 1)) k++;
  return k;
}

/**
 * Where a part of a CSV file may end, in `b` (the part's first bytes, a record boundary at 0): after
 * the last record whose quoting is well formed, and past every record scanned before it (0: none).
 *
 * A record ends at a line break outside quotes, counted by quote parity as csv.ts's scanRecords
 * counts them. Where the quoting is broken (a quote inside an unquoted field, text after a closing
 * quote) csv-parse fails on the record, and the decoder rejects its first line and reads on from the
 * next (a broken record of one line: the next record): the scan here does the same. A cut right
 * after such a record, or inside the lines the broken quote joined, would hand the decoder a
 * different record, so the cut waits for a well-formed record ending past all of them. In a
 * well-formed file every record boundary qualifies: the last one in `b` is the cut.
 */
export function csvPartCut(b: Uint8Array, quote: number, delimiter: number): number {
  const n = b.length;
  let cut = 0;
  /** the end of the furthest record scanned (a broken one's lines are scanned again) */
  let scanned = 0;
  let pos = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  // the next quote and line break, searched again once passed (-1: none after): quotes and line
  // breaks are found by indexOf (memchr), a call costing less than a JS loop over the bytes between
  let nq = b.indexOf(quote, pos);
  let nl = b.indexOf(0x0a, pos);
  /** the record before held a quote: so will this one, most likely (a file quoting a column) */
  let quoting = false;
  while (pos < n) {
    if (nq >= 0 && nq < pos) nq = b.indexOf(quote, pos);
    if (!quoting) {
      // records without a quote end at their line breaks: skip to the record holding the next quote
      const upTo = nq < 0 ? n : nq;
      // (a negative fromIndex would count from the end)
      const lastBreak = upTo > pos ? b.lastIndexOf(0x0a, upTo - 1) : -1;
      if (lastBreak >= pos) {
        if (lastBreak + 1 >= scanned) cut = lastBreak + 1;
        pos = lastBreak + 1;
      }
      if (nq < 0) return cut;
    }
    // the record from pos: where it ends (its line break outside quotes) and whether its quoting is
    // well formed (every quote opens a field, closes one before a delimiter or the line's end, or is doubled)
    let wellFormed = true;
    quoting = false;
    let i = pos;
    let end: number;
    for (;;) {
      if (nq >= 0 && nq < i) nq = b.indexOf(quote, i);
      if (nl >= 0 && nl < i) nl = b.indexOf(0x0a, i);
      if (nl >= 0 && (nq < 0 || nl < nq)) {
        end = nl;
        break;
      }
      // the record does not end within b
      if (nq < 0) return cut;
      // a quote opens a field only where the field starts
      quoting = true;
      if (nq !== pos && b[nq - 1] !== delimiter) wellFormed = false;
      // its closing quote (a doubled one is two toggles, and stays inside)
      let k = nq + 1;
      for (;;) {
        k = b.indexOf(quote, k);
        if (k < 0) return cut;
        if (b[k + 1] !== quote) break;
        k += 2;
      }
      const next = b[k + 1];
      if (next !== undefined && next !== delimiter && next !== 0x0a && next !== 0x0d) wellFormed = false;
      i = k + 1;
    }
    scanned = Math.max(scanned, end + 1);
    if (wellFormed) {
      if (end + 1 >= scanned) cut = end + 1;
      pos = end + 1;
    } else {
      // a broken record: the decoder rejects its first line and reads on from the next (back
      // before the searches' positions: search again from there)
      pos = b.indexOf(0x0a, pos) + 1;
      nq = b.indexOf(quote, pos);
      nl = b.indexOf(0x0a, pos);
    }
  }
  return cut;
}
