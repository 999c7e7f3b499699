/**
 * Chunks moved between tasks by their own buffers (moved-chunk.ts), through a real MessageChannel:
 * every column type the exchange's take makes arrives with its values and NULLs; the cut's buffers
 * are moved (detached on the sending side: no copy), those the cut's input still holds are copied
 * (the input stays readable); a buffer two columns share (struct children and their parent's
 * bitmap) moves once; the schema goes once per receiver; what cannot move (a sliced column) is
 * refused, to go as IPC.
 */
import * as arrow from 'apache-arrow';
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { batchFromColumns, columnFromValues, takeBatch, valueAt } from '../../../src/common/columns.js';
import { T, type SqlType } from '../../../src/common/types.js';
import { toArrowSchema } from '../../../src/common/schema.js';
import { buffersOf, SchemaReceiver, SchemaSender, type MovedChunk } from '../../../src/executor/parallel/moved-chunk.js';
import type { Chunk } from '../../../src/executor/operators/operator.js';

const N = 40;
const COLUMNS: [string, SqlType, (i: number) => unknown][] = [
  ['b', T.BOOLEAN, (i) => (i % 6 === 0 ? null : i % 3 === 1)],
  ['t', T.TINYINT, (i) => (i % 5 === 0 ? null : (i % 200) - 100)],
  ['s', T.SMALLINT, (i) => i * 700 - 14_000],
  ['i', T.INT, (i) => (i % 4 === 0 ? null : i * 100_003 - 2 ** 31 + 5)],
  ['l', T.BIGINT, (i) => (i % 7 === 0 ? null : (i - 20) * 2 ** 47 + i)],
  ['f', T.FLOAT, (i) => i / 4],
  ['d', T.DOUBLE, (i) => (i === 3 ? Number.NaN : i % 9 === 0 ? null : i / 3 - 7)],
  ['v', T.VARCHAR, (i) => (i % 8 === 0 ? null : `${'é✓'.repeat(i % 5)}|${i}`)],
  ['ts', T.TIMESTAMP, (i) => Date.UTC(2026, 0, 1) + i * 1000],
  ['dt', T.DATE, (i) => (i % 10 === 0 ? null : 20_000 + i)],
  ['dec', T.decimal(30, 2), (i) => (i % 6 === 0 ? null : BigInt(i) * 10n ** 25n + 7n)],
  ['r', T.row([{ name: 'a', type: T.BIGINT }, { name: 'x', type: T.VARCHAR }]), (i) => (i % 3 === 0 ? null : { a: i * 2 ** 40, x: `r${i}` })],
  ['arr', T.array(T.INT), (i) => (i % 5 === 0 ? null : Array.from({ length: i % 4 }, (_, k) => k * i))],
  ['m', T.map(T.VARCHAR, T.BIGINT), (i) => (i % 7 === 0 ? null : new Map([[`k${i}`, i], [`j${i}`, -i]]))],
  ['n', T.NULL, () => null],
];

function sourceBatch(): arrow.RecordBatch {
  const schema = toArrowSchema({ columns: COLUMNS.map(([name, type]) => ({ name, type, nullable: true })) });
  return batchFromColumns(schema, COLUMNS.map(([, type, f]) => columnFromValues(type, Array.from({ length: N }, (_, i) => f(i)))), N);
}

const rowsOf = (b: arrow.RecordBatch): unknown[][] =>
  Array.from({ length: b.numRows }, (_, i) => b.data.children.map((c) => valueAt(c, i)));

/** Send moved chunks over a real port (their buffers in the transfer list) and give what arrives. */
async function across(chunks: MovedChunk[], transfer: ArrayBuffer[]): Promise<MovedChunk[]> {
  const { port1, port2 } = new MessageChannel();
  try {
    const got = new Promise<MovedChunk[]>((resolve) => port2.once('message', resolve));
    port1.postMessage(chunks, transfer);
    return await got;
  } finally {
    port1.close();
    port2.close();
  }
}

