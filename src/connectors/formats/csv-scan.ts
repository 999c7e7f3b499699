/**
 * CSV decoded straight from bytes, piece by piece. A piece without a quote character, CR or byte
 * that is not UTF-8 (the common file) is split on newlines and delimiters here, and only the cells
 * of the columns the query reads are read: integers, plain decimals, timestamps and text straight
 * from their bytes, anything else (and any spelling those readers leave) through its text. Any other piece (quoting, CRLF, comments, a header
 * still to read, a byte order mark) goes whole through csv.ts's decoder, which gives the same
 * records and reasons; the header read there is kept in the shared state for the pieces after it.
 *
 * Pieces end on record boundaries: split() counts quote characters, so a newline inside a quoted
 * field never ends one (a doubled quote toggles twice). A quote left open keeps the rest of the file
 * in one piece, which the whole-text decoder then handles as before (one broken record, not the rest).
 */
import { isUtf8 } from 'node:buffer';
import type { Schema } from '../../common/schema.js';
import type { RejectedRecord } from '../api.js';
import { ConversionFailure, convertValue } from './convert.js';
import { plainDouble, SMALL_RANGES, type IntegerKind } from './numbers.js';
import { decodeCsvPiece, decodeCsvRecordsInto, newCsvReadState, type CsvOptions, type CsvReadState } from './csv.js';
import { ColumnsCollector, decodeUtf8, rejectedRecord, type DecodeResult, type StreamDecoder } from './decoded.js';
import { ByteSpan } from './column-builders.js';
import { timestampFromBytes } from './timestamps.js';

export class CsvStreamDecoder implements StreamDecoder {
  private readonly state: CsvReadState;
  private readonly read: boolean[];
  private readonly quote: number;
  private readonly delimiter: number;
  /** the options this scanner handles; otherwise every piece takes the whole-text decoder */
  private readonly fast: boolean;

  constructor(private readonly schema: Schema, private readonly fileName: string, private readonly opts: CsvOptions, readColumns?: ReadonlySet<string>) {
    this.read = schema.columns.map((c) => readColumns === undefined || readColumns.has(c.name.toLowerCase()));
    this.state = newCsvReadState(schema, this.read);
    this.quote = opts.quote.charCodeAt(0);
    this.delimiter = opts.delimiter.charCodeAt(0);
    this.fast = this.quote < 0x80 && this.delimiter < 0x80 && !opts.allowComments;
  }

  split(bytes: Uint8Array, length: number): number {
    // a quote character beyond ASCII is not one byte: keep the file whole
    if (this.quote >= 0x80) return 0;
    let inQuote = false;
    let safe = 0;
    let pos = 0;
    for (;;) {
      let q = bytes.indexOf(this.quote, pos);
      if (q >= length) q = -1;
      if (!inQuote) {
        const end = q < 0 ? length : q;
        const nl = end > pos ? bytes.lastIndexOf(0x0a, end - 1) : -1;
        if (nl >= pos) safe = nl + 1;
      }
      if (q < 0) return safe;
      inQuote = !inQuote;
      pos = q + 1;
    }
  }

