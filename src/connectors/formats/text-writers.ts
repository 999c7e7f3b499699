/**
 * JSON Lines and CSV text written column by column: each column's values become text through one
 * function chosen once per column (a timestamp's text made again only when the value changes), and
 * a row is the concatenation of its cells. No object per row, no JSON.stringify of a row, no
 * csv-stringify: the text is the same as those gave (test/connectors/formats/text-writers.test.ts).
 */
import type * as arrow from 'apache-arrow';
import { readerFor } from '../../common/columns.js';
import type { Schema } from '../../common/schema.js';
import type { SqlType } from '../../common/types.js';
import { formatTimestampIso, shortestFloat32, toJsonValue, toTextValue } from './convert.js';
import { jsonText } from './json-values.js';

/** Column values as JSON text, row by row ('null' for NULL). */
export function jsonCell(t: SqlType, d: arrow.Data): (i: number) => string {
  const read = readerFor(d);
  switch (t.kind) {
    case 'BOOLEAN': case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT':
      // a BIGINT beyond 2^53 is a bigint: String gives its exact digits
      return (i) => { const v = read(i); return v === null || v === undefined ? 'null' : String(v); };
    case 'DOUBLE': case 'INTERVAL':
      return (i) => { const v = read(i) as number | null; return v === null || v === undefined ? 'null' : finiteJson(v); };
    case 'FLOAT':
      return (i) => { const v = read(i) as number | null; return v === null || v === undefined ? 'null' : finiteJson(shortestFloat32(v)); };
    case 'VARCHAR':
      return (i) => { const v = read(i); return v === null || v === undefined ? 'null' : jsonString(v as string); };
    case 'TIMESTAMP': {
      let last: unknown, lastText = 'null';
      return (i) => {
        const v = read(i);
        if (v === null || v === undefined) return 'null';
        if (v !== last) { last = v; lastText = `"${formatTimestampIso(v as number)}"`; }
        return lastText;
      };
    }
    default:
      return (i) => { const v = read(i); return v === null || v === undefined ? 'null' : jsonText(toJsonValue(t, v)); };
  }
}

/** Characters JSON.stringify writes escaped (and surrogates, which it escapes when alone). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify of a string; the common string, with nothing to escape, without its holder object per call. */
function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

function finiteJson(x: number): string {
  return Number.isFinite(x) ? String(x) : `"${String(x)}"`;
}

/** One JSON object a line; `ops[i]`, when not empty, as the field `_op`. */
export function writeJsonLines(batch: arrow.RecordBatch, schema: Schema, ops?: readonly string[]): string {
  const cols = schema.columns;
  const cells = cols.map((c, k) => jsonCell(c.type, batch.data.children[k]!));
  const keys = cols.map((c, k) => `${k === 0 ? '{' : ','}${JSON.stringify(c.name)}:`);
  const n = batch.numRows;
  // every piece into one array and one join: a flat string, without a cons string per concatenation
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    if (cols.length === 0) parts.push('{');
    for (let k = 0; k < cells.length; k++) parts.push(keys[k]!, cells[k]!(i));
    const op = ops?.[i];
    if (op) parts.push(`${cols.length === 0 ? '' : ','}"_op":${JSON.stringify(op)}`);
    parts.push('}\n');
  }
  return parts.join('');
}

/**
 * CSV cell text: quoted when it holds the delimiter, the quote, CR or LF, or is empty (so '' is not
 * NULL). Inside quotes the quote character is doubled, whichever it is (`'it''s'` with
 * `'csv.quote-character' = ''''`), as Flink's CSV format and Python's csv module write it (DuckDB
 * with `ESCAPE ''''`), and as the reader reads it (csv.ts: csv-parse's escape is the quote character).
 */
export function csvQuoter(delimiter: string, quote: string): (s: string) => string {
  return (s) => {
    if (s === '') return quote + quote;
    if (s.includes(delimiter) || s.includes(quote) || s.includes('\n') || s.includes('\r')) {
      // a function, not the string quote + quote: in a replacement string '$$' means one '$'
      return quote + s.replaceAll(quote, () => quote + quote) + quote;
    }
    return s;
  };
}

/** A column's values as CSV text (null for NULL); a timestamp's text made again only when it changes. */
export function textCell(t: SqlType, d: arrow.Data): (i: number) => string | null {
  const read = readerFor(d);
  if (t.kind !== 'TIMESTAMP') return (i) => toTextValue(t, read(i));
  let last: unknown, lastText: string | null = null;
  return (i) => {
    const v = read(i);
    if (v !== last || lastText === null) { last = v; lastText = toTextValue(t, v); }
    return lastText;
  };
}

export interface CsvWriteOptions {
  readonly delimiter: string;
  readonly quote: string;
  readonly nullLiteral: string | undefined;
  readonly header: boolean;
}

/** Rows as CSV lines ('\n' ends each); a deleted row's `ops[i]` is one more field. */
export function writeCsv(batch: arrow.RecordBatch, schema: Schema, opts: CsvWriteOptions, ops?: readonly string[]): string {
  const cols = schema.columns;
  const q = csvQuoter(opts.delimiter, opts.quote);
  const d = opts.delimiter;
  // NULL is an empty unquoted field, or the null literal written as any other text
  const nullText = opts.nullLiteral === undefined ? '' : q(opts.nullLiteral);
  const cells = cols.map((c, k) => textCell(c.type, batch.data.children[k]!));
  const out: string[] = [];
  if (opts.header) out.push(`${cols.map((c) => q(c.name)).join(d)}\n`);
  for (let i = 0; i < batch.numRows; i++) {
    let s = '';
    for (let k = 0; k < cells.length; k++) {
      const v = cells[k]!(i);
      if (k > 0) s += d;
      s += v === null ? nullText : q(v);
    }
    const op = ops?.[i];
    if (op) s += (cols.length > 0 ? d : '') + q(op);
    out.push(`${s}\n`);
  }
  return out.join('');
}
