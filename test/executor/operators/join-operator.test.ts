/** The stream-join operator driven directly: changelog output, retracting inputs, expiry, lateness, restart. */
import { abortOperator, commitOperator } from '../../support/operator-batch.js';
import { describe, expect, it } from 'vitest';
import { rowsToBatch, valueAt } from '../../../src/common/columns.js';
import { RowKind } from '../../../src/connectors/api.js';
import { defaultExprContext } from '../../../src/executor/expr/compile.js';
import { StreamJoinOperator } from '../../../src/executor/operators/join/stream-join.js';
import type { BatchContext, Chunk } from '../../../src/executor/operators/operator.js';
import type { JoinNode, PhysicalNode } from '../../../src/planner/incremental/physical.js';
import { MemoryStateStore } from '../../../src/state/memory-state-store.js';
import { catalogOf, streaming } from '../../planner/helpers.js';

const DDL = `CREATE TABLE l (k INT, a VARCHAR, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');
CREATE TABLE r (k INT, b VARCHAR, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');`;

function joinNode(sql: string): JoinNode {
  const find = (n: PhysicalNode): JoinNode | undefined =>
    n.kind === 'join' ? n : n.kind === 'source' ? undefined : !('input' in n) ? undefined : find(n.input);
  const j = find(streaming(sql, catalogOf(DDL)).root);
  if (!j) throw new Error('no join in the plan');
  return j;
}

const ctx = (watermark = -Infinity, batchId = 0): BatchContext => ({ batchId, watermark, processingTime: 0, expr: defaultExprContext() });
const KIND = ['+I', '-U', '+U', '-D'];

/** Output chunks as `kind l.k l.a l.ts r.k r.b r.ts` strings (by position: both sides have k and ts). */
function show(chunks: readonly Chunk[]): string[] {
  return chunks.flatMap((c) => Array.from({ length: c.batch.numRows }, (_, i) =>
    `${KIND[c.kinds ? c.kinds[i]! : RowKind.INSERT]} ${c.batch.data.children.map((d) => String(valueAt(d, i))).join(' ')}`));
}

function chunk(node: JoinNode, side: 0 | 1, rows: Record<string, unknown>[], kinds?: number[]): Chunk {
  const batch = rowsToBatch((side === 0 ? node.left : node.right).schema, rows);
  return kinds ? { batch, kinds: Uint8Array.from(kinds) } : { batch };
}

