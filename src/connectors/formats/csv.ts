/**
 * The `csv` format, with Flink's option names (`csv.field-delimiter`, `csv.quote-character`,
 * `csv.null-literal`, `csv.allow-comments`, `csv.ignore-parse-errors`).
 *
 * Parsing and writing use csv-parse / csv-stringify rather than hand-written code: CSV's quoting
 * rules (quoted delimiters, doubled quotes, newlines inside quoted fields, CRLF) are easy to get
 * subtly wrong, and those packages are the well-kept reference implementation on npm.
 *
 * Conventions:
 * - No header line by default (as Flink). `csv.header` = 'true' reads the first line as a header and
 *   matches columns by name (exact, then case-insensitively; columns missing from it are NULL) and
 *   makes the writer start each file with one; `csv.ignore-first-line` = 'true' skips the first line
 *   and matches columns by position.
 * - An empty unquoted field is NULL; a quoted empty field `""` is the empty string (the writer
 *   quotes empty strings so both round-trip). A field equal to `csv.null-literal` is NULL too, and
 *   the writer writes NULL as that literal when it is set.
 * - TIMESTAMP is written `YYYY-MM-DD HH:MM:SS.fff` (UTC), as Flink's csv format; it is read from that,
 *   from ISO-8601 or from epoch milliseconds. A ROW cell holds a JSON object.
 * - A record with the wrong number of fields, a value that does not convert, or broken quoting is a
 *   rejected record (`file:line`, with the reason); the other records are kept.
 */
import type * as arrow from 'apache-arrow';
import type * as CsvParse from 'csv-parse/sync';
import { lazyModule } from '../../common/lazy-module.js';
import type { Options as ParseOptions } from 'csv-parse/sync';
import { readerFor } from '../../common/columns.js';
import { WeirError, type SourceSpan } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import type { RejectedRecord } from '../api.js';
import { ConversionFailure, convertValue, toTextValue } from './convert.js';
import { CsvStreamDecoder } from './csv-scan.js';
import { csvBytes } from './text-bytes.js';
import { writeCsv } from './text-writers.js';
import { ColumnsCollector, INVALID_UTF8, rejectedRecord, type DecodeResult, type TextFormat } from './decoded.js';

/** csv-parse, loaded when a CSV text is first parsed */
const csvParse = lazyModule<typeof CsvParse>('csv-parse/sync');

export const CSV_OPTION_KEYS: readonly string[] = [
  'csv.field-delimiter', 'csv.quote-character', 'csv.null-literal', 'csv.allow-comments',
  'csv.ignore-parse-errors', 'csv.header', 'csv.ignore-first-line',
];

export interface CsvOptions {
  readonly delimiter: string;
  readonly quote: string;
  readonly nullLiteral: string | undefined;
  /** lines starting with '#' are comments */
  readonly allowComments: boolean;
  readonly header: boolean;
  readonly ignoreFirstLine: boolean;
}

export const DEFAULT_CSV_OPTIONS: CsvOptions = {
  delimiter: ',', quote: '"', nullLiteral: undefined, allowComments: false, header: false, ignoreFirstLine: false,
};

/** The csv options of a table's WITH clause; a bad value is WeirError('OPTION') at its span. */
export function csvOptionsFrom(options: ReadonlyMap<string, string>, spans: ReadonlyMap<string, SourceSpan>): CsvOptions {
  const char = (key: string, dflt: string): string => {
    const v = options.get(key);
    if (v === undefined) return dflt;
    const c = v === '\\t' ? '\t' : v;
    if (c.length !== 1 || c === '\n' || c === '\r') {
      throw new WeirError('OPTION', `option '${key}' must be a single character, got '${v}'`, spans.get(key));
    }
    return c;
  };
  const delimiter = char('csv.field-delimiter', ',');
  const quote = char('csv.quote-character', '"');
  if (quote === delimiter) {
    throw new WeirError('OPTION', `'csv.quote-character' and 'csv.field-delimiter' must differ`, spans.get('csv.quote-character'));
  }
  return {
    delimiter,
    quote,
    nullLiteral: options.get('csv.null-literal'),
    allowComments: booleanOption(options, spans, 'csv.allow-comments'),
    header: booleanOption(options, spans, 'csv.header'),
    ignoreFirstLine: booleanOption(options, spans, 'csv.ignore-first-line'),
  };
}

