/**
 * CSV decoded straight from bytes, piece by piece. A piece of valid UTF-8 whose line breaks are all
 * LF or all CRLF is split on line breaks and delimiters here, and only the cells of the columns the
 * query reads are read: integers, plain decimals, timestamps and text straight from their bytes,
 * anything else (and any spelling those readers leave) through its text. A record of one line with
 * plain quoting is read here too; any other record holding quotes (a line break inside quotes, a
 * stray quote) goes to csv.ts's decoder, which gives the same records and reasons, as does a piece
 * this scanner does not take (comments, a byte order mark, mixed line breaks). A header line is read
 * by csv.ts's decoder alone and kept in the shared state for the pieces after it.
 *
 * Pieces end at a line break (split()), which may be inside a quoted field: decoding counts quote
 * characters from the piece's start (a piece starts at a record boundary; a doubled quote toggles
 * twice) and stops before a record left open at the piece's end, which the next piece takes again
 * with the bytes read after it. A quote left open to the file's end keeps the rest of the file in one
 * piece; its first line is then one broken record and the lines after it are read as any others, as
 * the whole-text decoder reads them. A piece the scanners do not take is cut where the quote count
 * says its last record ends before the whole-text decoder reads it (decodeWholeText).
 */
import { isUtf8 } from 'node:buffer';
import type { Schema } from '../../common/schema.js';
import type { SqlType } from '../../common/types.js';
import type { RejectedRecord } from '../api.js';
import { ConversionFailure, convertValue } from './convert.js';
import { plainDouble } from './numbers.js';
import { countNewlines, csvPartCut, integerFields, isBlank, lastLineBreak, lineEnds, recordEnd, sameBytes, smallInteger } from './csv-bytes.js';
import { pieceEnd } from './csv-piece-end.js';
import { decodeCsvPiece, decodeCsvRecordsInto, newCsvReadState, type CsvOptions, type CsvReadState } from './csv.js';
import { ColumnsCollector, decodeUtf8, rejectedRecord, type DecodeResult, type StreamDecoder } from './decoded.js';
import { ByteSpan } from './column-builders.js';
import { timestampFromBytes } from './timestamps.js';

