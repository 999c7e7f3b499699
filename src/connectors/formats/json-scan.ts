/**
 * JSON Lines decoded straight from bytes: the common line (a flat object of strings, plain numbers,
 * true/false/null, no escapes) is scanned byte by byte, and only the fields of the columns the query
 * reads are turned into JS values; no JSON.parse, no object per line, no string for a skipped field.
 *
 * Anything unusual sends the line to the exact path (json.ts decodeJsonLine): a nested value, an
 * escape, a number JSON.parse would not read exactly (16+ integer digits, an exponent), a key that
 * is not ASCII, a control character, any syntax error. So a line is
 * either read here with the same result the exact path would give, or read there: rejected records
 * keep their reasons (test/connectors/formats/json-stream.test.ts compares both on random input).
 * A piece whose bytes are not all UTF-8 is decoded whole by the exact path.
 */
import { isUtf8 } from 'node:buffer';
import type { Schema } from '../../common/schema.js';
import type { SqlType } from '../../common/types.js';
import type { RejectedRecord } from '../api.js';
import { ConversionFailure, convertValue, MAX_TIMESTAMP_MS } from './convert.js';
import { ColumnsCollector, decodeUtf8, rejectedRecord, type DecodeResult, type StreamDecoder } from './decoded.js';
import { decodeJsonLine, decodeJsonLines } from './json.js';
import { decimalValue } from './long-decimal.js';
import { ByteSpan } from './column-builders.js';
import { timestampFromBytes } from './timestamps.js';

/** A key of no column the query reads. */
const SKIP = -1;
/** `seen` of a column: its value came from a key naming it exactly, or (so far) only case-insensitively */
const EXACT = 1;
const CASE_ONLY = 2;


export class JsonStreamDecoder implements StreamDecoder {
  private readonly read: boolean[];
  private readonly names: Uint8Array[];
  /** lower-case ASCII names of the columns read (for the case-insensitive check) */
  private readonly lowerRead: (Uint8Array | undefined)[];
  /** false when some column name is not ASCII: every line takes the exact path */
  private readonly fast: boolean;
  private readonly raw: unknown[];
  private readonly seen: Uint8Array;
  /** per column whose value came from a key naming it only case-insensitively: that key, in the line */
  private readonly caseKeyStart: Int32Array;
  private readonly caseKeyEnd: Int32Array;
  /** set by column(): the key names its column only case-insensitively */
  private caseOnly = false;
  /** set by column(): the column the key names exactly, read or not (-1: none) */
  private exactColumn = -1;
  /** the column the previous line's k-th key named exactly (-1: none, or not known) */
  private readonly keyOrder: Int32Array;
  /** each column's name and the '"' closing it as a key, and the same as little-endian words */
  private readonly quotedNames: Uint8Array[];
  private readonly keyWords: Int32Array[];
  private readonly record: unknown[];
  /** each read column's type kind (undefined: not read), and its span for VARCHAR strings */
  private readonly kinds: (SqlType['kind'] | undefined)[];
  private readonly spans: ByteSpan[];
  private readonly encoder = new TextEncoder();
  /** the piece being decoded, for stringEnd's word reads */
  private dv: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  /** set by scanLine: where the value just read ends */
  private pos = 0;
  private value: unknown = undefined;

  constructor(private readonly schema: Schema, private readonly fileName: string, readColumns?: ReadonlySet<string>) {
    const cols = schema.columns;
    this.read = cols.map((c) => readColumns === undefined || readColumns.has(c.name.toLowerCase()));
    // each name and the '"' closing it as a key; the names alone are views of those
    this.quotedNames = cols.map((c) => this.encoder.encode(`${c.name}"`));
    this.names = this.quotedNames.map((q) => q.subarray(0, q.length - 1));
    this.fast = cols.every((c) => /^[\x20-\x7e]*$/.test(c.name) && !c.name.includes('"') && !c.name.includes('\\'));
    this.lowerRead = cols.map((c, i) => (this.read[i] ? this.encoder.encode(c.name.toLowerCase()) : undefined));
    this.raw = new Array(cols.length);
    this.seen = new Uint8Array(cols.length);
    this.caseKeyStart = new Int32Array(cols.length);
    this.caseKeyEnd = new Int32Array(cols.length);
    this.record = new Array(cols.length);
    this.kinds = cols.map((c, i) => (this.read[i] ? c.type.kind : undefined));
    this.spans = cols.map(() => new ByteSpan());
    this.keyOrder = new Int32Array(Math.min(64, 2 * cols.length + 8)).fill(-1);
    this.keyWords = this.quotedNames.map((q) => {
      const view = new DataView(q.buffer, q.byteOffset, q.byteLength);
      return Int32Array.from({ length: q.length >> 2 }, (_, i) => view.getInt32(4 * i, true));
    });
  }