export function booleanOption(options: ReadonlyMap<string, string>, spans: ReadonlyMap<string, SourceSpan>, key: string): boolean {
  const v = options.get(key);
  if (v === undefined) return false;
  const s = v.trim().toLowerCase();
  if (s === 'true') return true;
  if (s === 'false') return false;
  throw new WeirError('OPTION', `option '${key}' must be 'true' or 'false', got '${v}'`, spans.get(key));
}

/** One physical record: its fields, or why it could not be parsed; `line` is where it starts. */
type RawRecord =
  | { readonly kind: 'fields'; readonly fields: readonly (string | null)[]; readonly line: number; readonly raw: string }
  | { readonly kind: 'broken'; readonly reason: string; readonly line: number; readonly raw: string };

export function decodeCsv(
  text: string, schema: Schema, fileName: string, opts: CsvOptions = DEFAULT_CSV_OPTIONS, invalidLines?: ReadonlySet<number>,
): DecodeResult {
  return decodeCsvPiece(text, schema, fileName, opts, invalidLines, newCsvReadState(schema), 1);
}

/** Where a file's reading stands between pieces: past the header or not, and where each column's field is. */
export interface CsvReadState {
  first: boolean;
  /** position of each column among the fields (-1: absent from the header, NULL) */
  fieldOfColumn: number[];
  expected: number;
  /** the columns the query reads (the others are not converted and come out NULL) */
  read?: readonly boolean[];
}

export function newCsvReadState(schema: Schema, read?: readonly boolean[]): CsvReadState {
  return { first: true, fieldOfColumn: schema.columns.map((_, i) => i), expected: schema.columns.length, ...(read ? { read } : {}) };
}

/** Records of `text`, the first on line `firstLine` of the file; `state` carries the header across pieces. */
export function decodeCsvPiece(
  text: string, schema: Schema, fileName: string, opts: CsvOptions, invalidLines: ReadonlySet<number> | undefined,
  state: CsvReadState, firstLine: number, atEnd = true,
): DecodeResult & { readonly stoppedAtLine?: number } {
  const out = new ColumnsCollector(schema, state.read);
  const rejected: RejectedRecord[] = [];
  const r = decodeCsvRecordsInto(out, rejected, text, schema, fileName, opts, invalidLines, state, firstLine, atEnd);
  return { batch: out.finish(), rejected, ...r };
}

/**
 * decodeCsvPiece's records added to `out` and `rejected` (a scanner's collector, between the lines
 * it reads itself): the records seen, and where csv-parse stopped inside an open quote.
 */
export function decodeCsvRecordsInto(
  out: ColumnsCollector, rejected: RejectedRecord[],
  text: string, schema: Schema, fileName: string, opts: CsvOptions, invalidLines: ReadonlySet<number> | undefined,
  state: CsvReadState, firstLine: number, atEnd = true,
): { records: number; stoppedAtLine?: number } {
  const cols = schema.columns;
  const read = state.read;
  let records = 0;
  const record: unknown[] = new Array(cols.length);
  const shift = firstLine - 1;
  const split = splitRecords(text, opts, atEnd);
  for (const r0 of split.records) {
    const r = shift === 0 ? r0 : { ...r0, line: r0.line + shift };
    // a blank line is no record, except where it is the one NULL field of a one-column schema
    if (r.raw.trim() === '' && state.expected !== 1) continue;
    if (state.first && (opts.header || opts.ignoreFirstLine)) {
      state.first = false;
      if (r.kind === 'broken') {
        rejected.push(rejectedRecord(`${fileName}:${r.line}`, `invalid CSV header: ${r.reason}`, r.raw));
        // nothing after a broken header is read
        state.expected = -1;
        return { records: 1 };
      }
      if (opts.header) {
        const names = r.fields.map((f) => f ?? '');
        state.fieldOfColumn = cols.map((c) => {
          const exact = names.indexOf(c.name);
          return exact >= 0 ? exact : names.findIndex((n) => n.toLowerCase() === c.name.toLowerCase());
        });
        state.expected = names.length;
      }
      continue;
    }
    state.first = false;
    if (state.expected < 0) return { records };
    records++;
    const origin = `${fileName}:${r.line}`;
    if (r.kind === 'broken') {
      rejected.push(rejectedRecord(origin, `invalid CSV: ${r.reason}`, r.raw));
      continue;
    }
    if (invalidLines !== undefined && invalidLines.size > 0 && spansAny(r.line, r.raw, invalidLines)) {
      rejected.push(rejectedRecord(origin, INVALID_UTF8, r.raw));
      continue;
    }
    if (r.fields.length !== state.expected) {
      rejected.push(rejectedRecord(origin, `expected ${state.expected} fields, found ${r.fields.length}`, r.raw));
      continue;
    }
    try {
      for (let c = 0; c < cols.length; c++) {
        const k = state.fieldOfColumn[c]!;
        const cell = k < 0 || (read !== undefined && !read[c]) ? null : r.fields[k]!;
        record[c] = cell === null || cell === opts.nullLiteral ? null : convertValue(cols[c]!.type, cell, cols[c]!.name, 'text');
      }
      out.add(record);
    } catch (e) {
      if (!(e instanceof ConversionFailure)) throw e;
      rejected.push(rejectedRecord(origin, e.reason, r.raw));
    }
  }
  return split.stoppedAtLine === undefined ? { records } : { records, stoppedAtLine: split.stoppedAtLine + shift };
}