export class CsvStreamDecoder implements StreamDecoder {
  private readonly state: CsvReadState;
  private readonly read: boolean[];
  private readonly quote: number;
  private readonly delimiter: number;
  /** the scanners' state for the current header (scanContext) */
  private ctx: ScanContext | undefined;
  /** the options this scanner handles; otherwise every piece takes the whole-text decoder */
  private readonly fast: boolean;
  /**
   * How many bytes of the next piece the record it starts with was counted open over (0: none):
   * the last piece ended inside that record's quotes (decodeQuotedRuns)
   */
  private openFor = 0;

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
    // the piece ends at its last line break, which may fall inside a quoted field: decode() stops
    // before a record left open at a piece's end and takes it again with the next read (the quote
    // count of every byte, pieceEnd, was an eighth of an aggregation over a file quoting every cell,
    // for what decoding finds anyway; the whole-text way still cuts by it: decodeWholeText)
    return length === 0 ? 0 : bytes.lastIndexOf(0x0a, length - 1) + 1;
  }

  /** split() holds for a one-byte quote; comments (a quote in a comment does not count) keep a file whole */
  get splittable(): boolean {
    return this.fast;
  }

  partCut(bytes: Uint8Array): number {
    return csvPartCut(bytes, this.quote, this.delimiter);
  }

  /**
   * The header (or the first line to ignore) and the blank lines before it: what decodeCsvPiece
   * takes before its first record. A blank line is a record of a one-column schema, its header then.
   */
  preambleEnd(head: Uint8Array): number | undefined {
    if (!this.opts.header && !this.opts.ignoreFirstLine) return 0;
    const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
    for (let start = 0; ;) {
      const next = recordEnd(b, start, this.quote);
      // the record does not end (with its line break) within head, or head holds nothing more (blank lines only)
      if (next < 0 || next <= start || b[next - 1] !== 0x0a) return undefined;
      const end = next - 1 > start && b[next - 2] === 0x0d ? next - 2 : next - 1;
      const bom = start === 0 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
      if (this.schema.columns.length === 1 || !isBlank(b, start + bom, end)) return next;
      start = next;
    }
  }

  decode(bytes: Buffer, firstLine: number, atFileStart: boolean, atFileEnd: boolean): DecodeResult & { lines: number; consumed?: number } {
    // a record a quote left open at the last piece's end is counted on from where that piece
    // ended, not from its start again: a stray quote that no later quote closes keeps the rest of
    // the file open, and every read counted all of it again (and scanned it three times more)
    const openFor = this.openFor;
    this.openFor = 0;
    if (openFor > 0 && !atFileEnd && recordEnd(bytes, openFor, this.quote, true) < 0) {
      this.openFor = bytes.length;
      return this.noRecords(0, 0);
    }
    const lines = countNewlines(bytes);
    const st = this.state;
    if (st.expected < 0) return this.noRecords(lines);
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
    const quoted = scannable && !plain ? this.decodeQuotedRuns(bytes, firstLine, lines, ends === 'crlf', atFileEnd) : undefined;
    if (quoted) return quoted;
    if (!plain) return this.decodeWholeText(bytes, firstLine, lines, atFileEnd);
    st.first = false;
    return { ...this.decodePlain(bytes, firstLine, lines, ends === 'crlf'), lines };
  }

  /**
   * A piece the byte scanners do not take, by csv.ts's whole-text decoder. That decoder reads whole
   * records: csv-parse fails on a quote left open at the text's end, and the decoder then parses
   * record by record. So a piece split() cut inside a quoted field is first cut where the quote count
   * says its last record ends (pieceEnd), and the rest is taken again with the next read. (Excel's
   * CRLF rows with LF inside quoted cells, 200 000 rows: 5.9-6.3 s when split() cut by the quote
   * count, 11.9-12.2 s when it cut at line breaks without this cut here.)
   */
  private decodeWholeText(bytes: Buffer, firstLine: number, lines: number, atFileEnd: boolean): DecodeResult & { lines: number; consumed?: number } {
    let b = bytes;
    let bLines = lines;
    if (!atFileEnd) {
      const end = pieceEnd(bytes, bytes.length, this.quote);
      if (end < bytes.length) {
        if (end === 0) return this.noRecords(0, 0);
        b = bytes.subarray(0, end);
        bLines = countNewlines(b);
      }
    }
    const { text, invalidLines } = decodeUtf8(b);
    const shifted = new Set([...invalidLines].map((l) => l + firstLine - 1));
    const r = decodeCsvPiece(text, this.schema, this.fileName, this.opts, shifted, this.state, firstLine, atFileEnd);
    if (r.stoppedAtLine === undefined) return b === bytes ? { ...r, lines } : { ...r, lines: bLines, consumed: b.length };
    // a quote left open by broken quoting: the rest is decoded again once more is read
    const consumedLines = r.stoppedAtLine - firstLine;
    let consumed = 0;
    for (let k = 0; k < consumedLines; k++) consumed = b.indexOf(0x0a, consumed) + 1;
    return { batch: r.batch, rejected: r.rejected, records: r.records, lines: consumedLines, consumed };
  }

  /** A piece's result with no records: `lines` taken, and `consumed` bytes when not all of them. */
  private noRecords(lines: number, consumed?: number): DecodeResult & { lines: number; consumed?: number } {
    const r = { batch: new ColumnsCollector(this.schema, this.read).finish(), rejected: [], records: 0, lines };
    return consumed === undefined ? r : { ...r, consumed };
  }

  /**
   * A file's first piece when a header (or an ignored first line) comes first: that line alone by
   * the whole-text decoder, which reads the header, then the rest of the piece as any other (else
   * the whole first piece, for a file smaller than a chunk the whole file, went the slow way).
   * Undefined when the first line is not one to split off (a record of more than one line, blank,
   * or the whole piece).
   */
  private decodeHeaderFirst(bytes: Buffer, firstLine: number, atFileStart: boolean, atFileEnd: boolean): (DecodeResult & { lines: number; consumed?: number }) | undefined {
    const nl = bytes.indexOf(0x0a);
    // a quoted header (Python's csv module quotes every name) is split off too, when it is one line
    if (nl < 0 || nl + 1 === bytes.length || recordEnd(bytes, 0, this.quote) !== nl + 1) return undefined;
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
   * A piece holding quote characters: its lines without one are scanned, and so are records of one
   * line whose quotes only open, close and double inside fields (scanQuotedLine); any other record
   * (a line break inside quotes, a stray quote) goes to the whole-text decoder, all into one collector
   * in order. Before, the whole piece took the whole-text decoder for one quoted field (4 MiB of a
   * file that quotes the odd field fifty times slower).
   * A record a quote leaves open at the piece's end is left for the next piece (`consumed`: where it
   * starts, `lines` before it); one open to the file's end is one broken record of its first line, as
   * the whole-text decoder takes it. Undefined when csv-parse finds a quote open where the quote count
   * closed it (broken quoting: the whole-text path decides how much of the piece to take).
   */
  private decodeQuotedRuns(
    b: Buffer, firstLine: number, lines: number, crlf: boolean, atFileEnd: boolean,
  ): (DecodeResult & { lines: number; consumed?: number }) | undefined {
    const q = this.quote;
    const n = b.length;
    // one collector for the piece: the runs add their records to it in order
    const out = new ColumnsCollector(this.schema, this.read, lines + 1);
    const rejected: RejectedRecord[] = [];
    let records = 0;
    let line = firstLine;
    let nextQuote = -1;
    this.state.first = false;
    for (let s = 0; s < n;) {
      // the lines before the next quote's line are plain
      if (nextQuote < s) nextQuote = b.indexOf(q, s);
      const quotedStart = nextQuote < 0 ? n : b.lastIndexOf(0x0a, nextQuote) + 1;
      if (quotedStart > s) {
        const run = b.subarray(s, quotedStart);
        records += this.scanPlainInto(out, rejected, run, line, crlf);
        line += countNewlines(run);
        s = quotedStart;
        if (s >= n) break;
      }
      // records while their lines hold a quote: one of one line with plain quoting is scanned
      // (scanQuotedLine), any other (ending at the first line break outside quotes) goes to csv-parse
      for (;;) {
        let end = this.scanQuotedLine(out, rejected, b, s, line, crlf);
        if (end >= 0) {
          records++;
          if (b[end - 1] === 0x0a) line++;
        } else {
          end = recordEnd(b, s, q);
          if (end < 0) {
            // open at the piece's end: the record is taken again with the next read (s is where the
            // quote count, from the piece's start, last stood outside quotes at a line break: where
            // pieceEnd would cut)
            if (!atFileEnd) {
              this.openFor = n - s;
              return { batch: out.finish(), rejected, records, lines: line - firstLine, consumed: s };
            }
            // open to the file's end: as the whole-text decoder takes it (csv.ts, scanRecords), its
            // first line is one broken record (a blank one none), and reading goes on from the next line
            const open = unclosedLine(b, s);
            if (open.raw.trim() !== '' || this.state.expected === 1) {
              records++;
              rejected.push(rejectedRecord(`${this.fileName}:${line}`, 'invalid CSV: a quoted field is not closed', open.raw));
            }
            end = open.end;
            if (b[end - 1] === 0x0a) line++;
          } else {
            const run = b.subarray(s, end);
            const r = decodeCsvRecordsInto(out, rejected, run.toString('utf8'), this.schema, this.fileName, this.opts, undefined, this.state, line, false);
            // csv-parse still inside quotes where the quote count said the record ends (a stray quote in
            // an unquoted field): the whole piece goes the whole-text way, which resumes where it stops
            if (r.stoppedAtLine !== undefined) return undefined;
            records += r.records;
            line += countNewlines(run);
          }
        }
        s = end;
        if (end >= n) break;
        // on while the next line holds a quote (the quote's search reused for the lines it skips)
        if (nextQuote < end) nextQuote = b.indexOf(q, end);
        if (nextQuote < 0 || lastLineBreak(b, end, nextQuote) >= 0) break;
      }
    }
    return { batch: out.finish(), rejected, records, lines };
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
    const ctx = this.scanContext();
    // this scanner sets no quoted or escaped marks: those the quoted lines' scanner left are cleared
    // once here, not after each of its records
    if (ctx.marked) {
      ctx.quoted.fill(0);
      ctx.escaped.fill(0);
      ctx.marked = false;
    }
    const expected = this.state.expected;
    const { wanted, cellStart, cellEnd } = ctx;
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
      this.addRecord(out, rejected, ctx, b, s, e, line, fields);
      if (nl === n) break;
      s = nl + 1;
    }
    return records;
  }

  /**
   * One record of one line from `s` holding quote characters, read field by field when every quote
   * opens a field, closes it (before a delimiter or the line's end) or is doubled inside it: where
   * the record ends (past its line break), or -1 with nothing added for anything else (a line break
   * inside quotes, a stray quote, text after a closing quote: csv-parse then decides what the record
   * is). `crlf`: every line break of the piece is CRLF, the CR no part of the record. The line's
   * break is searched once (the old scan searched it again for every quote of the line).
   */
  private scanQuotedLine(out: ColumnsCollector, rejected: RejectedRecord[], b: Buffer, s: number, line: number, crlf: boolean): number {
    const ctx = this.scanContext();
    const expected = this.state.expected;
    const { wanted, cellStart, cellEnd, quoted, escaped } = ctx;
    const d = this.delimiter;
    const q = this.quote;
    const n = b.length;
    // the line: up to its line break (the piece's end for a last line without one), and before
    // the break's CR where every break is CRLF
    let lf = b.indexOf(0x0a, s);
    if (lf < 0) lf = n;
    let e = lf;
    if (crlf && lf < n) {
      if (lf === s || b[lf - 1] !== 0x0d) return -1;
      e = lf - 1;
    }
    // quotes, line breaks and delimiters are found by indexOf (memchr): a call costs less than a
    // JS loop over the bytes between. The next quote at or after an unquoted field's start: -2 unknown
    let nq = -2;
    let fields = 0;
    for (let a = s; ;) {
      let z: number;
      let cs = a;
      let ce: number;
      let isQuoted = 0;
      let isEscaped = 0;
      if (a < e && b[a] === q) {
        // the closing quote, before the line's end (a line break inside quotes: not a line's record)
        let k = a + 1;
        for (;;) {
          k = b.indexOf(q, k);
          if (k < 0 || k >= e) return -1;
          if (b[k + 1] !== q) break;
          isEscaped = 1;
          k += 2;
        }
        cs = a + 1;
        ce = k;
        z = k + 1;
        isQuoted = 1;
        // a closing quote ends the field
        if (z !== e && b[z] !== d) return -1;
      } else {
        z = b.indexOf(d, a);
        if (z < 0 || z > e) z = e;
        // a quote inside an unquoted field: csv-parse decides
        if (nq !== -1 && nq < a) nq = b.indexOf(q, a);
        if (nq >= 0 && nq < z) return -1;
        ce = z;
      }
      if (fields < expected && wanted[fields] === 1) {
        cellStart[fields] = cs;
        cellEnd[fields] = ce;
        quoted[fields] = isQuoted;
        escaped[fields] = isEscaped;
        if (isQuoted === 1) ctx.marked = true;
      }
      fields++;
      if (z === e) break;
      a = z + 1;
    }
    this.addRecord(out, rejected, ctx, b, s, e, line, fields);
    return lf < n ? lf + 1 : n;
  }

  /** The record whose wanted cells `ctx` holds converted and added, or rejected with its reason. */
  private addRecord(out: ColumnsCollector, rejected: RejectedRecord[], ctx: ScanContext, b: Buffer, s: number, e: number, line: number, fields: number): void {
    const expected = this.state.expected;
    if (fields !== expected) {
      rejected.push(rejectedRecord(`${this.fileName}:${line}`, `expected ${expected} fields, found ${fields}`, b.toString('utf8', s, e)));
      return;
    }
    const cols = this.schema.columns;
    const { kinds, cellStart, cellEnd, quoted, escaped, intField, spans, nullBytes, record } = ctx;
    const fieldOfColumn = this.state.fieldOfColumn;
    try {
      for (let c = 0; c < cols.length; c++) {
        const k = fieldOfColumn[c]!;
        const kind = kinds[c];
        if (k < 0 || kind === undefined) { record[c] = null; continue; }
        const ca = cellStart[k]!;
        const cz = cellEnd[k]!;
        if (escaped[k] === 1) {
          // a doubled quote inside: the text with the doubles undone, read as csv-parse's cell would be
          const text = b.toString('utf8', ca, cz).split(this.opts.quote + this.opts.quote).join(this.opts.quote);
          record[c] = text === this.opts.nullLiteral ? null : convertValue(cols[c]!.type, text, cols[c]!.name, 'text');
          continue;
        }
        // an empty unquoted cell is NULL (a quoted one is ''), and so is the null literal
        if ((cz === ca && quoted[k] === 0) || (nullBytes !== undefined && sameBytes(b, ca, cz, nullBytes))) { record[c] = null; continue; }
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

  /** What the scanners need for the current header's fields, made again when a header changes them. */
  private scanContext(): ScanContext {
    const st = this.state;
    if (this.ctx && this.ctx.fieldOfColumn === st.fieldOfColumn && this.ctx.expected === st.expected) return this.ctx;
    const cols = this.schema.columns;
    const expected = st.expected;
    // which fields are wanted at all
    const wanted = new Uint8Array(expected);
    for (let c = 0; c < cols.length; c++) if (this.read[c] && st.fieldOfColumn[c]! >= 0) wanted[st.fieldOfColumn[c]!] = 1;
    this.ctx = {
      fieldOfColumn: st.fieldOfColumn, expected, wanted,
      intField: integerFields(cols, this.read, st.fieldOfColumn, expected, this.opts.nullLiteral),
      cellStart: new Int32Array(expected), cellEnd: new Int32Array(expected),
      quoted: new Uint8Array(expected), escaped: new Uint8Array(expected),
      record: new Array(cols.length),
      kinds: cols.map((c, i) => (this.read[i] ? c.type.kind : undefined)),
      // the text of a VARCHAR cell goes from these bytes to the column's as a span, never a string
      spans: cols.map(() => new ByteSpan()),
      nullBytes: this.opts.nullLiteral === undefined ? undefined : Buffer.from(this.opts.nullLiteral, 'utf8'),
      marked: false,
    };
    return this.ctx;
  }
}

/** The scanners' per-header state: the wanted fields, where each cell is in the line, the column types. */
interface ScanContext {
  readonly fieldOfColumn: readonly number[];
  readonly expected: number;
  readonly wanted: Uint8Array;
  readonly intField: Uint8Array;
  readonly cellStart: Int32Array;
  readonly cellEnd: Int32Array;
  /** per field: the cell was quoted (its empty text is '', not NULL), and it holds a doubled quote */
  readonly quoted: Uint8Array;
  readonly escaped: Uint8Array;
  readonly record: unknown[];
  readonly kinds: readonly (SqlType['kind'] | undefined)[];
  readonly spans: readonly ByteSpan[];
  readonly nullBytes: Uint8Array | undefined;
  /**
   * Whether a quoted or escaped mark may be set. The quoted lines' scanner writes every wanted field's
   * marks for each record it reads (a record with another number of fields is rejected before they
   * are read), so its marks never outlive it there; the plain scanner writes none, and clears them.
   */
  marked: boolean;
}

/**
 * The line from `s`: where it ends (past its line break) and its text without the break and a CR
 * before it (csv.ts's trimEol). Before, a record a quote left open to the file's end sent the rest of
 * the file the whole-text way, a record at a time through csv-parse: 33 s for 300 000 lines after
 * one stray quote.
 */
function unclosedLine(b: Buffer, s: number): { end: number; raw: string } {
  const nl = b.indexOf(0x0a, s);
  const e = nl < 0 ? b.length : nl;
  return { end: nl < 0 ? b.length : nl + 1, raw: b.toString('utf8', s, e > s && b[e - 1] === 0x0d ? e - 1 : e) };
}