  split(bytes: Uint8Array, length: number): number {
    return bytes.lastIndexOf(0x0a, length - 1) + 1;
  }

  /** a line is a record: any line break starts a part a batch can decode alone */
  readonly splittable = true;

  partCut(bytes: Uint8Array): number {
    return this.split(bytes, bytes.length);
  }

  preambleEnd(): number {
    return 0;
  }

  decode(bytes: Buffer, firstLine: number, atFileStart: boolean): DecodeResult & { lines: number } {
    const bom = atFileStart && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    if (!this.fast || bom || !isUtf8(bytes)) return this.decodeExact(bytes, firstLine);
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = new ColumnsCollector(this.schema, this.read);
    const rejected: RejectedRecord[] = [];
    let records = 0;
    let lineNo = firstLine;
    let s = 0;
    const n = bytes.length;
    for (; s < n; lineNo++) {
      let e = bytes.indexOf(0x0a, s);
      if (e < 0) e = n;
      let end = e;
      if (end > s && bytes[end - 1] === 0x0d) end--;
      if (end > s) {
        records += this.line(bytes, s, end, e, lineNo, out, rejected);
      }
      s = e + 1;
      if (e === n) break;
    }
    // a piece ending with a newline holds one line fewer than the newlines + 1
    const lines = n > 0 && bytes[n - 1] === 0x0a ? lineNo - firstLine : lineNo - firstLine + 1;
    return { batch: out.finish(), rejected, records, lines };
  }