function parseOptions(opts: CsvOptions): ParseOptions {
  return {
    delimiter: opts.delimiter,
    quote: opts.quote,
    // a quote inside quotes is doubled, whichever character quotes (csv-parse's own escape is '"'
    // for any quote, as DuckDB's): as Flink's CSV format and Python's csv module read and write it,
    // and as the byte scanners (csv-scan.ts) and the sink (text-writers.ts) do
    escape: opts.quote,
    // a UTF-8 byte order mark (spreadsheet exports) is not part of the first field
    bom: true,
    ...(opts.allowComments ? { comment: '#' } : {}),
    relax_column_count: true,
    raw: true,
    skip_empty_lines: false,
    // unquoted empty → null, so NULL and '' survive a round trip
    cast: (value, context) => (value === '' && !context.quoting ? (null as unknown as string) : value),
  };
}

/**
 * The file's records with their starting line numbers. The whole text is parsed in one call; when
 * that fails (broken quoting somewhere), the text is split into records by a quote-aware scan and
 * each is parsed alone, so one bad record costs only itself.
 */
function splitRecords(text: string, opts: CsvOptions, atEnd = true): { records: RawRecord[]; stoppedAtLine?: number } {
  const po = parseOptions(opts);
  try {
    const parsed = csvParse().parse(text, po) as unknown as { record: (string | null)[]; raw: string }[];
    const out: RawRecord[] = [];
    let line = 1;
    // where the next record starts in text (a byte order mark is not in a record's raw text)
    let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    for (const p of parsed) {
      out.push({ kind: 'fields', fields: p.record, line: line + leadingCommentLines(p.raw, opts), raw: trimEol(p.raw) });
      line += countNewlines(p.raw);
      pos += p.raw.length;
      // with CRLF line ends csv-parse leaves the LF out of raw: count it here
      if (text.charCodeAt(pos) === 10 && !p.raw.endsWith('\n')) {
        line++;
        pos++;
      }
    }
    return { records: out };
  } catch (e) {
    if (!(e instanceof csvParse().CsvError)) throw e;
  }
  const out: RawRecord[] = [];
  const scan = scanRecords(text, opts, atEnd);
  let step = scan.next(false);
  while (!step.done) {
    const chunk = step.value;
    let firstLineOnly = false;
    if (chunk.unclosed) {
      out.push({ kind: 'broken', reason: 'a quoted field is not closed', line: chunk.line, raw: chunk.text });
    } else {
      try {
        const parsed = csvParse().parse(chunk.text, po) as unknown as { record: (string | null)[]; raw: string }[];
        // a blank line alone is no record to csv-parse, where the whole text's parse reads it as one
        // empty field (a one-column schema's NULL): read it so here too (the first line after a byte
        // order mark too: csv-parse takes the mark off, and it is no part of the line)
        const lineText = chunk.line === 1 && chunk.text.charCodeAt(0) === 0xfeff ? chunk.text.slice(1) : chunk.text;
        if (parsed.length === 0 && trimEol(lineText) === '') out.push({ kind: 'fields', fields: [null], line: chunk.line, raw: '' });
        let line = chunk.line;
        for (const p of parsed) {
          out.push({ kind: 'fields', fields: p.record, line: line + leadingCommentLines(p.raw, opts), raw: trimEol(p.raw) });
          line += countNewlines(p.raw);
        }
      } catch (e) {
        if (!(e instanceof csvParse().CsvError)) throw e;
        const firstLine = trimEol(chunk.text.slice(0, chunk.text.indexOf('\n') + 1));
        if (firstLine !== '' && firstLine.length < trimEol(chunk.text).length) {
          // a record over several lines that does not parse: most likely two stray quotes joined
          // the lines between them. Only the first line is rejected; the scan resumes on the next.
          firstLineOnly = true;
          out.push({ kind: 'broken', reason: csvErrorOf(firstLine, po) ?? e.message, line: chunk.line, raw: firstLine });
        } else {
          out.push({ kind: 'broken', reason: e.message, line: chunk.line, raw: chunk.text });
        }
      }
    }
    step = scan.next(firstLineOnly);
  }
  const stop = step.value;
  return stop === undefined ? { records: out } : { records: out, stoppedAtLine: stop };
}

