/**
 * Stream entries to rows and rows to entries. Without a format, an entry's fields are the table's
 * columns by name (exact, else case-insensitive; a missing field is NULL, extra fields are ignored),
 * each value read as text is read from a CSV cell; with `'format' = 'json'` the field `value` holds
 * the row as a JSON object. An entry that does not decode is a rejected record with the origin
 * `redis[host/stream]:<id>`, never a failed batch.
 */
import type * as arrow from 'apache-arrow';
import { readerFor } from '../../common/columns.js';
import type { Schema } from '../../common/schema.js';
import type { RejectedRecord } from '../api.js';
import { ConversionFailure, convertValue, fieldOf, toTextValue } from '../formats/convert.js';
import { ColumnsCollector, INVALID_UTF8, rejectedRecord } from '../formats/decoded.js';
import { encodeJsonLines } from '../formats/json.js';
import { parseJsonExact } from '../formats/json-values.js';
import { VALUE_FIELD } from './options.js';

/** An entry as XRANGE gives it: its id and its fields and values alternating, as bytes. */
export type RawEntry = [id: Buffer, fields: Buffer[]];

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** The fields of an entry as strings, or undefined when a field or value is not UTF-8. */
function fieldsOf(fields: readonly Buffer[]): Map<string, string> | undefined {
  const out = new Map<string, string>();
  try {
    for (let i = 0; i + 1 < fields.length; i += 2) out.set(strictUtf8.decode(fields[i]!), strictUtf8.decode(fields[i + 1]!));
  } catch {
    return undefined;
  }
  return out;
}

const rawText = (fields: readonly Buffer[]): string =>
  JSON.stringify(Object.fromEntries(Array.from({ length: fields.length >> 1 }, (_, i) => [lenientUtf8.decode(fields[2 * i]!), lenientUtf8.decode(fields[2 * i + 1]!)])));

export function decodeEntries(entries: readonly RawEntry[], schema: Schema, json: boolean, target: string): { batch: arrow.RecordBatch; rejected: RejectedRecord[] } {
  const out = new ColumnsCollector(schema);
  const rejected: RejectedRecord[] = [];
  const cols = schema.columns;
  const record: unknown[] = new Array(cols.length);
  const lowerNames = cols.map((c) => c.name.toLowerCase());
  for (const [idBytes, fields] of entries) {
    const origin = `${target}:${idBytes.toString('latin1')}`;
    const f = fieldsOf(fields);
    if (f === undefined) {
      rejected.push(rejectedRecord(origin, INVALID_UTF8, rawText(fields)));
      continue;
    }
    try {
      if (json) {
        const text = f.get(VALUE_FIELD);
        if (text === undefined) {
          rejected.push(rejectedRecord(origin, `no field '${VALUE_FIELD}' (with 'format' = 'json' it holds the row as a JSON object)`, rawText(fields)));
          continue;
        }
        let obj: unknown;
        try {
          obj = parseJsonExact(text);
        } catch (e) {
          rejected.push(rejectedRecord(origin, `invalid JSON: ${(e as Error).message}`, text));
          continue;
        }
        if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
          rejected.push(rejectedRecord(origin, 'not a JSON object', text));
          continue;
        }
        for (let c = 0; c < cols.length; c++) record[c] = convertValue(cols[c]!.type, fieldOf(obj as Record<string, unknown>, cols[c]!.name), cols[c]!.name);
      } else {
        for (let c = 0; c < cols.length; c++) {
          let v = f.get(cols[c]!.name);
          if (v === undefined) for (const [k, x] of f) if (k.toLowerCase() === lowerNames[c]) { v = x; break; }
          record[c] = v === undefined ? null : convertValue(cols[c]!.type, v, cols[c]!.name, 'text');
        }
      }
      out.add(record);
    } catch (e) {
      if (!(e instanceof ConversionFailure)) throw e;
      rejected.push(rejectedRecord(origin, e.reason, rawText(fields)));
    }
  }
  return { batch: out.finish(), rejected };
}

/** Each row of `batch` as XADD's field/value list (NULL: the field left out). */
export function encodeRows(batch: arrow.RecordBatch, schema: Schema, json: boolean): string[][] {
  const n = batch.numRows;
  const out: string[][] = new Array(n);
  if (json) {
    const lines = encodeJsonLines(batch, schema).split('\n');
    for (let i = 0; i < n; i++) out[i] = [VALUE_FIELD, lines[i]!];
    return out;
  }
  const cols = schema.columns;
  const readers = cols.map((_, c) => readerFor(batch.data.children[c]!));
  for (let i = 0; i < n; i++) {
    const fields: string[] = [];
    for (let c = 0; c < cols.length; c++) {
      const text = toTextValue(cols[c]!.type, readers[c]!(i));
      if (text !== null) fields.push(cols[c]!.name, text);
    }
    out[i] = fields;
  }
  return out;
}
