/**
 * The JSON Lines and CSV sinks' text written straight from Arrow columns into bytes (ByteWriter):
 * integers as digits from their typed arrays, strings copied from the column's UTF-8 bytes when none
 * of them needs escaping or quoting (the common case), a timestamp's text made once per distinct
 * value. Every other value, and every string with a byte to escape or beyond ASCII, is written from
 * the text the string writers give (text-writers.ts), so the bytes are exactly the UTF-8 of
 * writeJsonLines / writeCsv (test/connectors/formats/text-bytes.test.ts compares them).
 */
import * as arrow from 'apache-arrow';
import { readerFor } from '../../common/columns.js';
import type { Schema } from '../../common/schema.js';
import type { SqlType } from '../../common/types.js';
import { ByteWriter, plainRange, utf8Bytes } from './byte-writer.js';
import { formatTimestampIso, formatTimestampSql } from './convert.js';
import { csvQuoter, jsonCell, textCell, type CsvWriteOptions } from './text-writers.js';

/** Writes row `i`'s cell of one column. */
type CellWriter = (w: ByteWriter, i: number) => void;

/** Whether row `i` of `d` is valid (not NULL), as readerFor decides. */
function validity(d: arrow.Data): ((i: number) => boolean) | undefined {
  const off = d.offset;
  const bm = d.nullCount > 0 && d.nullBitmap && d.nullBitmap.length > 0 ? d.nullBitmap : undefined;
  return bm ? (i) => ((bm[(off + i) >> 3]! >> ((off + i) & 7)) & 1) === 1 : undefined;
}

/**
 * An integer column's digits (TINYINT..BIGINT held in Int8..Int64 arrays), or undefined when the
 * column is held otherwise. A BIGINT beyond 2^53 is written as String(bigint) writes it.
 */
function integerDigits(d: arrow.Data, onNull: (w: ByteWriter) => void): CellWriter | undefined {
  if (d.typeId !== arrow.Type.Int) return undefined;
  const valid = validity(d);
  const vals = d.values as unknown;
  let write: CellWriter;
  if (vals instanceof BigInt64Array) {
    const words = new Int32Array(vals.buffer, vals.byteOffset, vals.length * 2);
    write = (w, i) => {
      const hi = words[2 * i + 1]!, lo = words[2 * i]! >>> 0;
      if (hi === 0) w.int(lo);
      else if (hi < 2097152 && hi > -2097152) w.int(hi * 4294967296 + lo);
      else w.text(String(vals[i]));
    };
  } else if (vals instanceof Int32Array || vals instanceof Int16Array || vals instanceof Int8Array) {
    write = (w, i) => w.int(vals[i]!);
  } else {
    return undefined;
  }
  return valid ? (w, i) => (valid(i) ? write(w, i) : onNull(w)) : write;
}

/** The bytes that send a string to the slow path: every one ≥ 0x80, the ASCII `stops`, and with `controls` those below 0x20. */
interface Specials {
  readonly table: Uint8Array;
  readonly stops: readonly number[];
  readonly controls: boolean;
}

/**
 * A VARCHAR column held as Arrow Utf8: a value whose bytes are all ASCII and none of them special
 * is copied inside `open`/`close`; any other value is written by `slow`. When the column's bytes in
 * the batch hold no special byte at all (checked once, plainRange), every value is copied without
 * looking at its bytes one by one.
 */
function utf8Copy(
  d: arrow.Data, special: Specials, open: number, close: number, emptyIsSlow: boolean,
  onNull: (w: ByteWriter) => void, slow: CellWriter,
): CellWriter | undefined {
  if (d.typeId !== arrow.Type.Utf8) return undefined;
  const valid = validity(d);
  const o = d.valueOffsets as Int32Array;
  const bytes = d.values as Uint8Array;
  const table = special.table;
  const write: CellWriter = plainRange(bytes, o[0]!, o[d.length]!, special.stops, special.controls)
    ? (w, i) => {
      const start = o[i]!, end = o[i + 1]!;
      if (emptyIsSlow && start === end) slow(w, i);
      else w.copyBetween(bytes, start, end, open, close);
    }
    : (w, i) => {
      const start = o[i]!, end = o[i + 1]!;
      if ((emptyIsSlow && start === end) || !w.copyPlain(bytes, start, end, table, open, close)) slow(w, i);
    };
  return valid ? (w, i) => (valid(i) ? write(w, i) : onNull(w)) : write;
}

/** A first guess of the bytes of `batch` as text: the string columns' bytes plus `perCell` per other cell. */
function sizeGuess(batch: arrow.RecordBatch, perCell: number): number {
  let bytes = 0;
  for (const d of batch.data.children) {
    const o = d.valueOffsets as Int32Array | undefined;
    bytes += d.typeId === arrow.Type.Utf8 && o ? o[batch.numRows]! - o[0]! + 3 * batch.numRows : perCell * batch.numRows;
  }
  return Math.ceil(bytes * 1.1);
}

/** Bytes that send a string to the slow path: everything ≥ 0x80, plus `stops` and (with `controls`) those below 0x20. */
function specialBytes(stops: readonly number[], controls: boolean): Specials {
  const table = new Uint8Array(256);
  for (let b = 0; b < 256; b++) table[b] = b >= 0x80 || (controls && b < 0x20) || stops.includes(b) ? 1 : 0;
  return { table, stops, controls };
}