  decode(bytes: Buffer, firstLine: number, atFileStart: boolean, atFileEnd: boolean): DecodeResult & { lines: number; consumed?: number } {
    const lines = countNewlines(bytes);
    const st = this.state;
    if (st.expected < 0) return { batch: new ColumnsCollector(this.schema, this.read).finish(), rejected: [], records: 0, lines };
    if (this.fast && st.first && (this.opts.header || this.opts.ignoreFirstLine)) {
      const afterHeader = this.decodeHeaderFirst(bytes, firstLine, atFileStart, atFileEnd);
      if (afterHeader) return afterHeader;
    }
    // lines ending in CRLF (Python's csv module writes them) are scanned too, when every line of the piece does
    const ends = this.fast ? lineEnds(bytes, lines) : 'mixed';
    const scannable = ends !== 'mixed'
      && !(st.first && (this.opts.header || this.opts.ignoreFirstLine))
      && !(atFileStart && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
      && isUtf8(bytes);
    const plain = scannable && bytes.indexOf(this.quote) < 0;
    const quoted = scannable && !plain ? this.decodeQuotedRuns(bytes, firstLine, lines, ends === 'crlf') : undefined;
    if (quoted) return { ...quoted, lines };
    if (!plain) {
      const { text, invalidLines } = decodeUtf8(bytes);
      const shifted = new Set([...invalidLines].map((l) => l + firstLine - 1));
      const r = decodeCsvPiece(text, this.schema, this.fileName, this.opts, shifted, st, firstLine, atFileEnd);
      if (r.stoppedAtLine === undefined) return { ...r, lines };
      // a quote left open by broken quoting: the rest is decoded again once more is read
      const consumedLines = r.stoppedAtLine - firstLine;
      let consumed = 0;
      for (let k = 0; k < consumedLines; k++) consumed = bytes.indexOf(0x0a, consumed) + 1;
      return { batch: r.batch, rejected: r.rejected, records: r.records, lines: consumedLines, consumed };
    }
    st.first = false;
    return { ...this.decodePlain(bytes, firstLine, lines, ends === 'crlf'), lines };
  }

  /**
   * A file's first piece when a header (or an ignored first line) comes first: that line alone by
   * the whole-text decoder, which reads the header, then the rest of the piece as any other (else
   * the whole first piece, for a file smaller than a chunk the whole file, went the slow way).
   * Undefined when the first line is not one to split off (quoted, blank, or the whole piece).
   */
  private decodeHeaderFirst(bytes: Buffer, firstLine: number, atFileStart: boolean, atFileEnd: boolean): (DecodeResult & { lines: number; consumed?: number }) | undefined {
    const nl = bytes.indexOf(0x0a);
    if (nl < 0 || nl + 1 === bytes.length || bytes.subarray(0, nl).indexOf(this.quote) >= 0) return undefined;
    const head = this.decode(bytes.subarray(0, nl + 1), firstLine, atFileStart, false);
    // a blank first line is no header: the piece is decoded whole, as before
    if (this.state.first || head.consumed !== undefined) return undefined;
    const rest = this.decode(bytes.subarray(nl + 1), firstLine + head.lines, false, atFileEnd);
    return {
      batch: rest.batch, rejected: [...head.rejected, ...rest.rejected], records: head.records + rest.records,
      lines: head.lines + rest.lines, ...(rest.consumed === undefined ? {} : { consumed: nl + 1 + rest.consumed }),
    };
  }

  /**
   * A piece holding quote characters: its runs of lines without one are scanned, each run of records
   * holding one (quoted fields, escaped quotes, line breaks inside quotes) goes to the whole-text
   * decoder, all into one collector in order; before, the whole piece took the whole-text decoder
   * for one quoted field (4 MiB of a file that quotes the odd field fifty times slower).
   * Undefined when a quote is left open at the piece's end, or csv-parse finds one open where the
   * quote count closed it (broken quoting: the whole-text path decides how much of the piece to take).
   */
  private decodeQuotedRuns(b: Buffer, firstLine: number, lines: number, crlf: boolean): DecodeResult | undefined {
    const q = this.quote;
    const n = b.length;
    // one collector for the piece: the runs add their records to it in order
    const out = new ColumnsCollector(this.schema, this.read, lines + 1);
    const rejected: RejectedRecord[] = [];
    let records = 0;
    let line = firstLine;
    this.state.first = false;
    for (let s = 0; s < n;) {
      // the lines before the next quote's line are plain
      const nextQuote = b.indexOf(q, s);
      const quotedStart = nextQuote < 0 ? n : b.lastIndexOf(0x0a, nextQuote) + 1;
      if (quotedStart > s) {
        const run = b.subarray(s, quotedStart);
        records += this.scanPlainInto(out, rejected, run, line, crlf);
        line += countNewlines(run);
        s = quotedStart;
        if (s >= n) break;
      }
      // records while their lines hold a quote: each ends at the first line break outside quotes
      let end = s;
      for (;;) {
        let inQuote = false;
        let pos = end;
        for (;;) {
          const qi = b.indexOf(q, pos);
          const nl = b.indexOf(0x0a, pos);
          if (!inQuote && (qi < 0 || (nl >= 0 && nl < qi))) { end = nl < 0 ? n : nl + 1; break; }
          if (qi < 0) return undefined; // open at the piece's end
          inQuote = !inQuote;
          pos = qi + 1;
        }
        const after = b.indexOf(q, end);
        const nl = b.indexOf(0x0a, end);
        if (end >= n || after < 0 || (nl >= 0 && nl < after)) break;
      }
      const run = b.subarray(s, end);
      const r = decodeCsvRecordsInto(out, rejected, run.toString('utf8'), this.schema, this.fileName, this.opts, undefined, this.state, line, false);
      // csv-parse still inside quotes where the quote count said the records end (a stray quote in an
      // unquoted field): the whole piece goes the whole-text way, which resumes where it stops
      if (r.stoppedAtLine !== undefined) return undefined;
      records += r.records;
      line += countNewlines(run);
      s = end;
    }
    return { batch: out.finish(), rejected, records };
  }

  /** A piece of unquoted records, one a line (`crlf`: every line break is CRLF, the CR no part of the record). */
  private decodePlain(b: Buffer, firstLine: number, lines: number, crlf: boolean): DecodeResult {
    // a record a line (and a last one without its newline)
    const out = new ColumnsCollector(this.schema, this.read, lines + 1);
    const rejected: RejectedRecord[] = [];
    const records = this.scanPlainInto(out, rejected, b, firstLine, crlf);
    return { batch: out.finish(), rejected, records };
  }

  /** decodePlain's records added to `out` and `rejected`: how many records there were. */
  private scanPlainInto(out: ColumnsCollector, rejected: RejectedRecord[], b: Buffer, firstLine: number, crlf: boolean): number {
    const cols = this.schema.columns;
    const st = this.state;
    const expected = st.expected;
    // which field each read column takes (-1: none), and which fields are wanted at all
    const wanted = new Uint8Array(expected);
    for (let c = 0; c < cols.length; c++) if (this.read[c] && st.fieldOfColumn[c]! >= 0) wanted[st.fieldOfColumn[c]!] = 1;
    const intField = integerFields(cols, this.read, st.fieldOfColumn, expected, this.opts.nullLiteral);
    // where each wanted field's cell starts and ends in the line
    const cellStart = new Int32Array(expected);
    const cellEnd = new Int32Array(expected);
    const record: unknown[] = new Array(cols.length);
    const kinds = cols.map((c, i) => (this.read[i] ? c.type.kind : undefined));
    // the text of a VARCHAR cell goes from these bytes to the column's as a span, never a string
    const spans = cols.map(() => new ByteSpan());
    const nullBytes = this.opts.nullLiteral === undefined ? undefined : Buffer.from(this.opts.nullLiteral, 'utf8');
    const d = this.delimiter;
    const n = b.length;
    let records = 0;
    let line = firstLine;
    for (let s = 0; s < n; line++) {
      let nl = b.indexOf(0x0a, s);
      if (nl < 0) nl = n;
      // the record's end: before the CR of a CRLF
      const e = crlf && nl < n ? nl - 1 : nl;
      if (expected !== 1 && isBlank(b, s, e)) {
        s = nl + 1;
        continue;
      }
      records++;
      let fields = 0;
      let a = s;
      for (;;) {
        let z = b.indexOf(d, a);
        if (z < 0 || z > e) z = e;
        if (fields < expected && wanted[fields] === 1) {
          cellStart[fields] = a;
          cellEnd[fields] = z;
        }
        fields++;
        if (z === e) break;
        a = z + 1;
      }
      if (fields !== expected) {
        rejected.push(rejectedRecord(`${this.fileName}:${line}`, `expected ${expected} fields, found ${fields}`, b.toString('utf8', s, e)));
      } else {
        try {
          for (let c = 0; c < cols.length; c++) {
            const k = st.fieldOfColumn[c]!;
            const kind = kinds[c];
            if (k < 0 || kind === undefined) { record[c] = null; continue; }
            const ca = cellStart[k]!;
            const cz = cellEnd[k]!;
            // an empty cell is NULL, and so is the null literal
            if (cz === ca || (nullBytes !== undefined && sameBytes(b, ca, cz, nullBytes))) { record[c] = null; continue; }
            let v: unknown;
            if (intField[k] !== 0) v = smallInteger(b, ca, cz, intField[k]!);
            else if (kind === 'VARCHAR') v = spans[c]!.set(b, ca, cz);
            else if (kind === 'TIMESTAMP') v = timestampFromBytes(b, ca, cz);
            else if (kind === 'DOUBLE') v = plainDouble(b, ca, cz);
            // anything else, and what the byte readers leave, as the cell's text
            record[c] = v !== undefined ? v : convertValue(cols[c]!.type, b.toString('utf8', ca, cz), cols[c]!.name, 'text');
          }
          out.add(record);
        } catch (err) {
          if (!(err instanceof ConversionFailure)) throw err;
          rejected.push(rejectedRecord(`${this.fileName}:${line}`, err.reason, b.toString('utf8', s, e)));
        }
      }
      if (nl === n) break;
      s = nl + 1;
    }
    return records;
  }
}

/** Whether b[a, z) holds exactly the bytes of `x`. */
function sameBytes(b: Uint8Array, a: number, z: number, x: Uint8Array): boolean {
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
function integerFields(cols: Schema['columns'], read: readonly boolean[], fieldOfColumn: readonly number[], fields: number, nullLiteral: string | undefined): Uint8Array {
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
function smallInteger(b: Buffer, a: number, z: number, kind: number): number | undefined {
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
function lineEnds(b: Buffer, lines: number): 'lf' | 'crlf' | 'mixed' {
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
function isBlank(b: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0b && c !== 0x0c) {
      // a non-ASCII blank (U+00A0, U+3000...) is rare: ask String.trim
      return c >= 0x80 ? b.toString('utf8', s, e).trim() === '' : false;
    }
  }
  return true;
}

function countNewlines(b: Uint8Array): number {
  let k = 0;
  for (let i = b.indexOf(0x0a); i >= 0; i = b.indexOf(0x0a, i + 1)) k++;
  return k;
}