describe('regular joins', () => {
  const node = joinNode('SELECT * FROM l LEFT JOIN r ON l.k = r.k');

  it('pads an unmatched row at once and retracts it when a match arrives, and back', () => {
    const op = new StreamJoinOperator(node, new MemoryStateStore(0), defaultExprContext(), undefined);
    expect(show(op.process(chunk(node, 0, [{ k: 1, a: 'x', ts: 0 }, { k: null, a: 'n', ts: 0 }]), ctx(), 0)).sort()).toEqual([
      '+I 1 x 0 null null null', '+I null n 0 null null null',
    ]);
    expect(show(op.process(chunk(node, 1, [{ k: 1, b: 'p', ts: 5 }, { k: 1, b: 'q', ts: 6 }]), ctx(), 1))).toEqual([
      '+I 1 x 0 1 p 5', '+I 1 x 0 1 q 6', '-D 1 x 0 null null null',
    ]);
    // a retracting right input: one match goes, then the last one, and the padded row is back
    expect(show(op.process(chunk(node, 1, [{ k: 1, b: 'p', ts: 5 }], [RowKind.UPDATE_BEFORE]), ctx(), 1))).toEqual(['-D 1 x 0 1 p 5']);
    expect(show(op.process(chunk(node, 1, [{ k: 1, b: 'q', ts: 6 }], [RowKind.DELETE]), ctx(), 1))).toEqual([
      '-D 1 x 0 1 q 6', '+I 1 x 0 null null null',
    ]);
    // retracting the left row takes back its padded row; a retraction of a row never seen does nothing
    expect(show(op.process(chunk(node, 0, [{ k: 1, a: 'x', ts: 0 }, { k: 7, a: 'zz', ts: 0 }], [RowKind.DELETE, RowKind.DELETE]), ctx(), 0)))
      .toEqual(['-D 1 x 0 null null null']);
    expect(op.progress().numRowsTotal).toBe(0);
  });

  it('keeps equal rows with their multiplicity', () => {
    const inner = joinNode('SELECT * FROM l JOIN r ON l.k = r.k');
    const op = new StreamJoinOperator(inner, new MemoryStateStore(0), defaultExprContext(), undefined);
    op.process(chunk(inner, 0, [{ k: 2, a: 'x', ts: 0 }, { k: 2, a: 'x', ts: 0 }]), ctx(), 0);
    expect(show(op.process(chunk(inner, 1, [{ k: 2, b: 'p', ts: 1 }]), ctx(), 1))).toEqual(['+I 2 x 0 2 p 1', '+I 2 x 0 2 p 1']);
    op.process(chunk(inner, 0, [{ k: 2, a: 'x', ts: 0 }], [RowKind.DELETE]), ctx(), 0);
    expect(show(op.process(chunk(inner, 1, [{ k: 2, b: 'q', ts: 1 }]), ctx(), 1))).toEqual(['+I 2 x 0 2 q 1']);
    expect(inner.appendOnly).toBe(true);
  });

  it('rebuilds its state from the store after a restart', async () => {
    const store = new MemoryStateStore(0);
    const op = new StreamJoinOperator(node, store, defaultExprContext(), undefined);
    op.process(chunk(node, 0, [{ k: 3, a: 'y', ts: 0 }]), ctx(), 0);
    await commitOperator(op, store, 0);
    const again = new StreamJoinOperator(node, store, defaultExprContext(), undefined);
    expect(show(again.process(chunk(node, 1, [{ k: 3, b: 'z', ts: 0 }]), ctx(), 1))).toEqual(['+I 3 y 0 3 z 0', '-D 3 y 0 null null null']);
    // an aborted batch leaves state as it was committed
    abortOperator(again, store);
    expect(show(again.process(chunk(node, 1, [{ k: 3, b: 'w', ts: 0 }]), ctx(), 1))).toEqual(['+I 3 y 0 3 w 0', '-D 3 y 0 null null null']);
  });
});

describe('interval joins', () => {
  const node = joinNode("SELECT * FROM l LEFT JOIN r ON l.k = r.k AND r.ts BETWEEN l.ts AND l.ts + INTERVAL '2' SECOND");

  it('emits an unmatched outer row when the watermark passes its expiry, then forgets it', () => {
    expect(node.strategy).toBe('interval');
    expect(node.appendOnly).toBe(true);
    const op = new StreamJoinOperator(node, new MemoryStateStore(0), defaultExprContext(), undefined);
    expect(show(op.process(chunk(node, 0, [{ k: 1, a: 'x', ts: 1000 }, { k: 2, a: 'y', ts: 1000 }]), ctx(), 0))).toEqual([]);
    expect(show(op.process(chunk(node, 1, [{ k: 1, b: 'p', ts: 2500 }, { k: 2, b: 'late', ts: 3500 }]), ctx(), 1))).toEqual(['+I 1 x 1000 1 p 2500']);
    // right rows expire at their own time (no later left row can start before it), left rows 2 s after theirs
    expect(op.hasTimerWork(2500)).toBe(false);
    expect(op.hasTimerWork(2501)).toBe(true);
    expect(show(op.onWatermark(3001))).toEqual(['+I 2 y 1000 null null null']);
    expect(op.progress().numRowsTotal).toBe(1);
    op.onWatermark(3600);
    expect(op.progress().numRowsTotal).toBe(0);
  });

  it('drops rows below the watermark as late and counts them', () => {
    const op = new StreamJoinOperator(node, new MemoryStateStore(0), defaultExprContext(), undefined);
    expect(show(op.process(chunk(node, 0, [{ k: 1, a: 'old', ts: 1000 }, { k: 1, a: 'ok', ts: 5000 }]), ctx(4000), 0))).toEqual([]);
    op.finishBatch();
    expect(op.progress().numRowsDroppedByWatermark).toBe(1);
    expect(show(op.process(chunk(node, 1, [{ k: 1, b: 'p', ts: 5500 }]), ctx(4000, 1), 1))).toEqual(['+I 1 ok 5000 1 p 5500']);
  });
});
