/** The lookup-join operator driven directly: keys of several columns, NULL keys, duplicates, residual, LEFT padding, row kinds. */
import { describe, expect, it } from 'vitest';
import { rowsToBatch, valueAt } from '../../../src/common/columns.js';
import { RowKind } from '../../../src/connectors/api.js';
import { defaultExprContext } from '../../../src/executor/expr/compile.js';
import { LookupJoinOperator } from '../../../src/executor/operators/join/lookup-join.js';
import type { BatchContext, Chunk } from '../../../src/executor/operators/operator.js';
import type { LookupJoinNode, PhysicalNode } from '../../../src/planner/incremental/physical.js';
import { catalogOf, streaming } from '../../planner/helpers.js';

const DDL = `CREATE TABLE p (k INT, c VARCHAR, x INT, pt AS PROCTIME()) WITH ('connector' = 'memory');
CREATE TABLE d (k INT, c VARCHAR, name VARCHAR) WITH ('connector' = 'memory');`;

function lookupNode(sql: string): LookupJoinNode {
  const find = (n: PhysicalNode): LookupJoinNode | undefined =>
    n.kind === 'lookupJoin' ? n : n.kind === 'source' || n.kind === 'union' || n.kind === 'join' || n.kind === 'semiJoin' ? undefined : find(n.input);
  const j = find(streaming(sql, catalogOf(DDL)).root);
  if (!j) throw new Error('no lookup join in the plan');
  return j;
}

const ctx: BatchContext = { batchId: 0, watermark: -Infinity, processingTime: 0, expr: defaultExprContext() };
const KIND = ['+I', '-U', '+U', '-D'];
const show = (chunks: readonly Chunk[]): string[] => chunks.flatMap((c) => Array.from({ length: c.batch.numRows }, (_, i) =>
  `${KIND[c.kinds ? c.kinds[i]! : RowKind.INSERT]} ${c.batch.data.children.map((d) => String(valueAt(d, i))).join(' ')}`));

function operator(node: LookupJoinNode, rows: Record<string, unknown>[]): LookupJoinOperator {
  const schema = { columns: node.columns.map((i) => node.table.columns[i]!) };
  return new LookupJoinOperator(node, rowsToBatch(schema, rows), defaultExprContext());
}

const TABLE = [
  { k: 1, c: 'a', name: 'one-a' }, { k: 1, c: 'b', name: 'one-b' }, { k: 2, c: 'a', name: 'two-a' },
  { k: 2, c: 'a', name: 'two-a-again' }, { k: null, c: 'a', name: 'null-key' }, { k: 3, c: null, name: 'three-null' },
];

describe('lookup join operator', () => {
  it('matches on every key column, never on NULL, each table row of a key once', () => {
    const node = lookupNode('SELECT p.k, p.c, d.name FROM p JOIN d FOR SYSTEM_TIME AS OF p.pt ON p.k = d.k AND p.c = d.c');
    expect(node.probeKeys).toHaveLength(2);
    const op = operator(node, TABLE);
    const probe = rowsToBatch(node.input.schema, [{ k: 2, c: 'a' }, { k: 1, c: 'b' }, { k: null, c: 'a' }, { k: 3, c: null }, { k: 9, c: 'a' }]);
    expect(show(op.process({ batch: probe }, ctx)).map((l) => l.split(' ').slice(-1)[0])).toEqual(['two-a', 'two-a-again', 'one-b']);
  });

  it('LEFT: pads probe rows without an accepted pair, the residual deciding; kinds follow the probe rows', () => {
    const node = lookupNode("SELECT p.k, p.x, d.name FROM p LEFT JOIN d FOR SYSTEM_TIME AS OF p.pt ON p.k = d.k AND d.name <> 'one-a' AND p.x > 0");
    expect(node.residual).toBeDefined();
    const op = operator(node, TABLE);
    const probe = rowsToBatch(node.input.schema, [{ k: 1, x: 5 }, { k: 1, x: -1 }, { k: null, x: 1 }, { k: 2, x: 1 }]);
    const kinds = Uint8Array.from([RowKind.INSERT, RowKind.DELETE, RowKind.UPDATE_AFTER, RowKind.UPDATE_BEFORE]);
    const out = show(op.process({ batch: probe, kinds }, ctx));
    // the columns the plan keeps: the probe's k, x and the table's k, name (k for the condition)
    expect(out.sort()).toEqual([
      '+I 1 5 1 one-b', '+U null 1 null null', '-D 1 -1 null null', '-U 2 1 2 two-a', '-U 2 1 2 two-a-again',
    ].sort());
  });

  it('passes the chunk columns through when every probe row has exactly one match', () => {
    const node = lookupNode('SELECT p.k, d.name FROM p JOIN d FOR SYSTEM_TIME AS OF p.pt ON p.k = d.k');
    const op = operator(node, [{ k: 1, c: 'a', name: 'one' }, { k: 2, c: 'a', name: 'two' }]);
    const probe = rowsToBatch(node.input.schema, [{ k: 2 }, { k: 1 }, { k: 2 }]);
    const [c] = op.process({ batch: probe }, ctx);
    expect(c!.batch.data.children[0]).toBe(probe.data.children[0]);
    expect(show([c!])).toEqual(['+I 2 2 two', '+I 1 1 one', '+I 2 2 two']);
    expect(op.process({ batch: rowsToBatch(node.input.schema, []) }, ctx)).toEqual([]);
  });
});