describe('chunks moved between tasks by their buffers', () => {
  it('arrive equal, every type, NULLs kept; the cut\'s buffers moved, the input left readable', async () => {
    const input = sourceBatch();
    const before = rowsOf(input);
    const idx = Uint32Array.from([0, 3, 5, 6, 7, 8, 13, 21, 22, 23, 30, 39, 1]);
    const part: Chunk = { batch: takeBatch(input, idx), kinds: Uint8Array.from(idx, (i) => i % 3) };
    const expected = rowsOf(part.batch);
    const values = part.batch.getChild('l')!.data[0]!.values as BigInt64Array;
    const transfer: ArrayBuffer[] = [];
    const moved = new SchemaSender().move(part, 1, transfer, buffersOf({ batch: input }))!;
    expect(moved).toBeDefined();
    expect(new Set(transfer).size).toBe(transfer.length);
    const [arrived] = await across([moved], transfer);
    // moved, not copied: the sender's buffers are gone
    expect(values.byteLength).toBe(0);
    const back = new SchemaReceiver().restore(arrived!, 0);
    expect(back.batch.schema.fields.map((f) => String(f.type))).toEqual(part.batch.schema.fields.map((f) => String(f.type)));
    expect(rowsOf(back.batch)).toEqual(expected);
    expect([...back.kinds!]).toEqual(Array.from(idx, (i) => i % 3));
    // the cut's input (in the sending task's hands still) is whole
    expect(rowsOf(input)).toEqual(before);
  });

  it('copies a buffer the cut\'s input also holds, and moves one two columns share once', async () => {
    const input = sourceBatch();
    const part: Chunk = { batch: takeBatch(input, Uint32Array.from([0, 1, 2])) };
    const r = part.batch.getChild('r')!.data[0]!;
    // a struct whose children share its bitmap, and a column that is a view of the input's buffer
    const shared = arrow.makeData({
      type: r.type as arrow.Struct, length: r.length, nullCount: r.nullCount, nullBitmap: r.nullBitmap,
      children: r.children.map((c) => new arrow.Data(c.type, 0, c.length, r.nullCount, [c.valueOffsets, c.values, r.nullBitmap])),
    });
    const inputInts = input.getChild('i')!.data[0]!;
    const borrowed = new arrow.Data(inputInts.type, 0, 3, 0, [undefined, (inputInts.values as Int32Array).subarray(0, 3)]);
    const schema = new arrow.Schema([new arrow.Field('r', r.type, true), new arrow.Field('i', inputInts.type, true)]);
    const chunk: Chunk = { batch: batchFromColumns(schema, [shared, borrowed], 3) };
    expect(r.nullBitmap!.byteLength).toBeGreaterThan(0);
    const transfer: ArrayBuffer[] = [];
    const moved = new SchemaSender().move(chunk, 1, transfer, buffersOf({ batch: input }))!;
    expect(new Set(transfer).size).toBe(transfer.length);
    expect(transfer).not.toContain(inputInts.values.buffer);
    const [arrived] = await across([moved], transfer);
    const back = new SchemaReceiver().restore(arrived!, 0);
    const raw = [...(inputInts.values as Int32Array).subarray(0, 3)];
    expect(rowsOf(back.batch)).toEqual([[null, raw[0]], [{ a: 1 * 2 ** 40, x: 'r1' }, raw[1]], [{ a: 2 * 2 ** 40, x: 'r2' }, raw[2]]]);
    expect((inputInts.values as Int32Array).byteLength).toBeGreaterThan(0);
    expect(valueAt(inputInts, 1)).toBe(COLUMNS[3]![2](1));
  });

  it('sends a schema to each receiver once, then its number', async () => {
    const input = sourceBatch();
    const sender = new SchemaSender();
    const receiver = new SchemaReceiver();
    const cut = (rows: number[]): Chunk => ({ batch: takeBatch(input, Uint32Array.from(rows)) });
    const t1: ArrayBuffer[] = [];
    const first = sender.move(cut([0, 1]), 1, t1, new Set())!;
    // a message that was not posted: the next carries the schema again
    sender.posted(false);
    const again = sender.move(cut([0, 1]), 1, [], new Set())!;
    expect(again.schema).toBeDefined();
    sender.posted(true);
    const second = sender.move(cut([2, 3]), 1, t1, new Set())!;
    sender.posted(true);
    const otherTask = sender.move(cut([4]), 2, [], new Set())!;
    expect(first.schema).toBeDefined();
    expect(second.schema).toBeUndefined();
    expect(second.schemaId).toBe(first.schemaId);
    expect(otherTask.schema).toBeDefined();
    const [a, b] = await across([first, second], t1);
    expect(rowsOf(receiver.restore(a!, 0).batch)).toEqual(rowsOf(takeBatch(input, Uint32Array.from([0, 1]))));
    expect(rowsOf(receiver.restore(b!, 0).batch)).toEqual(rowsOf(takeBatch(input, Uint32Array.from([2, 3]))));
    // a number from a sender it never had the schema of is a bug, said so
    expect(() => new SchemaReceiver().restore(second, 0)).toThrow(/came before its definition/);
  });

  it('copies what a cut of all-NULL ARRAY and MAP columns borrowed from its input: the input and the local part stay whole', async () => {
    const cols: [string, SqlType][] = [['arr', T.array(T.VARCHAR)], ['m', T.map(T.VARCHAR, T.BIGINT)], ['k', T.INT]];
    const schema = toArrowSchema({ columns: cols.map(([name, type]) => ({ name, type, nullable: true })) });
    // columns entirely NULL: the take keeps a zero-row slice of the input's child (its offsets buffer)
    const arr = [null, null, null, null, null, null];
    const m = [null, null, null, null, null, null];
    const input = batchFromColumns(schema, [columnFromValues(T.array(T.VARCHAR), arr), columnFromValues(T.map(T.VARCHAR, T.BIGINT), m),
      columnFromValues(T.INT, [1, 2, 3, 4, 5, 6])], 6);
    const before = rowsOf(input);
    const local = takeBatch(input, Uint32Array.from([0, 2]));
    const remote: Chunk = { batch: takeBatch(input, Uint32Array.from([3, 4, 5])) };
    const localBefore = rowsOf(local);
    const transfer: ArrayBuffer[] = [];
    const moved = new SchemaSender().move(remote, 1, transfer, buffersOf({ batch: input }))!;
    for (const b of buffersOf({ batch: input })) expect(transfer).not.toContain(b);
    const [arrived] = await across([moved], transfer);
    expect(rowsOf(new SchemaReceiver().restore(arrived!, 0).batch)).toEqual([[null, null, 4], [null, null, 5], [null, null, 6]]);
    // the input's child offsets are still there to read
    const child = input.getChild('arr')!.data[0]!.children[0]!;
    expect(child.valueOffsets.byteLength).toBeGreaterThan(0);
    expect(rowsOf(input)).toEqual(before);
    expect(rowsOf(local)).toEqual(localBefore);
  });

  it('refuses a sliced column: it goes as IPC', () => {
    const input = sourceBatch();
    expect(new SchemaSender().move({ batch: input.slice(3, 10) }, 1, [], new Set())).toBeUndefined();
  });
});
