/**
 * The temporal join operator driven directly: a changelog versioned input (UPDATE_BEFORE says
 * nothing, DELETE ends a key's life at its time), two versions at one time (the later arrival wins),
 * pruning down to the version valid at the watermark, a late left row, and state rebuilt from the
 * store after a restart and after an aborted batch.
 */
import { describe, expect, it } from 'vitest';
import { rowsToBatch, valueAt } from '../../../src/common/columns.js';
import { RowKind } from '../../../src/connectors/api.js';
import { defaultExprContext } from '../../../src/executor/expr/compile.js';
import { TemporalJoinOperator } from '../../../src/executor/operators/join/temporal-join.js';
import type { BatchContext, Chunk } from '../../../src/executor/operators/operator.js';
import type { PhysicalNode, TemporalJoinNode } from '../../../src/planner/incremental/physical.js';
import { physicalChildren } from '../../../src/planner/incremental/physical.js';
import { MemoryStateStore } from '../../../src/state/memory-state-store.js';
import { abortOperator, commitOperator } from '../../support/operator-batch.js';
import { catalogOf, streaming } from '../../planner/helpers.js';

const DDL = `CREATE TABLE o (k INT, a VARCHAR, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'memory');
CREATE TABLE v (k INT, b VARCHAR, ts TIMESTAMP(3), WATERMARK FOR ts AS ts, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'memory');`;

function temporalNode(join: string): TemporalJoinNode {
  const find = (n: PhysicalNode): TemporalJoinNode | undefined =>
    n.kind === 'temporalJoin' ? n : physicalChildren(n).map(find).find((x) => x !== undefined);
  const j = find(streaming(`SELECT * FROM o ${join} v FOR SYSTEM_TIME AS OF o.ts ON o.k = v.k`, catalogOf(DDL)).root);
  if (!j) throw new Error('no temporal join in the plan');
  return j;
}

const ctx = (watermark: number, batchId = 0): BatchContext => ({ batchId, watermark, processingTime: 0, expr: defaultExprContext() });

function chunk(node: TemporalJoinNode, side: 0 | 1, rows: Record<string, unknown>[], kinds?: number[]): Chunk {
  const batch = rowsToBatch((side === 0 ? node.input : node.versions).schema, rows);
  return kinds ? { batch, kinds: Uint8Array.from(kinds) } : { batch };
}

/** Output rows as `o.k o.a o.ts v.b v.ts`. */
function show(chunks: readonly Chunk[]): string[] {
  return chunks.flatMap((c) => Array.from({ length: c.batch.numRows }, (_, i) =>
    [0, 1, 2, 4, 5].map((col) => String(valueAt(c.batch.data.children[col]!, i))).join(' ')));
}

describe('the temporal join operator', () => {
  const node = temporalNode('LEFT JOIN');

  it('reads a changelog: UPDATE_AFTER is a version, UPDATE_BEFORE nothing, DELETE the end of the key', () => {
    const op = new TemporalJoinOperator(node, new MemoryStateStore(0), defaultExprContext());
    op.process(chunk(node, 1, [
      { k: 1, b: 'v10', ts: 10 }, { k: 1, b: 'v10', ts: 10 }, { k: 1, b: 'v20', ts: 20 }, { k: 1, b: 'v20', ts: 30 },
    ], [RowKind.INSERT, RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.DELETE]), ctx(-Infinity), 1);
    op.process(chunk(node, 0, [
      { k: 1, a: 'a', ts: 5 }, { k: 1, a: 'b', ts: 15 }, { k: 1, a: 'c', ts: 25 }, { k: 1, a: 'd', ts: 35 }, { k: null, a: 'e', ts: 12 },
    ]), ctx(-Infinity), 0);
    expect(show(op.onWatermark(40))).toEqual([
      '1 a 5 null null', 'null e 12 null null', '1 b 15 v10 10', '1 c 25 v20 20', '1 d 35 null null',
    ]);
    // the DELETE valid at the watermark goes with everything before it
    expect(op.sizes()).toEqual({ waiting: 0, versions: 0 });
  });

  it('keeps the later arrival of two versions at one time, and drops what the watermark passed', () => {
    const op = new TemporalJoinOperator(node, new MemoryStateStore(0), defaultExprContext());
    op.process(chunk(node, 1, [{ k: 2, b: 'x', ts: 10 }, { k: 2, b: 'y', ts: 10 }, { k: 2, b: 'z', ts: 50 }, { k: 3, b: 'w', ts: 1 }]), ctx(-Infinity), 1);
    op.process(chunk(node, 0, [{ k: 2, a: 'p', ts: 20 }, { k: 2, a: 'q', ts: 60 }]), ctx(-Infinity), 0);
    expect(show(op.onWatermark(30))).toEqual(['2 p 20 y 10']);
    expect(op.sizes()).toEqual({ waiting: 1, versions: 3 });
    expect(show(op.onWatermark(55))).toEqual([]);
    expect(op.sizes()).toEqual({ waiting: 1, versions: 2 }); // y went: z is valid at 55
    // a late row (at or below the watermark) is joined at once with the versions left
    op.process(chunk(node, 0, [{ k: 2, a: 'late', ts: 20 }]), ctx(55), 0);
    expect(show(op.onWatermark(55))).toEqual(['2 late 20 null null']);
    expect(op.hasTimerWork(59)).toBe(false);
    expect(op.hasTimerWork(60)).toBe(true);
  });

  it('rebuilds its state from the store after a restart, and rolls back an aborted batch', async () => {
    const store = new MemoryStateStore(0);
    const op = new TemporalJoinOperator(node, store, defaultExprContext());
    op.process(chunk(node, 1, [{ k: 1, b: 'v1', ts: 10 }, { k: 1, b: 'v2', ts: 30 }]), ctx(-Infinity), 1);
    op.process(chunk(node, 0, [{ k: 1, a: 'a', ts: 20 }, { k: 1, a: 'b', ts: 40 }]), ctx(-Infinity), 0);
    op.onWatermark(15);
    await commitOperator(op, store, 0);
    expect(store.size).toBe(4);
    // a batch that fails: its rows are forgotten
    op.process(chunk(node, 0, [{ k: 1, a: 'lost', ts: 35 }]), ctx(15, 1), 0);
    abortOperator(op, store);
    const again = new TemporalJoinOperator(node, store, defaultExprContext());
    for (const o of [op, again]) {
      expect(o.sizes()).toEqual({ waiting: 2, versions: 2 });
      expect(show(o.onWatermark(100))).toEqual(['1 a 20 v1 10', '1 b 40 v2 30']);
    }
    await commitOperator(again, store, 1);
    expect(store.size).toBe(1); // the version valid at 100
  });
});