/** JSON.stringify escapes '"', '\\' and control characters. */
const JSON_SPECIAL = specialBytes([0x22, 0x5c], true);

/** A text, as UTF-8 bytes, per distinct value of a timestamp column (rows in time order repeat it). */
function timestampText(t: SqlType, d: arrow.Data, format: (v: number) => string | null, onNull: (w: ByteWriter) => void): CellWriter {
  const read = readerFor(d);
  let last: unknown, lastBytes: Uint8Array | null = null;
  return (w, i) => {
    const v = read(i);
    if (v === null || v === undefined) return onNull(w);
    if (v !== last || lastBytes === null) {
      last = v;
      const text = format(v as number);
      lastBytes = text === null ? null : utf8Bytes(text);
    }
    if (lastBytes === null) onNull(w);
    else w.short(lastBytes);
  };
}

function jsonCellWriter(t: SqlType, d: arrow.Data): CellWriter {
  const nullJson = (w: ByteWriter): void => w.text('null');
  const text = jsonCell(t, d);
  const slow: CellWriter = (w, i) => w.text(text(i));
  switch (t.kind) {
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT':
      return integerDigits(d, nullJson) ?? slow;
    case 'VARCHAR':
      return utf8Copy(d, JSON_SPECIAL, 0x22, 0x22, false, nullJson, slow) ?? slow;
    case 'TIMESTAMP':
      return timestampText(t, d, (v) => `"${formatTimestampIso(v)}"`, nullJson);
    default:
      return slow;
  }
}

/** One JSON object a line, the bytes of writeJsonLines' text. */
export function jsonLinesBytes(batch: arrow.RecordBatch, schema: Schema, ops?: readonly string[]): Uint8Array {
  const cols = schema.columns;
  const cells = cols.map((c, k) => jsonCellWriter(c.type, batch.data.children[k]!));
  const keys = cols.map((c, k) => utf8Bytes(`${k === 0 ? '{' : ','}${JSON.stringify(c.name)}:`));
  const n = batch.numRows;
  const w = new ByteWriter(sizeGuess(batch, 16) + n * (keys.reduce((a, k) => a + k.length, 0) + 2));
  const opPrefix = cols.length === 0 ? '"_op":' : ',"_op":';
  for (let i = 0; i < n; i++) {
    if (cols.length === 0) w.byte(0x7b); // '{'
    for (let k = 0; k < cells.length; k++) {
      w.short(keys[k]!);
      cells[k]!(w, i);
    }
    const op = ops?.[i];
    if (op) w.text(opPrefix + JSON.stringify(op));
    w.byte(0x7d); // '}'
    w.byte(0x0a);
  }
  return w.bytes();
}

/** Whether every character of `s` is one ASCII byte. */
const isOneAsciiByte = (s: string): boolean => s.length === 1 && s.charCodeAt(0) < 0x80;

function csvCellWriter(t: SqlType, d: arrow.Data, opts: CsvWriteOptions, quote: (s: string) => string, nullText: string): CellWriter {
  const onNull = (w: ByteWriter): void => { if (nullText !== '') w.text(nullText); };
  const text = textCell(t, d);
  const slow: CellWriter = (w, i) => {
    const v = text(i);
    if (v === null) onNull(w);
    else w.text(quote(v));
  };
  const simple = isOneAsciiByte(opts.delimiter) && isOneAsciiByte(opts.quote);
  switch (t.kind) {
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT':
      // digits and '-' are never quoted unless the delimiter or the quote is one of them
      return simple && !/[-0-9]/.test(opts.delimiter + opts.quote) ? integerDigits(d, onNull) ?? slow : slow;
    case 'VARCHAR': {
      if (!simple) return slow;
      const delimiter = opts.delimiter.charCodeAt(0);
      const q = opts.quote.charCodeAt(0);
      const special = specialBytes([delimiter, q, 0x0a, 0x0d], false);
      // an empty string is quoted (so that it is not NULL): the slow path does it
      return utf8Copy(d, special, -1, -1, true, onNull, slow) ?? slow;
    }
    case 'TIMESTAMP':
      return timestampText(t, d, (v) => quote(formatTimestampSql(v)), onNull);
    default:
      return slow;
  }
}

/** Rows as CSV lines, the bytes of writeCsv's text. */
export function csvBytes(batch: arrow.RecordBatch, schema: Schema, opts: CsvWriteOptions, ops?: readonly string[]): Uint8Array {
  const cols = schema.columns;
  const quote = csvQuoter(opts.delimiter, opts.quote);
  // NULL is an empty unquoted field, or the null literal written as any other text
  const nullText = opts.nullLiteral === undefined ? '' : quote(opts.nullLiteral);
  const cells = cols.map((c, k) => csvCellWriter(c.type, batch.data.children[k]!, opts, quote, nullText));
  const delimiter = utf8Bytes(opts.delimiter);
  const n = batch.numRows;
  const w = new ByteWriter(sizeGuess(batch, 12) + n * (cols.length + 1) + 256);
  if (opts.header) w.text(`${cols.map((c) => quote(c.name)).join(opts.delimiter)}\n`);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < cells.length; k++) {
      if (k > 0) w.short(delimiter);
      cells[k]!(w, i);
    }
    const op = ops?.[i];
    if (op) w.text((cols.length > 0 ? opts.delimiter : '') + quote(op));
    w.byte(0x0a);
  }
  return w.bytes();
}
