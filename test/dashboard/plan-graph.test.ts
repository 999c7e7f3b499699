/**
 * parsePlanGraph on EXPLAIN text: the tree from the indentation, the markers, notes after the
 * tree, and a sub-plan shared by two parents (printed under each) counted once among the stateful
 * operators, children before parents, as the execution reports them.
 */
import { describe, expect, it } from 'vitest';
import { parsePlanGraph } from '../../src/dashboard/plan-graph.js';

const EXPLAIN = `== Logical Plan ==
Project(a#0)
  Scan(t, columns=[a])
== Streaming Plan (output mode: append) ==
Project(a#0)
  Join(inner, keys=[a#0 = a#0]) [operator 2]
    WindowAggregate(TUMBLE(size=INTERVAL '10' SECOND), keys=[a#0]) [operator 1]
      Watermark(source 0, rowtime=ts#1)
        Source(t, columns=[a, ts]) [source 0]
    WindowAggregate(TUMBLE(size=INTERVAL '10' SECOND), keys=[a#0]) [operator 1]
      Watermark(source 0, rowtime=ts#1)
        Source(t, columns=[a, ts]) [source 0]
keys: [a]
Note: something about the plan`;

describe('parsePlanGraph', () => {
  it('reads the streaming section as a tree', () => {
    const g = parsePlanGraph(EXPLAIN);
    expect(g.outputMode).toBe('append');
    expect(g.nodes.map((n) => `${'.'.repeat(n.depth)}${n.name}`)).toEqual([
      'Project', '.Join', '..WindowAggregate', '...Watermark', '....Source', '..WindowAggregate', '...Watermark', '....Source']);
    expect(g.nodes.map((n) => n.parent)).toEqual([-1, 0, 1, 2, 3, 1, 5, 6]);
    expect(g.nodes[1]!.operatorId).toBe(2);
    expect(g.nodes[4]!.sourceIndex).toBe(0);
    expect(g.nodes[2]!.text).toBe("WindowAggregate(TUMBLE(size=INTERVAL '10' SECOND), keys=[a#0]) [operator 1]");
    expect(g.notes).toEqual(['keys: [a]', 'Note: something about the plan']);
    expect(g.stateOperatorIds).toEqual([1, 2]);
  });

  it('is empty for text without a streaming plan', () => {
    expect(parsePlanGraph('')).toEqual({ nodes: [], notes: [], stateOperatorIds: [] });
    expect(parsePlanGraph('== Logical Plan ==\nScan(t)').nodes).toEqual([]);
  });
});
