/** The Top-N operator driven directly: its changelog, trimming, retractions, abort and restart, and its row strings. */
import * as arrow from 'apache-arrow';
import { abortOperator, commitOperator } from '../../support/operator-batch.js';
import { describe, expect, it } from 'vitest';
import { batchFromColumns, batchToRows, rowsToBatch, valueAt } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import { RowKind } from '../../../src/connectors/api.js';
import { defaultExprContext } from '../../../src/executor/expr/compile.js';
import type { BatchContext, Chunk } from '../../../src/executor/operators/operator.js';
import { RowCodec } from '../../../src/executor/operators/rank/row-codec.js';
import { TopNOperator } from '../../../src/executor/operators/rank/top-n.js';
import type { PhysicalNode, TopNNode } from '../../../src/planner/incremental/physical.js';
import { MemoryStateStore } from '../../../src/state/memory-state-store.js';
import { catalogOf, streaming } from '../../planner/helpers.js';

const DDL = `CREATE TABLE t (k VARCHAR, v INT, s VARCHAR) WITH ('connector' = 'memory');`;

function topNNode(sql: string, mode?: 'update' | 'complete'): TopNNode {
  const find = (n: PhysicalNode): TopNNode | undefined =>
    n.kind === 'topN' ? n : n.kind === 'source' || n.kind === 'union' || n.kind === 'join' || n.kind === 'semiJoin' ? undefined : find(n.input);
  const node = find(streaming(sql, catalogOf(DDL), mode).root);
  if (!node) throw new Error('no Top-N in the plan');
  return node;
}

/** The same node, as if its input retracted (a Top-N over an aggregation, say). */
const retracting = (n: TopNNode): TopNNode => ({ ...n, input: { ...n.input, appendOnly: false } });

const TOP2 = `SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM t) WHERE rn <= 2`;
const KIND = ['+I', '-U', '+U', '-D'];

function chunk(node: TopNNode, rows: Record<string, unknown>[], kinds?: number[]): Chunk {
  const batch = rowsToBatch(node.input.schema, rows);
  return kinds ? { batch, kinds: Uint8Array.from(kinds) } : { batch };
}

/** Output chunks as `kind value value …` strings. */
function show(chunks: readonly Chunk[]): string[] {
  return chunks.flatMap((c) => Array.from({ length: c.batch.numRows }, (_, i) =>
    `${KIND[c.kinds ? c.kinds[i]! : RowKind.INSERT]} ${c.batch.data.children.map((d) => String(valueAt(d, i))).join(' ')}`));
}

const batchCtx = (batchId: number): BatchContext => ({ batchId, watermark: -Infinity, processingTime: 0, expr: defaultExprContext() });

/** One batch: every chunk processed, then finishBatch, then the store committed. */
async function batch(op: TopNOperator, store: MemoryStateStore, version: number, ...chunks: Chunk[]): Promise<string[]> {
  const ctx = batchCtx(version);
  for (const c of chunks) expect(op.process(c, ctx)).toEqual([]);
  const out = op.finishBatch(ctx);
  await commitOperator(op, store, version);
  expect(store.version).toBe(version);
  return show(out);
}

