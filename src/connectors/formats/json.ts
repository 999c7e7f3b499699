/**
 * The `json` format: one JSON object a line (JSON Lines), as Flink's json format reads and writes it.
 *
 * Decoding matches an object's fields to columns by exact name first, then case-insensitively;
 * missing fields are NULL, extra fields are ignored; ROW columns are nested objects. A line that is
 * not JSON, not an object, or holds a value that does not convert becomes a rejected record
 * (`file:line`, the reason naming column and value) and the other lines are kept. Blank lines are
 * skipped. Numbers are read exactly (json-values.ts): a BIGINT keeps every digit, and a number out of
 * its column's range is rejected with the value as written. Writing, a BIGINT beyond 2^53 is written
 * with its exact digits.
 */
import type * as arrow from 'apache-arrow';
import { valueAt } from '../../common/columns.js';
import type { Schema } from '../../common/schema.js';
import type { RejectedRecord } from '../api.js';
import type { SqlType } from '../../common/types.js';
import { ConversionFailure, convertValue, fieldOf, toJsonValue } from './convert.js';
import { ColumnsCollector, INVALID_UTF8, rejectedRecord, type DecodeResult, type TextFormat } from './decoded.js';
import { jsonText, JsonNumberText, parseJsonExact } from './json-values.js';
import { JsonStreamDecoder } from './json-scan.js';
import { jsonLinesBytes } from './text-bytes.js';
import { writeJsonLines } from './text-writers.js';

/** Options the json format knows (`'json.*'` keys); both are accepted for Flink compatibility. */
export const JSON_OPTION_KEYS: readonly string[] = ['json.ignore-parse-errors', 'json.fail-on-missing-field'];

export function decodeJsonLines(
  text: string, schema: Schema, fileName: string, invalidLines?: ReadonlySet<number>, firstLine = 1, read?: readonly boolean[],
): DecodeResult {
  const out = new ColumnsCollector(schema, read);
  const rejected: RejectedRecord[] = [];
  const record: unknown[] = new Array(schema.columns.length);
  let lineNo = firstLine - 1;
  let records = 0;
  // a UTF-8 byte order mark is not part of the first line
  let pos = firstLine === 1 && text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (pos <= text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    lineNo++;
    const line = text.slice(pos, end);
    pos = end + 1;
    if (line.trim() === '') continue;
    records++;
    if (invalidLines !== undefined && invalidLines.has(lineNo)) {
      rejected.push(rejectedRecord(`${fileName}:${lineNo}`, INVALID_UTF8, line));
      continue;
    }
    decodeJsonLine(line, `${fileName}:${lineNo}`, schema, read, record, out, rejected);
  }
  return { batch: out.finish(), rejected, records };
}

/**
 * One non-blank line into `out`, or into `rejected` with why. Only the columns `read` marks are
 * converted (all when undefined). The exact path every line can take (json-scan.ts is the fast one).
 */
export function decodeJsonLine(
  line: string, origin: string, schema: Schema, read: readonly boolean[] | undefined,
  record: unknown[], out: ColumnsCollector, rejected: RejectedRecord[],
): void {
  const cols = schema.columns;
  let obj: unknown;
  try {
    // exact integers beyond 2^53 and out-of-range numbers as written (json-values.ts)
    obj = parseJsonExact(line);
  } catch (e) {
    rejected.push(rejectedRecord(origin, `invalid JSON: ${(e as Error).message}`, line));
    return;
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    rejected.push(rejectedRecord(origin, 'not a JSON object', line));
    return;
  }
  try {
    const rec = obj as Record<string, unknown>;
    for (let c = 0; c < cols.length; c++) {
      record[c] = read === undefined || read[c] ? convertValue(cols[c]!.type, fieldOf(rec, cols[c]!.name), cols[c]!.name) : null;
    }
    out.add(record);
  } catch (e) {
    if (!(e instanceof ConversionFailure)) throw e;
    rejected.push(rejectedRecord(origin, e.reason, line));
  }
}

/** The rows of a batch as JSON-ready objects (see toJsonValue for each type's form). */
export function batchToJsonObjects(batch: arrow.RecordBatch, schema: Schema): Record<string, unknown>[] {
  const cols = schema.columns;
  const data = batch.data.children;
  const rows: Record<string, unknown>[] = new Array(batch.numRows);
  for (let i = 0; i < batch.numRows; i++) {
    const r: Record<string, unknown> = {};
    for (let c = 0; c < cols.length; c++) r[cols[c]!.name] = toJsonValue(cols[c]!.type, valueAt(data[c]!, i));
    rows[i] = r;
  }
  return rows;
}

/** One line per row, each ending with a newline. `ops[i]`, when not empty, is written as field `_op`. */
export function encodeJsonLines(batch: arrow.RecordBatch, schema: Schema, ops?: readonly string[]): string {
  return writeJsonLines(batch, schema, ops);
}

export const jsonFormat: TextFormat = {
  name: 'json',
  extension: 'json',
  decode: (text, schema, fileName, invalidLines) => decodeJsonLines(text, schema, fileName, invalidLines),
  encode: encodeJsonLines,
  encodeBuffer: jsonLinesBytes,
  streamDecoder: (schema, fileName, readColumns) => new JsonStreamDecoder(schema, fileName, readColumns),
};

/**
 * One record given as the text of a JSON object (a message, a stream entry's value) into `record`,
 * the schema's columns in order. Returns undefined when it was read, else why it is rejected
 * (invalid JSON, not an object, a value that does not fit its column).
 */
export function jsonObjectRecord(text: string, schema: Schema, record: unknown[]): string | undefined {
  let obj: unknown;
  try {
    obj = parseJsonExact(text);
  } catch (e) {
    return `invalid JSON: ${(e as Error).message}`;
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return 'not a JSON object';
  const cols = schema.columns;
  try {
    for (let c = 0; c < cols.length; c++) record[c] = convertValue(cols[c]!.type, fieldOf(obj as Record<string, unknown>, cols[c]!.name), cols[c]!.name);
  } catch (e) {
    if (!(e instanceof ConversionFailure)) throw e;
    return e.reason;
  }
  return undefined;
}