  /** A piece with bytes that are not UTF-8 (or with a byte order mark): the whole-text decoder. */
  private decodeExact(bytes: Buffer, firstLine: number): DecodeResult & { lines: number } {
    const { text, invalidLines } = decodeUtf8(bytes);
    // decodeUtf8 numbers lines from 1: move them to the file's numbering
    const shifted = new Set([...invalidLines].map((l) => l + firstLine - 1));
    const r = decodeJsonLines(text, this.schema, this.fileName, shifted, firstLine, this.read);
    let lines = 1;
    for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) lines++;
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0a) lines--;
    return { ...r, lines };
  }

  /** One line [s, end) (`e` past a trailing CR): 1 when it is a record, 0 when blank. */
  private line(b: Buffer, s: number, end: number, e: number, lineNo: number, out: ColumnsCollector, rejected: RejectedRecord[]): number {
    const cols = this.schema.columns;
    if (this.scanLine(b, s, end)) {
      try {
        for (let c = 0; c < cols.length; c++) {
          this.record[c] = this.read[c] && this.seen[c] ? quickConvert(cols[c]!.type, this.raw[c], cols[c]!.name) : null;
        }
        out.add(this.record);
      } catch (err) {
        if (!(err instanceof ConversionFailure)) throw err;
        rejected.push(rejectedRecord(`${this.fileName}:${lineNo}`, err.reason, b.toString('utf8', s, e)));
      }
      return 1;
    }
    const text = b.toString('utf8', s, e);
    if (text.trim() === '') return 0;
    decodeJsonLine(text, `${this.fileName}:${lineNo}`, this.schema, this.read, this.record, out, rejected);
    return 1;
  }

  /** Scan a flat object on [p, end) into raw/seen; false: leave the line to the exact path. */
  private scanLine(b: Buffer, p: number, end: number): boolean {
    const seen = this.seen;
    for (let c = 0; c < seen.length; c++) seen[c] = 0; // (a fill() call cost more than the line's keys)
    if (b[p] !== 0x7b) return false; // '{'
    p = skipWs(b, p + 1, end);
    if (b[p] === 0x7d) return skipWs(b, p + 1, end) === end;
    for (let k = 0; ; k++) {
      if (b[p] !== 0x22) return false;
      const ks = p + 1;
      let ke: number;
      let col: number;
      // the key the line before had here, when it named a column exactly: lines of one writer mostly
      // repeat their keys in one order, and a key equal to a column's name needs no other check
      const guess = k < this.keyOrder.length ? this.keyOrder[k]! : -1;
      if (guess >= 0 && this.sameKey(b, ks, guess, end)) {
        ke = ks + this.names[guess]!.length;
        this.caseOnly = false;
        col = this.read[guess] ? guess : SKIP;
      } else {
        for (ke = ks; ke < end; ke++) {
          const c = b[ke]!;
          if (c === 0x22) break;
          if (c === 0x5c || c < 0x20 || c >= 0x80) return false;
        }
        if (ke >= end) return false;
        col = this.column(b, ks, ke);
        if (k < this.keyOrder.length) this.keyOrder[k] = this.caseOnly ? -1 : this.exactColumn;
      }
      // (decided before the value is scanned: a VARCHAR value goes into its column's one ByteSpan)
      if (col >= 0 && !this.takes(b, col, ks, ke)) col = SKIP;
      // whitespace is looked for only where the compact form has none
      p = ke + 1;
      if (b[p] !== 0x3a) p = skipWs(b, p, end);
      if (b[p] !== 0x3a) return false; // ':'
      p++;
      if (b[p]! <= 0x20) p = skipWs(b, p, end);
      if (!this.scanValue(b, p, end, col)) return false;
      if (col >= 0) this.raw[col] = this.value;
      p = this.pos;
      if (b[p]! <= 0x20) p = skipWs(b, p, end);
      if (b[p] === 0x2c) { // ','
        p++;
        if (b[p] !== 0x22) p = skipWs(b, p, end);
        continue;
      }
      if (b[p] === 0x7d) return skipWs(b, p + 1, end) === end; // '}'
      return false;
    }
  }

  /** Whether `b` at `at` holds column `c`'s name and the '"' closing it: four bytes at a time. */
  private sameKey(b: Buffer, at: number, c: number, end: number): boolean {
    const key = this.quotedNames[c]!;
    const len = key.length;
    if (at + len > end) return false;
    const words = this.keyWords[c]!;
    const dv = this.dv;
    let i = 0;
    for (; i + 4 <= len; i += 4) if (dv.getInt32(at + i, true) !== words[i >> 2]) return false;
    for (; i < len; i++) if (b[at + i] !== key[i]) return false;
    return true;
  }

  /**
   * Whether the value of key [ks, ke), which names read column `col`, is the column's, as json.ts's
   * fieldOf picks it from the parsed object: the key named exactly (its last value, as JSON.parse
   * keeps), else the first key naming it case-insensitively (its last value too). column() said which.
   */
  private takes(b: Buffer, col: number, ks: number, ke: number): boolean {
    if (!this.caseOnly) {
      this.seen[col] = EXACT;
      return true;
    }
    const seen = this.seen[col];
    if (seen === EXACT) return false;
    if (seen === CASE_ONLY) {
      // another key of the same letters in another case comes after the first in the object: not it
      if (b.compare(b, this.caseKeyStart[col]!, this.caseKeyEnd[col]!, ks, ke) !== 0) return false;
    }
    this.seen[col] = CASE_ONLY;
    this.caseKeyStart[col] = ks;
    this.caseKeyEnd[col] = ke;
    return true;
  }

  /**
   * The read column a key names (SKIP: none), exactly or, setting caseOnly, only case-insensitively.
   * Sets exactColumn: the column the key names exactly, read or not (-1: none).
   */
  private column(b: Buffer, ks: number, ke: number): number {
    this.caseOnly = false;
    this.exactColumn = -1;
    const len = ke - ks;
    const names = this.names;
    for (let c = 0; c < names.length; c++) {
      const name = names[c]!;
      if (name.length !== len) continue;
      let i = 0;
      while (i < len && name[i] === b[ks + i]) i++;
      if (i === len) {
        this.exactColumn = c;
        return this.read[c] ? c : SKIP;
      }
    }
    for (let c = 0; c < names.length; c++) {
      const lower = this.lowerRead[c];
      if (lower === undefined || lower.length !== len) continue;
      let i = 0;
      while (i < len && lower[i] === (b[ks + i]! | (b[ks + i]! >= 0x41 && b[ks + i]! <= 0x5a ? 0x20 : 0))) i++;
      if (i === len) {
        this.caseOnly = true;
        return c;
      }
    }
    return SKIP;
  }

  /**
   * A string, plain number, true, false or null at p for column `col` (SKIP: none read): sets value
   * and pos. A VARCHAR column's string is a ByteSpan of the line (no JS string made), a TIMESTAMP's
   * its epoch ms when timestampFromBytes reads it; a number for a VARCHAR column keeps its written
   * form only on the exact path.
   */
  private scanValue(b: Buffer, p: number, end: number, col: number): boolean {
    const c = b[p];
    const kind = col >= 0 ? this.kinds[col] : undefined;
    if (c === 0x22) {
      const q = this.stringEnd(b, p + 1, end);
      if (q < 0) return false;
      // a value only for a column the query reads
      this.value = kind === undefined ? undefined
        : kind === 'VARCHAR' ? this.spans[col]!.set(b, p + 1, q)
        : (kind === 'TIMESTAMP' ? timestampFromBytes(b, p + 1, q) : undefined) ?? b.toString('utf8', p + 1, q);
      this.pos = q + 1;
      return true;
    }
    if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) return kind !== 'VARCHAR' && this.scanNumber(b, p, end);
    if (c === 0x74 && b[p + 1] === 0x72 && b[p + 2] === 0x75 && b[p + 3] === 0x65) { this.value = true; this.pos = p + 4; return true; }
    if (c === 0x66 && b[p + 1] === 0x61 && b[p + 2] === 0x6c && b[p + 3] === 0x73 && b[p + 4] === 0x65) {
      this.value = false; this.pos = p + 5; return true;
    }
    if (c === 0x6e && b[p + 1] === 0x75 && b[p + 2] === 0x6c && b[p + 3] === 0x6c) { this.value = null; this.pos = p + 4; return true; }
    return false;
  }

  /**
   * Where the string whose characters start at `q` closes (its '"'), or -1 when a backslash or a
   * control byte comes first, or nothing closes it before `end`: the exact path decides those. Four
   * bytes at a time while none of them is '"', '\\' or below 0x20 (word tests that are exact for
   * any bytes: a zero byte of w ^ 0x22222222 is a '"'), then byte by byte from the word that has one.
   * A line's strings are most of its bytes (a bid's URL and extra): checked a byte at a time they were
   * most of the scanner's time.
   */
  private stringEnd(b: Buffer, q: number, end: number): number {
    const dv = this.dv;
    for (; q + 4 <= end; q += 4) {
      const w = dv.getUint32(q, true);
      const quote = w ^ 0x22222222;
      const backslash = w ^ 0x5c5c5c5c;
      if ((((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash) | ((w - 0x20202020) & ~w)) & 0x80808080) break;
    }
    for (; q < end; q++) {
      const x = b[q]!;
      if (x === 0x22) return q;
      if (x === 0x5c || x < 0x20) return -1;
    }
    return -1;
  }

  /** -?(0|[1-9][0-9]*)(.[0-9]+)? with fewer than 16 integer digits; an exponent goes to the exact path. */
  private scanNumber(b: Buffer, p: number, end: number): boolean {
    const start = p;
    const neg = b[p] === 0x2d;
    if (neg) p++;
    const intStart = p;
    // the digits' integer M = first · 10^(n − 9) + last: first the first nine, last those after
    let first = 0;
    let last = 0;
    let n = 0;
    for (; p < end && b[p]! >= 0x30 && b[p]! <= 0x39; p++) {
      if (n++ < 9) first = first * 10 + (b[p]! - 0x30);
      else last = last * 10 + (b[p]! - 0x30);
    }
    const intDigits = p - intStart;
    if (intDigits === 0 || intDigits >= 16 || (intDigits > 1 && b[intStart] === 0x30)) return false;
    let fracDigits = 0;
    if (b[p] === 0x2e) {
      p++;
      const fs = p;
      for (; p < end && b[p]! >= 0x30 && b[p]! <= 0x39; p++) {
        if (n++ < 9) first = first * 10 + (b[p]! - 0x30);
        else last = last * 10 + (b[p]! - 0x30);
      }
      fracDigits = p - fs;
      if (fracDigits === 0) return false;
    }
    const next = b[p];
    if (next === 0x65 || next === 0x45) return false;
    const x = decimalValue(first, last, n, fracDigits, b, intStart, p);
    this.value = neg ? -x : x;
    this.pos = p;
    return true;
  }
}