describe('TopNOperator over an append-only input', () => {
  const node = topNNode(TOP2);

  it('describes itself in one line', () => {
    expect(new TopNOperator(node, new MemoryStateStore(0), defaultExprContext()).explain())
      .toBe('TopN[0](partition=[k#0], order=[v#1 DESC], rows<=2, rank=output)');
  });

  it('emits per rank the rows that changed, coalescing a batch, and keeps only the top rows', async () => {
    const store = new MemoryStateStore(0);
    const op = new TopNOperator(node, store, defaultExprContext());
    expect(await batch(op, store, 0, chunk(node, [{ k: 'a', v: 1, s: 'x' }, { k: 'b', v: 5, s: 'y' }]))).toEqual([
      '+I a 1 x 1', '+I b 5 y 1',
    ]);
    // two chunks in one batch: a gets 3 (rank 1) then 2 (rank 2); 1 falls out; only the final ranks are emitted
    expect(await batch(op, store, 1, chunk(node, [{ k: 'a', v: 3, s: 'p' }]), chunk(node, [{ k: 'a', v: 2, s: 'q' }, { k: 'a', v: 0, s: 'z' }]))).toEqual([
      '-U a 1 x 1', '+U a 3 p 1', '+I a 2 q 2',
    ]);
    expect(op.progress()).toMatchObject({ operatorName: 'topN', numRowsTotal: 3 });
    // one entry per partition (a and b), each its rows packed into one string
    expect(store.size).toBe(2);
    // a row equal to the last kept one comes after it: nothing changes
    expect(await batch(op, store, 2, chunk(node, [{ k: 'a', v: 2, s: 'later' }]))).toEqual([]);
  });

  it('restarts from the committed store with the same state and tie order', async () => {
    const store = new MemoryStateStore(0);
    const op = new TopNOperator(node, store, defaultExprContext());
    await batch(op, store, 0, chunk(node, [{ k: 'a', v: 4, s: 'first' }, { k: 'a', v: 4, s: 'second' }]));
    const again = new TopNOperator(node, store, defaultExprContext());
    expect(again.progress().numRowsTotal).toBe(2);
    // a third 4 ranks after both; a 5 goes first and pushes 'second' out
    expect(await batch(again, store, 1, chunk(node, [{ k: 'a', v: 4, s: 'third' }]))).toEqual([]);
    expect(await batch(again, store, 2, chunk(node, [{ k: 'a', v: 5, s: 'top' }]))).toEqual([
      '-U a 4 first 1', '+U a 5 top 1', '-U a 4 second 2', '+U a 4 first 2',
    ]);
  });

  it('rolls an aborted batch back', async () => {
    const store = new MemoryStateStore(0);
    const op = new TopNOperator(node, store, defaultExprContext());
    await batch(op, store, 0, chunk(node, [{ k: 'a', v: 1, s: 'x' }]));
    op.process(chunk(node, [{ k: 'a', v: 9, s: 'gone' }, { k: 'c', v: 1, s: 'gone' }]), batchCtx(1));
    op.finishBatch(batchCtx(1));
    abortOperator(op, store);
    expect(op.progress().numRowsTotal).toBe(1);
    expect(await batch(op, store, 1, chunk(node, [{ k: 'a', v: 2, s: 'y' }]))).toEqual(['-U a 1 x 1', '+U a 2 y 1', '+I a 1 x 2']);
  });

  it('stores a partition as one pack, rewritten when its rows change and left alone when a row does not make it', async () => {
    const store = new MemoryStateStore(0);
    const op = new TopNOperator(node, store, defaultExprContext());
    await batch(op, store, 0, chunk(node, [{ k: 'a', v: 4, s: 'x' }, { k: 'a', v: 3, s: 'y' }, { k: 'b', v: 1, s: 'z' }]));
    const packs = new Map([...store.entries()].map(([key, v]) => [key, v[0]]));
    expect([...packs.keys()].every((key) => key.startsWith('#'))).toBe(true);
    expect(packs.size).toBe(2);
    // a row below a full partition's last one, and an equal one (it comes after): nothing to write
    expect(await batch(op, store, 1, chunk(node, [{ k: 'a', v: 2, s: 'low' }, { k: 'a', v: 3, s: 'tie' }]))).toEqual([]);
    expect(store.numUpdated).toBe(0);
    // b's pack changes; a's stays the very string it was
    expect(await batch(op, store, 2, chunk(node, [{ k: 'b', v: 9, s: 'top' }]))).toEqual(['-U b 1 z 1', '+U b 9 top 1', '+I b 1 z 2']);
    const after = new Map([...store.entries()].map(([key, v]) => [key, v[0]]));
    expect([...after.keys()]).toEqual([...packs.keys()]);
    const changed = [...after].filter(([key, text]) => packs.get(key) !== text);
    expect(changed.length).toBe(1);
    // a restart reads the packs: the same ranks
    const again = new TopNOperator(node, store, defaultExprContext());
    expect(again.progress().numRowsTotal).toBe(4);
    expect(await batch(again, store, 3, chunk(node, [{ k: 'a', v: 5, s: 'new' }]))).toEqual([
      '-U a 4 x 1', '+U a 5 new 1', '-U a 3 y 2', '+U a 4 x 2',
    ]);
  });

  it('reads a store of one entry per row (checkpoints from before packs) and rewrites it as packs at the next commit', async () => {
    // a retracting input's Top-N still stores a row per entry, as every Top-N did before packs
    const store = new MemoryStateStore(0);
    const old = new TopNOperator(retracting(node), store, defaultExprContext());
    await batch(old, store, 0, chunk(node, [{ k: 'a', v: 4, s: 'x' }, { k: 'a', v: 4, s: 'y' }, { k: 'b', v: 1, s: 'z' }]));
    expect([...store.entries()].map(([key]) => key).sort()).toEqual(['0', '1', '2']);
    const op = new TopNOperator(node, store, defaultExprContext());
    expect(op.progress().numRowsTotal).toBe(3);
    // ties keep their arrival order across the change of layout: y (second) is pushed out, x stays first
    expect(await batch(op, store, 1, chunk(node, [{ k: 'a', v: 5, s: 'top' }]))).toEqual([
      '-U a 4 x 1', '+U a 5 top 1', '-U a 4 y 2', '+U a 4 x 2',
    ]);
    expect([...store.entries()].map(([key]) => key[0])).toEqual(['#', '#']);
    const again = new TopNOperator(node, store, defaultExprContext());
    expect(again.progress().numRowsTotal).toBe(3);
    expect(await batch(again, store, 2, chunk(node, [{ k: 'b', v: 2, s: 'w' }]))).toEqual(['-U b 1 z 1', '+U b 2 w 1', '+I b 1 z 2']);
  });

  it('emits every kept row each batch in complete mode', async () => {
    const complete = topNNode(TOP2, 'complete');
    const store = new MemoryStateStore(0);
    const op = new TopNOperator(complete, store, defaultExprContext());
    await batch(op, store, 0, chunk(complete, [{ k: 'a', v: 1, s: 'x' }, { k: 'b', v: 1, s: 'y' }]));
    expect((await batch(op, store, 1, chunk(complete, [{ k: 'a', v: 2, s: 'z' }]))).sort()).toEqual(['+I a 1 x 2', '+I a 2 z 1', '+I b 1 y 1']);
  });

  it('keeps ranks m..n only, with their rank numbers', async () => {
    const mid = topNNode(`SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v) AS rn FROM t) WHERE rn BETWEEN 2 AND 3`);
    expect(mid).toMatchObject({ rankStart: 2, rankEnd: 3 });
    const store = new MemoryStateStore(0);
    const op = new TopNOperator(mid, store, defaultExprContext());
    expect(await batch(op, store, 0, chunk(mid, [{ k: 'a', v: 5, s: '5' }, { k: 'a', v: 7, s: '7' }]))).toEqual(['+I a 7 7 2']);
    expect(await batch(op, store, 1, chunk(mid, [{ k: 'a', v: 1, s: '1' }]))).toEqual(['-U a 7 7 2', '+U a 5 5 2', '+I a 7 7 3']);
  });
});

