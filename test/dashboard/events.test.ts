/**
 * /events: a snapshot on connect, then each batch's progress, status changes and the end of a
 * query (with the error of one that failed), as server-sent events; /api/queries the same as JSON.
 * And the plan graph read from EXPLAIN: its nodes, and the stateful operators in the order
 * progress reports them.
 */
import { request, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine, ManualClock, type Dashboard } from '../../src/index.js';
import { parsePlanGraph } from '../../src/dashboard/plan-graph.js';

interface Sse { readonly event: string; readonly data: any }

/** An open /events stream: the events so far, and a wait for one that matches. */
function openEvents(url: string): Promise<{ events: Sse[]; next(match: (e: Sse) => boolean, timeoutMs?: number): Promise<Sse>; close(): void }> {
  return new Promise((resolve, reject) => {
    const events: Sse[] = [];
    const waiters: { match: (e: Sse) => boolean; resolve: (e: Sse) => void }[] = [];
    const req = request(url, (res: IncomingMessage) => {
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (!event || data === undefined) continue;
          const e = { event, data: JSON.parse(data) };
          events.push(e);
          for (const w of waiters.splice(0)) (w.match(e) ? w.resolve(e) : waiters.push(w));
        }
      });
      resolve({
        events,
        next: (match, timeoutMs = 10_000) => {
          const seen = events.find(match);
          if (seen) return Promise.resolve(seen);
          return new Promise<Sse>((ok, fail) => {
            const t = setTimeout(() => fail(new Error(`no matching event in ${timeoutMs} ms; got ${events.map((x) => x.event).join(', ')}`)), timeoutMs);
            waiters.push({ match, resolve: (e) => { clearTimeout(t); ok(e); } });
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const open: Dashboard[] = [];
afterEach(async () => { await Promise.all(open.splice(0).map((d) => d.close())); });

describe('/events', () => {
  it('pushes a snapshot, then every batch\'s progress and the end of each query, failed ones with their error', async () => {
    const engine = new Engine({ clock: new ManualClock(5000) });
    engine.registerFunction('checked', (v: number) => { if (v > 100) throw new Error(`value ${v} is over 100`); return v; }, { returns: 'INT' });
    const [q] = await engine.execute(`
      CREATE TABLE src (k STRING, v INT) WITH ('connector' = 'memory');
      CREATE TABLE dst (k STRING, total INT) WITH ('connector' = 'memory');
      INSERT INTO dst SELECT k, SUM(checked(v)) FROM src GROUP BY k;`);
    engine.input('src').push([{ k: 'x', v: 1 }, { k: 'y', v: 2 }]);
    await q!.processAllAvailable();
    const d = await engine.serveDashboard({ port: 0 });
    open.push(d);
    const es = await openEvents(`${d.url}events`);
    try {
      // the query ran one batch before the page connected: the snapshot has it
      const snap = await es.next((e) => e.event === 'snapshot');
      expect(snap.data.queries).toHaveLength(1);
      expect(snap.data.queries[0]).toMatchObject({ id: q!.id, runId: q!.runId, name: q!.name, state: 'running' });
      expect(snap.data.queries[0].points.map((p: any) => p.inputRows)).toEqual([2]);
      expect(snap.data.queries[0].plan.nodes.map((n: any) => n.name)).toContain('Aggregate');

      engine.input('src').push([{ k: 'x', v: 3 }, { k: 'z', v: 4 }, { k: 'z', v: 5 }]);
      await q!.processAllAvailable();
      const progress = await es.next((e) => e.event === 'progress');
      expect(progress.data.runId).toBe(q!.runId);
      expect(progress.data.point).toMatchObject({ batchId: 1, inputRows: 3, t: 5, operators: [{ name: 'groupAggregate', rows: 3 }] });
      expect(progress.data.batch).toMatchObject({ batchId: 1, inputRows: 3, outputRows: q!.recentProgress[1]!.sink.numOutputRows });
      expect(progress.data.batch.outputRows).toBeGreaterThan(0);
      expect(progress.data.totals).toMatchObject({ batches: 2, inputRows: 5 });

      engine.input('src').push([{ k: 'x', v: 1000 }]);
      await expect(q!.processAllAvailable()).rejects.toThrow(/over 100/);
      const ended = await es.next((e) => e.event === 'query' && e.data.state === 'failed');
      expect(ended.data.error).toMatch(/value 1000 is over 100/);
      expect(ended.data.status).toMatch(/^Failed: /);

      const api = await (await fetch(`${d.url}api/queries`)).json() as any;
      expect(api.queries[0]).toMatchObject({ state: 'failed', totals: { batches: 2, inputRows: 5 } });
      expect(api.queries[0].error).toMatch(/over 100/);
    } finally {
      es.close();
      await engine.stop();
    }
  });

  it('tells a query that starts after the page connected, and a clean stop', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const d = await engine.serveDashboard({ port: 0 });
    open.push(d);
    const es = await openEvents(`${d.url}events`);
    try {
      await es.next((e) => e.event === 'snapshot' && e.data.queries.length === 0);
      const [q] = await engine.execute(`
        CREATE TABLE src (k STRING, v INT) WITH ('connector' = 'memory');
        CREATE TABLE dst (k STRING, v INT) WITH ('connector' = 'memory');
        INSERT INTO dst SELECT k, v FROM src WHERE v > 1;`);
      const started = await es.next((e) => e.event === 'query');
      expect(started.data).toMatchObject({ runId: q!.runId, state: 'running' });
      engine.input('src').push([{ k: 'a', v: 1 }, { k: 'b', v: 2 }]);
      await q!.processAllAvailable();
      const p = await es.next((e) => e.event === 'progress');
      expect(p.data.point).toMatchObject({ inputRows: 2, outputRows: 1, operators: [] });
      await q!.stop();
      const stopped = await es.next((e) => e.event === 'query' && e.data.state === 'stopped');
      expect(stopped.data.error).toBeUndefined();
    } finally {
      es.close();
      await engine.stop();
    }
  });
});

describe('plan graph', () => {
  it('reads the streaming plan\'s nodes, and orders the stateful operators as progress does', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(`
      CREATE TABLE a (k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');
      CREATE TABLE b (k STRING, w INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');
      CREATE TABLE out (k STRING, n BIGINT, m INT) WITH ('connector' = 'memory');
      INSERT INTO out SELECT k, n, MAX(w) FROM (
        SELECT a.k, COUNT(*) AS n, MAX(b.w) AS w FROM a JOIN b ON a.k = b.k GROUP BY a.k
      ) GROUP BY k, n;`);
    engine.input('a').push([{ k: 'x', v: 1, ts: 1000 }]);
    engine.input('b').push([{ k: 'x', w: 2, ts: 1000 }]);
    await q!.processAllAvailable();
    const g = parsePlanGraph(q!.explain());
    expect(g.nodes[0]!.parent).toBe(-1);
    expect(g.nodes.filter((n) => n.sourceIndex !== undefined).map((n) => n.name)).toEqual(['Source', 'Source']);
    expect(g.outputMode).toBe('update');
    // every node's parent sits one level up, before it
    for (const n of g.nodes.slice(1)) expect(g.nodes[n.parent]!.depth).toBe(n.depth - 1);
    const kindOf: Record<string, string> = { Aggregate: 'groupAggregate', WindowAggregate: 'windowAggregate', TopN: 'topN' };
    const names = g.stateOperatorIds.map((id) => {
      const n = g.nodes.find((x) => x.operatorId === id)!;
      return kindOf[n.name] ?? 'join';
    });
    expect(names).toEqual(q!.lastProgress!.stateOperators.map((o) => o.operatorName));
    expect(names).toEqual(['join', 'groupAggregate', 'groupAggregate']);
    await engine.stop();
  });
});
