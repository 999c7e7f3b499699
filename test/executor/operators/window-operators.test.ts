/**
 * The window aggregation operator on its own, over a memory state store: state that survives a
 * restart (a new operator over the same committed store), abort of an uncommitted batch, update
 * mode retracting what it emitted, the processing-time domain, a chained operator's late
 * watermark; and the late-rows table writing one batch per query batch.
 */
import { abortOperator, commitOperator } from '../../support/operator-batch.js';
import { describe, expect, it } from 'vitest';
import { batchToRows, rowsToBatch } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import type { Sink, SinkBatch } from '../../../src/connectors/api.js';
import { defaultExprContext } from '../../../src/executor/expr/compile.js';
import type { BatchContext, Chunk } from '../../../src/executor/operators/operator.js';
import { int64Column } from '../../../src/executor/operators/window/result-columns.js';
import { LateRowsTable, checkLateRowsTable } from '../../../src/executor/operators/window/late-rows-table.js';
import { EMIT_CHUNK_ROWS, WindowAggregateOperator } from '../../../src/executor/operators/window/window-aggregate.js';
import type { WindowAggregateNode } from '../../../src/planner/incremental/physical.js';
import type { WindowSpec } from '../../../src/planner/logical/plan.js';
import { MemoryStateStore } from '../../../src/state/memory-state-store.js';

const INPUT: Schema = { columns: [
  { name: 'item', type: T.VARCHAR, nullable: true },
  { name: 'ts', type: T.TIMESTAMP, nullable: true },
  { name: 'price', type: T.INT, nullable: true },
] };

function node(window: WindowSpec, mode: WindowAggregateNode['mode'], timeDomain: 'event' | 'processing' = 'event'): WindowAggregateNode {
  return {
    kind: 'windowAggregate', operatorId: 0, window, timeColumn: 1, mode, timeDomain, appendOnly: mode === 'append',
    input: { kind: 'source', sourceIndex: 0, columns: [0, 1, 2], schema: INPUT, appendOnly: true } as never,
    groupBy: [{ kind: 'column', index: 0, name: 'item', type: T.VARCHAR }],
    aggregates: [
      { fn: 'count_star', arg: undefined, distinct: false, filter: undefined, type: T.BIGINT },
      { fn: 'sum', arg: { kind: 'column', index: 2, name: 'price', type: T.INT }, distinct: false, filter: undefined, type: T.BIGINT },
    ],
    keyLayout: [{ kind: 'key', index: 0 }, { kind: 'windowStart' }, { kind: 'windowEnd' }],
    schema: { columns: [
      { name: 'item', type: T.VARCHAR, nullable: true }, { name: 'ws', type: T.TIMESTAMP, nullable: false },
      { name: 'we', type: T.TIMESTAMP, nullable: false }, { name: 'n', type: T.BIGINT, nullable: false },
      { name: 'total', type: T.BIGINT, nullable: true },
    ] },
  };
}

const TUMBLE: WindowSpec = { kind: 'tumble', sizeMs: 10, offsetMs: 0 };
const ctx = (batchId: number, watermark: number, extra: Partial<BatchContext> = {}): BatchContext =>
  ({ batchId, watermark, processingTime: 0, expr: defaultExprContext(), ...extra });
const rows = (...r: [string, number, number][]): Chunk => ({ batch: rowsToBatch(INPUT, r.map(([item, ts, price]) => ({ item, ts, price }))) });
const out = (chunks: Chunk[]): Record<string, unknown>[] => chunks.flatMap((c) => batchToRows(c.batch).map((r, i) => (c.kinds ? { ...r, kind: c.kinds[i] } : r)));

/** process, then finish, then commit: one micro-batch */
async function batch(op: WindowAggregateOperator, c: BatchContext, ...chunks: Chunk[]): Promise<Record<string, unknown>[]> {
  for (const ch of chunks) op.process(ch, c);
  const o = op.finishBatch(c);
  await commitOperator(op, STORES.get(op)!, c.batchId);
  return out(o);
}

/** Each operator's store, as the execution would hold it. */
const STORES = new WeakMap<WindowAggregateOperator, MemoryStateStore>();