describe('TopNOperator over a retracting input', () => {
  const node = retracting(topNNode(TOP2));

  it('keeps every row, so that retracting a top row promotes the next; equal rows keep their multiplicity', async () => {
    const store = new MemoryStateStore(0);
    const op = new TopNOperator(node, store, defaultExprContext());
    await batch(op, store, 0, chunk(node, [{ k: 'a', v: 3, s: 'x' }, { k: 'a', v: 2, s: 'y' }, { k: 'a', v: 1, s: 'z' }, { k: 'a', v: 1, s: 'z' }]));
    expect(op.progress().numRowsTotal).toBe(4);
    expect(await batch(op, store, 1, chunk(node, [{ k: 'a', v: 3, s: 'x' }], [RowKind.UPDATE_BEFORE]))).toEqual([
      '-U a 3 x 1', '+U a 2 y 1', '-U a 2 y 2', '+U a 1 z 2',
    ]);
    // one of the two equal rows goes: the other one is still rank 2, so nothing is emitted
    expect(await batch(op, store, 2, chunk(node, [{ k: 'a', v: 1, s: 'z' }], [RowKind.DELETE]))).toEqual([]);
    // a retraction of a row never seen, or of a partition never seen, does nothing
    expect(await batch(op, store, 3, chunk(node, [{ k: 'a', v: 2, s: 'other' }, { k: 'q', v: 2, s: 'y' }], [RowKind.DELETE, RowKind.DELETE]))).toEqual([]);
    expect(await batch(op, store, 4, chunk(node, [{ k: 'a', v: 2, s: 'y' }, { k: 'a', v: 1, s: 'z' }], [RowKind.DELETE, RowKind.DELETE]))).toEqual([
      '-D a 2 y 1', '-D a 1 z 2',
    ]);
    expect(op.progress().numRowsTotal).toBe(0);
    expect(store.size).toBe(0);
  });

  it('takes back a row that came in the same batch', async () => {
    const store = new MemoryStateStore(0);
    const op = new TopNOperator(node, store, defaultExprContext());
    expect(await batch(op, store, 0, chunk(node, [{ k: 'a', v: 3, s: 'x' }, { k: 'a', v: 3, s: 'x' }, { k: 'a', v: 1, s: 'y' }],
      [RowKind.INSERT, RowKind.DELETE, RowKind.INSERT]))).toEqual(['+I a 1 y 1']);
    expect(op.progress().numRowsTotal).toBe(1);
    expect(store.size).toBe(1);
    const again = new TopNOperator(node, store, defaultExprContext());
    expect(await batch(again, store, 1, chunk(node, [{ k: 'a', v: 1, s: 'y' }], [RowKind.UPDATE_BEFORE]))).toEqual(['-D a 1 y 1']);
  });
});