/** Why `text` alone does not parse as CSV (undefined: it does). */
function csvErrorOf(text: string, po: ParseOptions): string | undefined {
  try {
    csvParse().parse(text, po);
    return undefined;
  } catch (e) {
    if (!(e instanceof csvParse().CsvError)) throw e;
    return e.message;
  }
}

/**
 * Split text into records: a newline ends a record unless it is inside quotes (a doubled quote
 * toggles twice, so parity is enough). A quote still open at the end of the text makes only its
 * first line a broken record, and scanning resumes on the next line: one stray quote must not
 * swallow the rest of the file. Nor must two: a record over several lines that the caller could not
 * parse is taken back the same way (the caller answers `true` to the yield). When the text is not the
 * end of the file (`atEnd` false), a quote open at its end stops the scan: the line it stopped at is
 * returned, so that pieces of a file give the records the whole file gives.
 */
function* scanRecords(
  text: string, opts: CsvOptions, atEnd: boolean,
): Generator<{ text: string; line: number; unclosed: boolean }, number | undefined, boolean> {
  const q = opts.quote;
  let pos = 0;
  let line = 1;
  while (pos < text.length) {
    if (opts.allowComments && text[pos] === '#') {
      const nl = text.indexOf('\n', pos);
      pos = nl < 0 ? text.length : nl + 1;
      line++;
      continue;
    }
    let inQuote = false;
    let i = pos;
    let lines = 0;
    for (; i < text.length; i++) {
      const ch = text[i];
      if (ch === q) inQuote = !inQuote;
      else if (ch === '\n') {
        lines++;
        if (!inQuote) break;
      }
    }
    if (inQuote && !atEnd) {
      // a piece of a file (csv-scan.ts): the quote may close in text not read yet; the caller
      // decodes from this line again with more text
      return line;
    }
    if (inQuote) {
      const nl = text.indexOf('\n', pos);
      const end = nl < 0 ? text.length : nl;
      yield { text: trimEol(text.slice(pos, end)), line, unclosed: true };
      pos = end + 1;
      line++;
      continue;
    }
    // the caller answers true when the record did not parse: then only its first line is taken
    const firstLineOnly = yield { text: text.slice(pos, i), line, unclosed: false };
    const nl = text.indexOf('\n', pos);
    if (firstLineOnly && nl >= 0 && nl < i) {
      pos = nl + 1;
      line++;
      continue;
    }
    pos = i + 1;
    line += lines;
  }
}

/** Whether a record starting on `line` (a quoted field may span lines) covers one of `lines`. */
function spansAny(line: number, raw: string, lines: ReadonlySet<number>): boolean {
  const last = line + countNewlines(raw);
  for (let l = line; l <= last; l++) if (lines.has(l)) return true;
  return false;
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

function leadingCommentLines(raw: string, opts: CsvOptions): number {
  if (!opts.allowComments) return 0;
  let n = 0;
  let pos = 0;
  while (raw[pos] === '#') {
    const nl = raw.indexOf('\n', pos);
    if (nl < 0) break;
    n++;
    pos = nl + 1;
  }
  return n;
}

function trimEol(s: string): string {
  return s.replace(/\r?\n$|\r$/, '');
}

/** Rows of a batch as CSV text (a header first when `csv.header` is set). */
export function encodeCsv(batch: arrow.RecordBatch, schema: Schema, opts: CsvOptions = DEFAULT_CSV_OPTIONS, ops?: readonly string[]): string {
  return writeCsv(batch, schema, opts, ops);
}

export function csvFormat(opts: CsvOptions = DEFAULT_CSV_OPTIONS): TextFormat {
  return {
    name: 'csv',
    extension: 'csv',
    decode: (text, schema, fileName, invalidLines) => decodeCsv(text, schema, fileName, opts, invalidLines),
    encode: (batch, schema, ops) => encodeCsv(batch, schema, opts, ops),
    encodeBuffer: (batch, schema, ops, continued) => csvBytes(batch, schema, continued ? { ...opts, header: false } : opts, ops),
    streamDecoder: (schema, fileName, readColumns) => new CsvStreamDecoder(schema, fileName, opts, readColumns),
  };
}
