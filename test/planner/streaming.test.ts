/** Incremental planning: physical nodes, operator ids, output modes and their refusals, key columns. */
import { describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { optimize, planStreaming } from '../../src/planner/index.js';
import { catalogOf, errorOf, nexmark, plan, streaming } from './helpers.js';

const DDL = `CREATE TABLE t (a INT, b BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'memory');
CREATE TABLE nowm (a INT, ts TIMESTAMP(3)) WITH ('connector' = 'memory');`;
const cat = () => catalogOf(DDL);
const TUMBLE = "SELECT window_start, window_end, a, count(*) AS n FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, a";

describe('output modes', () => {
  it('defaults to append for stateless and watermarked window aggregations, update otherwise', () => {
    expect(streaming('SELECT a FROM t WHERE a > 1', cat()).mode).toBe('append');
    expect(streaming(TUMBLE, cat()).mode).toBe('append');
    expect(streaming('SELECT a, count(*) FROM t GROUP BY a', cat()).mode).toBe('update');
    expect(streaming("SELECT window_start, count(*) FROM TABLE(TUMBLE(TABLE nowm, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end", cat()).mode).toBe('update');
  });

  it('refuses append for an aggregation that never finalizes, at the span of the request', () => {
    const p = optimize(plan('SELECT a, count(*) FROM t GROUP BY a', cat()));
    const span = { line: 1, column: 5, offset: 4, length: 26 };
    let err: unknown;
    try {
      planStreaming(p, { mode: 'append', modeSpan: span });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WeirError);
    expect((err as WeirError).code).toBe('PLAN');
    expect((err as WeirError).span).toEqual(span);
    expect((err as WeirError).message).toBe('append output mode not supported when there are streaming aggregations on streaming tables without watermark: the aggregate never finalizes its groups; use update or complete');
  });

  it('refuses append for a window aggregation without a watermark, and complete without an aggregation', () => {
    expect(errorOf(() => streaming("SELECT window_start, count(*) FROM TABLE(TUMBLE(TABLE nowm, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end", cat(), 'append')))
      .toBe('PLAN - append output mode not supported for a window aggregation whose time column has no watermark: its windows never close; declare WATERMARK FOR the time column, or use update or complete');
    expect(errorOf(() => streaming('SELECT a FROM t', cat(), 'complete')))
      .toBe('PLAN - complete output mode requires an aggregation: without one the result table grows without bound; use append');
  });

  it('honours update and complete where they are possible', () => {
    expect(streaming(TUMBLE, cat(), 'update').mode).toBe('update');
    expect(streaming(TUMBLE, cat(), 'complete').mode).toBe('complete');
    expect(streaming('SELECT a FROM t', cat(), 'update').mode).toBe('update');
    expect(streaming('SELECT a, count(*) FROM t GROUP BY a', cat(), 'complete').mode).toBe('complete');
  });
});

describe('streaming plan', () => {
  it('turns a window TVF under a window-bounds aggregate into one window aggregate operator', () => {
    const s = streaming(TUMBLE, cat());
    // The select list is the aggregate's output in order: the projection was pruned away.
    expect(s.root).toMatchObject({
      kind: 'windowAggregate', operatorId: 0, timeColumn: 1, appendOnly: true,
      window: { kind: 'tumble', sizeMs: 10_000, offsetMs: 0 },
      keyLayout: [{ kind: 'windowStart' }, { kind: 'windowEnd' }, { kind: 'key', index: 0 }],
    });
    expect(s.keyColumns).toEqual([]);
    expect(s.statefulOperators.map((o) => [o.operatorId, o.kind])).toEqual([[0, 'windowAggregate']]);
  });

  it('keeps a window TVF without aggregation as a stateless window assignment', () => {
    const s = streaming("SELECT a, window_start FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND))", cat());
    expect(s.mode).toBe('append');
    expect(s.statefulOperators).toEqual([]);
    expect(s.root.kind === 'project' && s.root.input.kind).toBe('windowAssign');
  });

  it('numbers stateful operators in post-order and reports the group keys in update mode', () => {
    const s = streaming('SELECT n, count(*) AS c FROM (SELECT a, count(*) AS n FROM t GROUP BY a) GROUP BY n', cat());
    expect(s.mode).toBe('update');
    expect(s.statefulOperators.map((o) => o.operatorId)).toEqual([0, 1]);
    expect(s.statefulOperators[0]!.description).toContain('aggs=[n=count(*)]');
    expect(s.statefulOperators[1]!.description).toContain('aggs=[c=count(*)]');
    expect(s.keyColumns).toEqual([0]);
    expect(streaming('SELECT count(*) AS c, a FROM t GROUP BY a', cat()).keyColumns).toEqual([1]);
  });

  it('numbers sources in order and gives each watermark the index of its source', () => {
    // the two scans of t read different columns: two sources (the execution reads the table once for both)
    const s = streaming('SELECT a FROM t UNION ALL SELECT a FROM nowm UNION ALL SELECT CAST(b AS INT) FROM t', cat());
    expect(s.sources.map((x) => [x.sourceIndex, x.table.name])).toEqual([[0, 't'], [1, 'nowm'], [2, 't']]);
    const wm: number[] = [];
    const walk = (n: typeof s.root): void => {
      if (n.kind === 'watermark') wm.push(n.sourceIndex);
      for (const c of n.kind === 'union' ? n.inputs : 'input' in n ? [n.input] : []) walk(c);
    };
    walk(s.root);
    expect(wm).toEqual([0, 2]);
  });

  it('runs identical sub-plans once: one node with two parents, one source, one stateful operator', () => {
    const s = streaming('SELECT a, COUNT(*) FROM t GROUP BY a UNION ALL SELECT a, COUNT(*) FROM t GROUP BY a', cat());
    expect(s.root.kind).toBe('union');
    const [x, y] = (s.root as Extract<typeof s.root, { kind: 'union' }>).inputs;
    expect(x).toBe(y);
    expect(s.sources).toHaveLength(1);
    expect(s.statefulOperators).toHaveLength(1);
    // a different sub-plan is not shared
    const d = streaming('SELECT a, COUNT(*) FROM t GROUP BY a UNION ALL SELECT a, SUM(a) FROM t GROUP BY a', cat());
    const [u, v] = (d.root as Extract<typeof d.root, { kind: 'union' }>).inputs;
    expect(u).not.toBe(v);
    expect(d.statefulOperators).toHaveLength(2);
  });

  it('plans Nexmark q0-q2 as stateless append-only pipelines', () => {
    const c = nexmark();
    for (const q of [
      'SELECT auction, bidder, price, dateTime, extra FROM bid',
      'SELECT auction, bidder, 0.908 * price as price, dateTime, extra FROM bid',
      'SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0',
    ]) {
      const s = streaming(q, c);
      expect(s.mode).toBe('append');
      expect(s.root.appendOnly).toBe(true);
      expect(s.statefulOperators).toEqual([]);
      expect(s.sources.map((x) => x.table.name)).toEqual(['datagen']);
    }
  });
});
