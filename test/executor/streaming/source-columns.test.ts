/**
 * A source node hands on the columns its scan reads and, of a ROW column read in part, only the
 * fields it reads: the rest become null, over one shared zero buffer, so the filter above a scan
 * does not copy what no reader wants (q7's `bid.extra` on the side that reads only `bid.price`).
 */
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { columnFromValues, valueAt } from '../../../src/common/columns.js';
import { takeBatch } from '../../../src/common/take.js';
import type { Schema } from '../../../src/common/schema.js';
import type { SqlType } from '../../../src/common/types.js';
import { selectColumns } from '../../../src/executor/streaming/source-columns.js';

const BIG: SqlType = { kind: 'BIGINT' };
const TEXT: SqlType = { kind: 'VARCHAR' };
const BID: SqlType = {
  kind: 'ROW',
  fields: [
    { name: 'auction', type: BIG },
    { name: 'price', type: BIG },
    { name: 'dateTime', type: { kind: 'TIMESTAMP', precision: 3, ltz: false } },
    { name: 'ok', type: { kind: 'BOOLEAN' } },
    { name: 'amount', type: { kind: 'DECIMAL', precision: 38, scale: 2 } },
    { name: 'extra', type: TEXT },
  ],
} as SqlType;
const TABLE: Schema = { columns: [{ name: 'event_type', type: { kind: 'INT' } as SqlType, nullable: true }, { name: 'bid', type: BID, nullable: true }, { name: 'note', type: TEXT, nullable: true }] };

const ROWS = 5;
const bids = Array.from({ length: ROWS }, (_, i) => (i === 2 ? null : {
  auction: BigInt(1000 + i), price: BigInt(2 ** 53) + BigInt(i), dateTime: 1_700_000_000_000 + i, ok: i % 2 === 0, amount: `${i}.25`, extra: `é-${'x'.repeat(i)}`,
}));

function readBatch(): arrow.RecordBatch {
  const cols = [
    columnFromValues(TABLE.columns[0]!.type, [2, 2, 0, 2, 1]),
    columnFromValues(BID, bids),
    columnFromValues(TEXT, ['a', 'b', null, 'd', 'e']),
  ];
  const fields = TABLE.columns.map((c, k) => new arrow.Field(c.name, cols[k]!.type, true));
  return new arrow.RecordBatch(new arrow.Schema(fields), arrow.makeData({ type: new arrow.Struct(fields), length: ROWS, children: cols }));
}

const node = (columns: number[], required?: [number, string[]][]) => ({
  columns,
  schema: { columns: columns.map((c) => TABLE.columns[c]!) },
  ...(required ? { requiredFields: new Map(required) } : {}),
});

const bidField = (b: arrow.RecordBatch, col: number, field: number): arrow.Data => b.data.children[col]!.children[field]!;

describe('selectColumns', () => {
  it('keeps the fields a scan reads as they are and makes the others null', () => {
    const read = readBatch();
    const [out] = selectColumns(node([0, 1], [[1, ['PRICE', 'dateTime']]]), [{ batch: read }]);
    const b = out!.batch;
    expect(b.schema.fields.map((f) => f.name)).toEqual(['event_type', 'bid']);
    expect(String(b.schema.fields[1]!.type)).toBe(String(read.schema.fields[1]!.type));
    // the fields read: the very same data
    expect(bidField(b, 1, 1)).toBe(bidField(read, 1, 1));
    expect(bidField(b, 1, 2)).toBe(bidField(read, 1, 2));
    // the others: null on every row, of their own type
    for (const f of [0, 3, 5]) {
      const d = bidField(b, 1, f);
      expect(d.nullCount, `field ${f}`).toBe(ROWS);
      expect(d.type.typeId).toBe(bidField(read, 1, f).type.typeId);
      for (let i = 0; i < ROWS; i++) expect(valueAt(d, i)).toBeNull();
    }
    // a type it does not make null (a DECIMAL of 128 bits) stays as read
    expect(bidField(b, 1, 4)).toBe(bidField(read, 1, 4));
    // the ROW itself: the null row stays null, the others read their prices
    const rows = b.getChildAt(1)!;
    expect(rows.get(2)).toBeNull();
    expect((rows.get(3) as { price: bigint }).price).toBe(BigInt(2 ** 53) + 3n);
  });

  it('gives each of two scans of one read its own fields, and leaves the read alone', () => {
    const read = readBatch();
    const chunks = [{ batch: read }];
    const [left] = selectColumns(node([1], [[1, ['auction', 'extra']]]), chunks);
    const [right] = selectColumns(node([1], [[1, ['price']]]), chunks);
    expect(bidField(left!.batch, 0, 5).nullCount).toBe(1);
    expect(valueAt(bidField(left!.batch, 0, 5), 4)).toBe('é-xxxx');
    expect(bidField(right!.batch, 0, 5).nullCount).toBe(ROWS);
    expect(bidField(right!.batch, 0, 0).nullCount).toBe(ROWS);
    expect(valueAt(bidField(right!.batch, 0, 1), 1)).toBe(BigInt(2 ** 53) + 1n);
    // the read's own columns are untouched
    expect(valueAt(bidField(read, 1, 5), 4)).toBe('é-xxxx');
    expect(valueAt(bidField(read, 1, 0), 0)).toBe(1000);
  });

  it('copies no null field when the rows are filtered, and the rows kept read right', () => {
    const [out] = selectColumns(node([0, 1], [[1, ['price']]]), [{ batch: readBatch() }]);
    const kept = takeBatch(out!.batch, Uint32Array.of(1, 3, 4));
    expect(bidField(kept, 1, 5).nullCount).toBe(3);
    expect(bidField(kept, 1, 5).values.length).toBe(0);
    expect([0, 1, 2].map((i) => valueAt(bidField(kept, 1, 1), i))).toEqual([1n, 3n, 4n].map((k) => BigInt(2 ** 53) + k));
  });

  it('reads a sliced batch (a range of a source\'s rows) at the right rows', () => {
    const read = readBatch().slice(1, 4);
    const [out] = selectColumns(node([1, 2], [[1, ['price']]]), [{ batch: read, kinds: Uint8Array.of(0, 0, 0) }]);
    const b = out!.batch;
    expect(b.numRows).toBe(3);
    expect(out!.kinds).toBeDefined();
    expect(b.getChildAt(1)!.get(1)).toBeNull();
    expect((b.getChildAt(0)!.get(2) as { price: bigint; extra: string | null }).price).toBe(BigInt(2 ** 53) + 3n);
    expect((b.getChildAt(0)!.get(2) as { extra: string | null }).extra).toBeNull();
    expect(b.getChildAt(1)!.get(2)).toBe('d');
  });

  it('leaves a ROW column whole when the scan reads all of it, or names no fields', () => {
    const read = readBatch();
    const all = ['auction', 'price', 'dateTime', 'ok', 'amount', 'extra'];
    for (const n of [node([1]), node([1], [[1, all]])]) {
      const [out] = selectColumns(n, [{ batch: read }]);
      expect(out!.batch.data.children[0]).toBe(read.data.children[1]);
    }
  });
});
