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
import { ConversionFailure, convertValue, toTextValue } from '../formats/convert.js';
import { ColumnsCollector, INVALID_UTF8, rejectedRecord } from '../formats/decoded.js';
import { encodeJsonLines, jsonObjectRecord } from '../formats/json.js';
import { VALUE_FIELD } from './options.js';

/**
 * An entry as XRANGE gives it: its id and its fields and values alternating, as text. The client
 * decodes bytes that are not UTF-8 to U+FFFD: an entry holding one is checked again from its bytes
 * (`bytesOf`), so a value that is not text is rejected rather than read with replacement characters.
 */
export type RawEntry = [id: string, fields: string[]];

const rawText = (fields: readonly string[]): string =>
  JSON.stringify(Object.fromEntries(Array.from({ length: fields.length >> 1 }, (_, i) => [fields[2 * i]!, fields[2 * i + 1]!])));

/** Which column a field name fills: its exact name, else the name without case. */
class FieldColumns {
  private readonly exact = new Map<string, number>();
  private readonly folded = new Map<string, number>();
  /** by name: most names repeat in every entry */
  private readonly byName = new Map<string, { column: number; exact: boolean } | null>();

  constructor(schema: Schema) {
    schema.columns.forEach((c, i) => {
      this.exact.set(c.name, i);
      if (!this.folded.has(c.name.toLowerCase())) this.folded.set(c.name.toLowerCase(), i);
    });
  }

  /** The column of field `name`, or null. */
  of(name: string): { column: number; exact: boolean } | null {
    let hit = this.byName.get(name);
    if (hit === undefined) {
      const e = this.exact.get(name);
      const f = e === undefined ? this.folded.get(name.toLowerCase()) : undefined;
      hit = e !== undefined ? { column: e, exact: true } : f !== undefined ? { column: f, exact: false } : null;
      if (this.byName.size < 10_000) this.byName.set(name, hit);
    }
    return hit;
  }
}

/** Ids of the entries whose text holds U+FFFD: their bytes must be looked at (see RawEntry). */
export function suspectEntries(entries: readonly RawEntry[]): string[] {
  const out: string[] = [];
  for (const [id, fields] of entries) if (fields.some((f) => f.includes('\uFFFD'))) out.push(id);
  return out;
}

/** `notText`: the ids of entries holding bytes that are not UTF-8 (rejected). */
export function decodeEntries(entries: readonly RawEntry[], schema: Schema, json: boolean, target: string, notText: ReadonlySet<string> = new Set()): { batch: arrow.RecordBatch; rejected: RejectedRecord[] } {
  const out = new ColumnsCollector(schema);
  const rejected: RejectedRecord[] = [];
  const cols = schema.columns;
  const record: unknown[] = new Array(cols.length);
  const exactSeen = new Uint8Array(cols.length);
  const columns = new FieldColumns(schema);
  for (const [id, fields] of entries) {
    const origin = (): string => `${target}:${id}`;
    if (notText.size > 0 && notText.has(id)) {
      rejected.push(rejectedRecord(origin(), INVALID_UTF8, rawText(fields)));
      continue;
    }
    try {
      if (json) {
        let text: string | undefined;
        for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === VALUE_FIELD) text = fields[i + 1];
        if (text === undefined) {
          rejected.push(rejectedRecord(origin(), `no field '${VALUE_FIELD}' (with 'format' = 'json' it holds the row as a JSON object)`, rawText(fields)));
          continue;
        }
        const reason = jsonObjectRecord(text, schema, record);
        if (reason !== undefined) {
          rejected.push(rejectedRecord(origin(), reason, text));
          continue;
        }
      } else {
        record.fill(null);
        exactSeen.fill(0);
        for (let i = 0; i + 1 < fields.length; i += 2) {
          const hit = columns.of(fields[i]!);
          if (hit === null || (!hit.exact && exactSeen[hit.column] === 1)) continue;
          const c = hit.column;
          if (hit.exact) exactSeen[c] = 1;
          record[c] = convertValue(cols[c]!.type, fields[i + 1]!, cols[c]!.name, 'text');
        }
      }
      out.add(record);
    } catch (e) {
      if (!(e instanceof ConversionFailure)) throw e;
      rejected.push(rejectedRecord(origin(), e.reason, rawText(fields)));
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