function windowOp(n: WindowAggregateNode, store = new MemoryStateStore(0)): WindowAggregateOperator {
  const op = new WindowAggregateOperator(n, store, INPUT, defaultExprContext(), undefined);
  STORES.set(op, store);
  return op;
}

describe('WindowAggregateOperator', () => {
  it('emits many windows closing at once in chunks of at most EMIT_CHUNK_ROWS rows, every row once', async () => {
    const op = windowOp(node(TUMBLE, 'append'));
    const n = EMIT_CHUNK_ROWS * 2 + 5;
    const input = Array.from({ length: n }, (_, i): [string, number, number] => [`k${i}`, i % 10, i]);
    const c0 = ctx(0, -Infinity);
    op.process(rows(...input), c0);
    expect(op.finishBatch(c0)).toEqual([]);
    await commitOperator(op, STORES.get(op)!, 0);
    const c1 = ctx(1, 10);
    const chunks = op.finishBatch(c1);
    await commitOperator(op, STORES.get(op)!, 1);
    expect(chunks.length).toBe(3);
    for (const c of chunks) expect(c.batch.numRows).toBeLessThanOrEqual(EMIT_CHUNK_ROWS);
    const got = out(chunks).map((r) => `${r.item}:${r.n}:${r.total}`).sort();
    expect(got).toEqual(input.map(([item, , price]) => `${item}:1:${price}`).sort());
    expect(op.progress()).toMatchObject({ numRowsTotal: 0 });
  });

  it('keeps open windows across a restart and emits each once when the watermark closes it', async () => {
    const store = new MemoryStateStore(0);
    const a = windowOp(node(TUMBLE, 'append'), store);
    expect(await batch(a, ctx(0, -Infinity), rows(['x', 1, 5], ['x', 12, 1], ['y', 3, 2]))).toEqual([]);
    expect(a.progress()).toMatchObject({ numRowsTotal: 2, numOpenWindows: 2, oldestOpenWindowEnd: '1970-01-01T00:00:00.010Z' });
    // a new operator over the committed store: as after a restart
    const b = windowOp(node(TUMBLE, 'append'), store);
    expect(b.hasTimerWork(10, 0)).toBe(true);
    expect(b.hasTimerWork(9, 0)).toBe(false);
    // [0, 10) is closed for rows of this batch: both are late; it is emitted at the end of the batch
    expect(await batch(b, ctx(1, 10), rows(['x', 2, 10], ['x', 9, 100]))).toEqual([
      { item: 'x', ws: 0, we: 10, n: 1, total: 5 }, { item: 'y', ws: 0, we: 10, n: 1, total: 2 },
    ]);
    expect(b.progress().numRowsDroppedByWatermark).toBe(2);
    expect(await batch(b, ctx(2, 20))).toEqual([{ item: 'x', ws: 10, we: 20, n: 1, total: 1 }]);
    expect(store.size).toBe(0);
    expect(b.progress()).toMatchObject({ numOpenWindows: 0, oldestOpenWindowEnd: null });
  });

  it('rolls an aborted batch back to the committed state', async () => {
    const store = new MemoryStateStore(0);
    const op = windowOp(node(TUMBLE, 'append'), store);
    await batch(op, ctx(0, -Infinity), rows(['x', 1, 5]));
    op.process(rows(['x', 2, 7], ['z', 3, 1]), ctx(1, -Infinity));
    op.finishBatch(ctx(1, -Infinity));
    abortOperator(op, STORES.get(op)!);
    expect(await batch(op, ctx(1, -Infinity), rows(['x', 4, 1]))).toEqual([]);
    expect(await batch(op, ctx(2, 10))).toEqual([{ item: 'x', ws: 0, we: 10, n: 2, total: 6 }]);
  });

  it('rolls back what an aborted batch changed in place in a COUNT(DISTINCT) state', async () => {
    const n = node(TUMBLE, 'append');
    const withDistinct: WindowAggregateNode = {
      ...n,
      aggregates: [n.aggregates[0]!, { fn: 'count', arg: { kind: 'column', index: 2, name: 'price', type: T.INT }, distinct: true, filter: undefined, type: T.BIGINT }],
    };
    const store = new MemoryStateStore(0);
    const op = windowOp(withDistinct, store);
    await batch(op, ctx(0, -Infinity), rows(['x', 1, 5], ['x', 2, 5], ['x', 3, 6]));
    op.process(rows(['x', 4, 7], ['x', 5, 8], ['x', 6, 5]), ctx(1, -Infinity));
    op.finishBatch(ctx(1, -Infinity));
    abortOperator(op, STORES.get(op)!);
    // the distinct prices are 5, 6 again; then 9 and 7 (seen only by the aborted batch) are new
    expect(await batch(op, ctx(1, -Infinity), rows(['x', 7, 9], ['x', 8, 7]))).toEqual([]);
    expect(await batch(op, ctx(2, 10))).toEqual([{ item: 'x', ws: 0, we: 10, n: 5, total: 4 }]);
  });

  it('keeps a key of numeric accumulators as one compact string between batches, other keys as arrays, and closes both', async () => {
    const HOP: WindowSpec = { kind: 'hop', slideMs: 5, sizeMs: 10, offsetMs: 0 };
    const n = node(HOP, 'append');
    // MAX(item) holds text: no compact form for that operator's keys
    const withText: WindowAggregateNode = {
      ...n, aggregates: [...n.aggregates, { fn: 'max', arg: { kind: 'column', index: 0, name: 'item', type: T.VARCHAR }, distinct: false, filter: undefined, type: T.VARCHAR }],
      schema: { columns: [...n.schema.columns, { name: 'top', type: T.VARCHAR, nullable: true }] },
    };
    const numeric = new MemoryStateStore(0), text = new MemoryStateStore(0);
    const a = windowOp(n, numeric), b = windowOp(withText, text);
    const input = rows(['x', 7, 1], ['x', 12, 2], ['y', 3, 4]);
    await batch(a, ctx(0, -Infinity), input);
    await batch(b, ctx(0, -Infinity), input);
    expect([...numeric.entries()].map(([, v]) => typeof v[1])).toEqual(['string', 'string']);
    expect([...text.entries()].map(([, v]) => Array.isArray(v[1]))).toEqual([true, true]);
    // a batch closes [0, 10) and touches x again: x is decoded, changed and encoded; y only loses a window
    const c = ctx(1, 10);
    const closedA = await batch(a, c, rows(['x', 13, 8]));
    const closedB = await batch(b, c, rows(['x', 13, 8]));
    expect(closedA).toEqual([
      { item: 'y', ws: -5, we: 5, n: 1, total: 4 }, { item: 'x', ws: 0, we: 10, n: 1, total: 1 }, { item: 'y', ws: 0, we: 10, n: 1, total: 4 },
    ]);
    expect(closedB).toEqual(closedA.map((r) => ({ ...r, top: r.item })));
    // y is gone; x keeps [5, 15) and [10, 20)
    expect(a.progress()).toMatchObject({ numRowsTotal: 1, numOpenWindows: 2 });
    expect([...numeric.entries()].map(([, v]) => typeof v[1])).toEqual(['string']);
    // a batch that only adds to windows x already has: saved too
    expect(await batch(a, ctx(2, 10), rows(['x', 14, 16]))).toEqual([]);
    // after a restart over the compact store: the rest closes in order
    const a2 = windowOp(n, numeric);
    expect(await batch(a2, ctx(3, 20))).toEqual([{ item: 'x', ws: 5, we: 15, n: 4, total: 27 }, { item: 'x', ws: 10, we: 20, n: 3, total: 26 }]);
    expect(numeric.size).toBe(0);
  });

  it('in update mode emits each change with its update-before row, and retracts', async () => {
    const op = windowOp(node({ kind: 'hop', slideMs: 5, sizeMs: 10, offsetMs: 0 }, 'update'));
    expect(await batch(op, ctx(0, -Infinity), rows(['x', 7, 1]))).toEqual([
      { item: 'x', ws: 0, we: 10, n: 1, total: 1, kind: 0 }, { item: 'x', ws: 5, we: 15, n: 1, total: 1, kind: 0 },
    ]);
    const retract: Chunk = { ...rows(['x', 7, 1], ['x', 8, 4]), kinds: Uint8Array.from([3, 0]) };
    expect(await batch(op, ctx(1, -Infinity), retract)).toEqual([
      { item: 'x', ws: 0, we: 10, n: 1, total: 1, kind: 1 }, { item: 'x', ws: 0, we: 10, n: 1, total: 4, kind: 2 },
      { item: 'x', ws: 5, we: 15, n: 1, total: 1, kind: 1 }, { item: 'x', ws: 5, we: 15, n: 1, total: 4, kind: 2 },
    ]);
  });

  it('closes processing-time windows by the clock and never drops a row as late', async () => {
    const op = windowOp(node(TUMBLE, 'append', 'processing'));
    expect(await batch(op, ctx(0, 1e9, { processingTime: 3 }), rows(['x', 3, 1]))).toEqual([]);
    expect(op.progress().numRowsDroppedByWatermark).toBe(0);
    expect(op.hasTimerWork(1e9, 9)).toBe(false);
    expect(op.hasTimerWork(-Infinity, 10)).toBe(true);
    expect(await batch(op, ctx(1, 1e9, { processingTime: 10 }))).toEqual([{ item: 'x', ws: 0, we: 10, n: 1, total: 1 }]);
  });

  it('judges rows against lateWatermark when it is given (a chained operator)', async () => {
    const op = windowOp(node(TUMBLE, 'append'));
    // upstream released rows up to the new watermark 20: not late against the previous one (10)
    expect(await batch(op, ctx(0, 20, { lateWatermark: 10 }), rows(['x', 15, 1], ['x', 5, 1]))).toEqual([{ item: 'x', ws: 10, we: 20, n: 1, total: 1 }]);
    expect(op.progress().numRowsDroppedByWatermark).toBe(1);
  });
});

