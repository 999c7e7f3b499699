/**
 * Message payloads to rows and rows to payloads, by the table's format. Each message is one record:
 * a JSON object (json), one CSV line (csv), or the payload text itself (raw). A message that does
 * not decode is a rejected record with the origin `nats[stream]:seq`, never a failed batch.
 */
import type * as arrow from 'apache-arrow';
import { readerFor } from '../../common/columns.js';
import type { Schema } from '../../common/schema.js';
import type { RejectedRecord } from '../api.js';
import { ColumnsCollector, INVALID_UTF8, rejectedRecord } from '../formats/decoded.js';
import { encodeJsonLines, jsonObjectRecord } from '../formats/json.js';
import type { PayloadFormat } from './options.js';

export interface RawMessage {
  readonly seq: number;
  readonly data: Uint8Array;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** The rows of `messages` (in sequence order) and the messages that did not decode. */
export function decodeMessages(
  messages: readonly RawMessage[], schema: Schema, format: PayloadFormat, target: string,
): { batch: arrow.RecordBatch; rejected: RejectedRecord[] } {
  const out = new ColumnsCollector(schema);
  const rejected: RejectedRecord[] = [];
  const texts: (string | undefined)[] = messages.map((m) => {
    try {
      return strictUtf8.decode(m.data);
    } catch {
      rejected.push(rejectedRecord(`${target}:${m.seq}`, INVALID_UTF8, lenientUtf8.decode(m.data)));
      return undefined;
    }
  });
  if (format.kind === 'csv') return decodeCsvMessages(messages, texts, schema, format.text, target, rejected);
  const cols = schema.columns;
  const record: unknown[] = new Array(cols.length);
  for (let k = 0; k < messages.length; k++) {
    const text = texts[k];
    if (text === undefined) continue;
    const origin = (): string => `${target}:${messages[k]!.seq}`;
    if (format.kind === 'raw') {
      record[0] = text;
      out.add(record);
      continue;
    }
    const reason = jsonObjectRecord(text, schema, record);
    if (reason === undefined) out.add(record);
    else rejected.push(rejectedRecord(origin(), reason, text));
  }
  return { batch: out.finish(), rejected };
}

/**
 * CSV messages decode as one text, a line (or more, for quoted line breaks) per message, so the
 * csv format's parser runs once; a rejected record's line number is mapped back to its message.
 */
function decodeCsvMessages(
  messages: readonly RawMessage[], texts: readonly (string | undefined)[], schema: Schema,
  csv: import('../formats/decoded.js').TextFormat, target: string, rejected: RejectedRecord[],
): { batch: arrow.RecordBatch; rejected: RejectedRecord[] } {
  const parts: string[] = [];
  /** firstLine[i]: the 1-based line where part i starts; seqs[i] its message */
  const firstLine: number[] = [];
  const seqs: number[] = [];
  let line = 1;
  for (let k = 0; k < messages.length; k++) {
    let text = texts[k];
    if (text === undefined) continue;
    text = text.replace(/\r?\n$/, '');
    if (text.trim() === '') {
      rejected.push(rejectedRecord(`${target}:${messages[k]!.seq}`, 'empty message: expected one CSV record', text));
      continue;
    }
    parts.push(text);
    firstLine.push(line);
    seqs.push(messages[k]!.seq);
    for (let p = text.indexOf('\n'); p >= 0; p = text.indexOf('\n', p + 1)) line++;
    line++;
  }
  const decoded = csv.decode(parts.join('\n'), schema, target);
  for (const r of decoded.rejected) {
    const lineNo = Number(/:(\d+)$/.exec(r.origin)?.[1]);
    let i = 0;
    while (i + 1 < firstLine.length && firstLine[i + 1]! <= lineNo) i++;
    rejected.push({ ...r, origin: `${target}:${seqs[i] ?? '?'}` });
  }
  return { batch: decoded.batch, rejected };
}

const encoder = new TextEncoder();

/** One payload per row of `batch`. */
export function encodeRows(batch: arrow.RecordBatch, schema: Schema, format: PayloadFormat): Uint8Array[] {
  const n = batch.numRows;
  const out: Uint8Array[] = new Array(n);
  if (format.kind === 'raw') {
    const read = readerFor(batch.data.children[0]!);
    for (let i = 0; i < n; i++) out[i] = encoder.encode((read(i) as string | null) ?? '');
    return out;
  }
  if (format.kind === 'json') {
    // JSON text never holds a raw line break (strings escape it), so the lines are the rows
    const lines = encodeJsonLines(batch, schema).split('\n');
    for (let i = 0; i < n; i++) out[i] = encoder.encode(lines[i]!);
    return out;
  }
  // a CSV value may hold a quoted line break: each row is encoded alone
  for (let i = 0; i < n; i++) out[i] = encoder.encode(format.text.encode(batch.slice(i, i + 1), schema).replace(/\n$/, ''));
  return out;
}
