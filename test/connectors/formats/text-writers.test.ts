/**
 * The column-wise writers (text-writers.ts) give exactly the text the row-wise writers they replaced
 * gave (JSON.stringify of a row object with exact BIGINT digits; csv-stringify), kept here as the
 * reference, on random batches of every type with NULLs, non-finite doubles, BIGINTs beyond 2^53,
 * strings needing escapes or quotes, and changelog markers.
 */
import type * as arrow from 'apache-arrow';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { rowsToBatch } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T, type SqlType } from '../../../src/common/types.js';
import { DEFAULT_CSV_OPTIONS, encodeCsv, type CsvOptions } from '../../../src/connectors/formats/csv.js';
import { batchToJsonObjects, encodeJsonLines } from '../../../src/connectors/formats/json.js';
import { textCell } from '../../../src/connectors/formats/text-writers.js';
import { jsonText, JsonNumberText } from '../../../src/connectors/formats/json-values.js';
import { lcg, pick } from '../../support/lcg.js';

// ── the reference: the writers before text-writers.ts ──
/** One line per row, each ending with a newline. `ops[i]`, when not empty, is written as field `_op`. */
function referenceJson(batch: arrow.RecordBatch, schema: Schema, ops?: readonly string[]): string {
  const rows = batchToJsonObjects(batch, schema);
  // a BIGINT beyond 2^53 is a bigint, which JSON.stringify refuses: such rows are written with their
  // exact digits (no "n", no rounding); every other row keeps the native writer
  const bigintColumns = schema.columns.filter((c) => holdsBigint(c.type)).map((c) => c.name);
  const nested = schema.columns.some((c) => c.type.kind === 'ROW' && holdsBigint(c.type));
  let s = '';
  for (let i = 0; i < rows.length; i++) {
    const op = ops?.[i];
    const row = op ? { ...rows[i], _op: op } : rows[i]!;
    const exact = nested || bigintColumns.some((name) => typeof row[name] === 'bigint' || row[name] instanceof JsonNumberText);
    s += (exact ? jsonText(row) : JSON.stringify(row)) + '\n';
  }
  return s;
}
function holdsBigint(t: SqlType): boolean {
  return t.kind === 'BIGINT' || t.kind === 'DECIMAL' || (t.kind === 'ROW' && t.fields.some((f) => holdsBigint(f.type)));
}
/** Rows of a batch as CSV text (a header first when `csv.header` is set). */
function referenceCsv(batch: arrow.RecordBatch, schema: Schema, opts: CsvOptions = DEFAULT_CSV_OPTIONS, ops?: readonly string[]): string {
  const cols = schema.columns;
  const texts = cols.map((c, k) => textCell(c.type, batch.data.children[k]!));
  const records: (string | null)[][] = [];
  if (opts.header) records.push(cols.map((c) => c.name));
  for (let i = 0; i < batch.numRows; i++) {
    const rec: (string | null)[] = new Array(cols.length);
    for (let c = 0; c < cols.length; c++) {
      const v = texts[c]!(i);
      rec[c] = v === null ? (opts.nullLiteral ?? null) : v;
    }
    // a deleted row carries one extra trailing field (see filesystem/sink.ts)
    if (ops?.[i]) rec.push(ops[i]!);
    records.push(rec);
  }
  if (records.length === 0) return '';
  return stringify(records, {
    delimiter: opts.delimiter,
    quote: opts.quote,
    // a quote inside quotes doubled, whichever character quotes (csv-stringify's own escape is '"')
    escape: opts.quote,
    record_delimiter: '\n',
    // a lone CR inside a value would read back as a line break
    quoted_match: /\r/,
    // quote the empty string so that it reads back as '' and not as NULL
    cast: { string: (v: string) => (v === '' ? { value: '', quoted_empty: true } : v) },
  });
}

// ── random batches ──
const schema: Schema = {
  columns: [
    { name: 'b', type: T.BOOLEAN, nullable: true },
    { name: 'i', type: T.INT, nullable: true },
    { name: 'l', type: T.BIGINT, nullable: true },
    { name: 'f', type: T.FLOAT, nullable: true },
    { name: 'd', type: T.DOUBLE, nullable: true },
    { name: 'dec', type: T.decimal(20, 3), nullable: true },
    { name: 's', type: T.VARCHAR, nullable: true },
    { name: 'dt', type: T.DATE, nullable: true },
    { name: 'ts', type: T.TIMESTAMP, nullable: true },
    { name: 'r', type: T.row([{ name: 'x', type: T.BIGINT }, { name: 'y', type: T.VARCHAR }]), nullable: true },
  ],
};

const rng = lcg;
const STRINGS = ['', 'plain', 'a,b', 'say "hi"', 'line\nbreak', 'cr\rhere', 'é日本😀', 'tab\t', '\\', ';', 'NULL', '\u0001'];

function randomRows(r: () => number, n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, () => {
    const nul = (): boolean => r() < 0.15;
    return {
      b: nul() ? null : r() < 0.5,
      i: nul() ? null : pick(r, [0, -1, 2147483647, -2147483648, 42]),
      l: nul() ? null : pick(r, [0, -5, 9007199254740993n, -9223372036854775808n, 123456789]),
      f: nul() ? null : pick(r, [0.1, -0, 1.5, Infinity, NaN, 3.4e38]),
      d: nul() ? null : pick(r, [0.1, -0, 1e21, 1e-7, -Infinity, NaN, 123.456]),
      dec: nul() ? null : pick(r, ['1.500', '-0.001', '12345678901234567.890', '0']),
      s: nul() ? null : pick(r, STRINGS),
      dt: nul() ? null : pick(r, ['2026-01-01', '1969-12-31']),
      ts: nul() ? null : pick(r, ['2026-11-23T10:00:05.123Z', '1970-01-01T00:00:00.000Z']),
      r: nul() ? null : { x: pick(r, [1, 9223372036854775807n]), y: pick(r, STRINGS) },
    };
  });
}

describe('column-wise text writers', () => {
  it('write the JSON lines the row-wise writer wrote', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const r = rng(seed);
      const batch = rowsToBatch(schema, randomRows(r, 40));
      const ops = seed % 2 === 0 ? Array.from({ length: 40 }, () => (r() < 0.3 ? 'delete' : '')) : undefined;
      expect(encodeJsonLines(batch, schema, ops)).toBe(referenceJson(batch, schema, ops));
    }
  });

  it('write the CSV the row-wise writer wrote, for each option set', () => {
    const variants: CsvOptions[] = [
      DEFAULT_CSV_OPTIONS,
      { ...DEFAULT_CSV_OPTIONS, header: true },
      { ...DEFAULT_CSV_OPTIONS, delimiter: ';', quote: "'", nullLiteral: 'NULL' },
      { ...DEFAULT_CSV_OPTIONS, delimiter: '\t', nullLiteral: '' },
    ];
    for (let seed = 1; seed <= 20; seed++) {
      for (const opts of variants) {
        const r = rng(seed);
        const batch = rowsToBatch(schema, randomRows(r, 30));
        const ops = seed % 2 === 0 ? Array.from({ length: 30 }, () => (r() < 0.3 ? 'delete' : '')) : undefined;
        expect(encodeCsv(batch, schema, opts, ops)).toBe(referenceCsv(batch, schema, opts, ops));
      }
    }
  });
});