describe('late-rows table', () => {
  const table: Schema = { columns: [
    { name: 'item', type: T.VARCHAR, nullable: true }, { name: 'watermark', type: T.TIMESTAMP, nullable: true },
    { name: 'operator', type: T.VARCHAR, nullable: true },
  ] };

  it('writes the late rows of all operators of a batch once, when each has reported', async () => {
    const written: SinkBatch[] = [];
    const sink: Sink = { description: 'test', open: async () => {}, write: async (b) => { written.push(b); }, close: async () => {} };
    const t = new LateRowsTable(table, sink);
    t.register('a');
    t.register('b');
    await t.report('a', 4, [{ row: { item: 'p' }, watermark: 100, operator: 'a', batchId: 4 }]);
    expect(written).toEqual([]);
    await t.report('b', 4, [{ row: { ITEM: 'q' }, watermark: 90, operator: 'b', batchId: 4 }]);
    expect(written.map((w) => [w.batchId, w.data.flatMap(batchToRows)])).toEqual([[4, [
      { item: 'p', watermark: 100, operator: 'a' }, { item: 'q', watermark: 90, operator: 'b' },
    ]]]);
    await t.report('a', 5, []);
    await t.report('b', 5, []);
    expect(written.length).toBe(1); // a batch without late rows writes nothing
  });

  it('refuses columns the late rows cannot fill, and wrong types', () => {
    expect(() => checkLateRowsTable('late', table, [INPUT])).not.toThrow();
    expect(() => checkLateRowsTable('late', { columns: [{ name: 'watermark', type: T.VARCHAR, nullable: true }] }, [INPUT]))
      .toThrow("late-rows table 'late': column 'watermark' must be TIMESTAMP(3), got VARCHAR");
    expect(() => checkLateRowsTable('late', { columns: [{ name: 'price', type: T.VARCHAR, nullable: true }] }, [INPUT]))
      .toThrow(/column 'price' is VARCHAR but the late rows' 'price' is INT/);
  });
});

describe('int64Column', () => {
  it('writes exact BIGINT values without BigInt, negatives and nulls too', () => {
    const values = [0, 1, -1, 2 ** 32, -(2 ** 32) - 5, 2 ** 53 - 1, -(2 ** 53) + 1, null, 1234567890123];
    const d = int64Column(T.BIGINT, values);
    const big = d.values as BigInt64Array;
    values.forEach((v, i) => { if (v !== null) expect(big[i]).toBe(BigInt(v)); });
    expect(d.nullCount).toBe(1);
  });
});