describe('row strings (row-codec.ts)', () => {
  const schema: Schema = {
    columns: [
      { name: 'ti', type: T.TINYINT, nullable: true }, { name: 'si', type: T.SMALLINT, nullable: true },
      { name: 'i', type: T.INT, nullable: true }, { name: 'b', type: T.BIGINT, nullable: true },
      { name: 'f', type: T.FLOAT, nullable: true }, { name: 'd', type: T.DOUBLE, nullable: true },
      { name: 'dec', type: { kind: 'DECIMAL', precision: 10, scale: 2 }, nullable: true },
      { name: 'dt', type: T.DATE, nullable: true }, { name: 'ts', type: T.TIMESTAMP, nullable: true },
      { name: 'ok', type: T.BOOLEAN, nullable: true }, { name: 's', type: T.VARCHAR, nullable: true },
      { name: 'r', type: { kind: 'ROW', fields: [{ name: 'x', type: T.INT }, { name: 'y', type: T.VARCHAR }] }, nullable: true },
    ],
  };
  const rows = [
    { ti: -5, si: 300, i: -70000, b: 2 ** 52 + 1, f: 1.5, d: -0.1, dec: 12.34, dt: 19000, ts: 1767225600123, ok: true, s: 'héllo "w"\n\\ 🎉', r: { x: 1, y: 'a' } },
    { ti: null, si: null, i: null, b: null, f: null, d: Number.NaN, dec: null, dt: null, ts: null, ok: false, s: '', r: null },
    { ti: 127, si: -32768, i: 0, b: -(2 ** 40), f: -0, d: Infinity, dec: -1, dt: -1, ts: 0, ok: null, s: null, r: { x: null, y: null } },
  ];

  it('decodes to the values they were encoded from, every type, NULLs included', () => {
    const codec = new RowCodec(schema);
    const b = rowsToBatch(schema, rows);
    const enc = codec.source(b);
    const texts = rows.map((_, i) => codec.encode(enc, i));
    const back = batchFromColumns(schema, codec.decode(texts), texts.length);
    expect(batchToRows(back)).toEqual(batchToRows(b));
    expect(Object.is(batchToRows(back)[2]!.f, -0)).toBe(true);
  });

  it('reads columns in other Arrow layouts through their values (a dictionary-encoded VARCHAR)', () => {
    const one: Schema = { columns: [{ name: 's', type: T.VARCHAR, nullable: true }] };
    const dict = arrow.vectorFromArray(['b', null, 'a', 'b'], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())).data[0]!;
    const codec = new RowCodec(one);
    const enc = codec.source(batchFromColumns(one, [dict], 4));
    const texts = [0, 1, 2, 3].map((i) => codec.encode(enc, i));
    expect(batchToRows(batchFromColumns(one, codec.decode(texts), 4)).map((r) => r.s)).toEqual(['b', null, 'a', 'b']);
    expect(texts[0]).toBe(texts[3]);
  });

  it('gives equal rows equal strings and different rows different strings', () => {
    const codec = new RowCodec(schema);
    const b = rowsToBatch(schema, [rows[0]!, rows[0]!, { ...rows[0]!, s: 'hello' }, { ...rows[0]!, s: null }]);
    const enc = codec.source(b);
    const [a, a2, c, n] = [0, 1, 2, 3].map((i) => codec.encode(enc, i));
    expect(a).toBe(a2);
    expect(new Set([a, c, n]).size).toBe(3);
  });
});