const INT_BOUNDS: Readonly<Record<string, readonly [number, number]>> = {
  TINYINT: [-128, 127], SMALLINT: [-32768, 32767], INT: [-2147483648, 2147483647],
  BIGINT: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/**
 * convertValue for the values this scanner gives, without its closures for the common cases (an
 * integer in range, a double, a string: the scanner's strings are valid UTF-8 without escapes, so
 * well formed); everything else through convertValue, which throws the ConversionFailure.
 */
function quickConvert(t: SqlType, v: unknown, column: string): unknown {
  if (v === null) return null;
  const kind = t.kind;
  if (typeof v === 'number') {
    const bounds = INT_BOUNDS[kind];
    if (bounds !== undefined && Number.isInteger(v) && v >= bounds[0] && v <= bounds[1]) return v === 0 ? 0 : v;
    if (kind === 'DOUBLE') return v;
    // epoch ms, given or read from a string by timestampFromBytes
    if (kind === 'TIMESTAMP' && Number.isInteger(v) && Math.abs(v) <= MAX_TIMESTAMP_MS) return v;
  } else if (v instanceof ByteSpan) {
    // only a VARCHAR column's strings are spans: valid UTF-8 without escapes, so well formed
    return v;
  }
  return convertValue(t, v, column);
}

function skipWs(b: Buffer, p: number, end: number): number {
  while (p < end) {
    const c = b[p]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) break;
    p++;
  }
  return p;
}
