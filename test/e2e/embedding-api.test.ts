/**
 * The embedding API exactly as CONTRACT.md writes it, through the public surface (src/index.ts, what
 * `import { Engine } from 'weir'` gives): new Engine({ clock, checkpointDir }), execute, input().push
 * with objects and with an Arrow Table, processAllAvailable, output().rows(), progress named as in
 * Spark, listeners, stop, awaitTermination(timeout), no restart of a stopped query, and a new query
 * on the same checkpoint resuming where the old one stopped.
 */
import { tableFromArrays } from 'apache-arrow';
import { writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Engine, ManualClock, type QueryEvent } from '../../src/index.js';
import { tempDir } from '../support/cli.js';

const SCRIPT = `
  CREATE TABLE bids (item STRING, price INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
    WITH ('connector' = 'memory');
  CREATE TABLE top (item STRING, max_price INT, n BIGINT) WITH ('connector' = 'memory');
  CREATE TABLE cheap (item STRING, price INT) WITH ('connector' = 'memory');
  INSERT INTO top SELECT item, MAX(price), COUNT(*) FROM bids GROUP BY item;
  INSERT INTO cheap SELECT item, price FROM bids WHERE price < 10;
`;

const sorted = <T extends Record<string, unknown>>(rows: readonly T[]): T[] =>
  [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('the embedding API of CONTRACT.md', () => {
  it('runs queries over pushed objects and Arrow Tables, with Spark-named progress', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 23, 10));
    const engine = new Engine({ clock, checkpointDir: tempDir() });
    const queries = await engine.execute(SCRIPT);
    expect(queries, 'one query per INSERT, none for DDL').toHaveLength(2);
    const [top, cheap] = queries;
    const events: QueryEvent[] = [];
    top!.addListener((e) => events.push(e));

    engine.input('bids').push([{ item: 'lamp', price: 12, ts: 1000 }, { item: 'lamp', price: 30, ts: 2000 }, { item: 'desk', price: 5, ts: 2500 }]);
    await top!.processAllAvailable();
    await cheap!.processAllAvailable();
    expect(sorted(engine.output('top').rows())).toEqual([{ item: 'desk', max_price: 5, n: 1 }, { item: 'lamp', max_price: 30, n: 2 }]);
    expect(engine.output('cheap').rows()).toEqual([{ item: 'desk', price: 5 }]);

    const p = top!.lastProgress!;
    expect(p.id).toBe(top!.id);
    expect(p.runId).toBe(top!.runId);
    expect(p.batchId).toBe(0);
    expect(p.timestamp).toBe('2026-11-23T10:00:00.000Z');
    expect(p.numInputRows).toBe(3);
    expect(typeof p.inputRowsPerSecond).toBe('number');
    expect(typeof p.processedRowsPerSecond).toBe('number');
    expect(p.durationMs.triggerExecution).toBeGreaterThanOrEqual(0);
    expect(p.durationMs).toHaveProperty('addBatch');
    expect(p.eventTime).toMatchObject({ min: '1970-01-01T00:00:01.000Z', max: '1970-01-01T00:00:02.500Z' });
    expect(p.eventTime).toHaveProperty('watermark');
    expect(p.stateOperators).toHaveLength(1);
    expect(p.stateOperators[0]).toMatchObject({ numRowsTotal: 2, numRowsUpdated: 2, numRowsDroppedByWatermark: 0 });
    expect(p.stateOperators[0]!.memoryUsedBytes).toBeGreaterThan(0);
    expect(p.sources).toHaveLength(1);
    expect(p.sources[0]!.numInputRows).toBe(3);
    expect(p.sink.numOutputRows).toBe(2);

    // an Arrow Table, converted to the table's types by name
    const arrowRows = tableFromArrays({ item: ['desk', 'lamp'], price: Int32Array.from([50, 7]), ts: Float64Array.from([4000, 4100]) });
    engine.input('bids').push(arrowRows);
    clock.advance(1000);
    await top!.processAllAvailable();
    await cheap!.processAllAvailable();
    expect(sorted(engine.output('top').rows())).toEqual([{ item: 'desk', max_price: 50, n: 2 }, { item: 'lamp', max_price: 30, n: 3 }]);
    expect(sorted(engine.output('cheap').rows())).toEqual([{ item: 'desk', price: 5 }, { item: 'lamp', price: 7 }]);
    expect(top!.lastProgress!.batchId).toBe(1);
    expect(top!.lastProgress!.timestamp).toBe('2026-11-23T10:00:01.000Z');
    expect(top!.lastProgress!.eventTime.watermark).toBe('1970-01-01T00:00:01.500Z');
    expect(top!.recentProgress.map((x) => x.batchId)).toEqual([0, 1]);
    expect(events.filter((e) => e.type === 'progress').map((e) => e.type === 'progress' && e.progress.batchId)).toEqual([0, 1]);

    // awaitTermination(timeout) on a running query: false when the time is up
    expect(await top!.awaitTermination(20)).toBe(false);
    expect(top!.isActive).toBe(true);
    await top!.stop();
    expect(await top!.awaitTermination(1000)).toBe(true);
    expect(top!.isActive).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: 'terminated', id: top!.id, runId: top!.runId });
    expect(events.at(-1)).not.toHaveProperty('exception');

    // a stopped query stays stopped: new rows reach only the query still running
    engine.input('bids').push([{ item: 'lamp', price: 1, ts: 5000 }]);
    await top!.processAllAvailable();
    await cheap!.processAllAvailable();
    expect(top!.lastProgress!.batchId).toBe(1);
    expect(sorted(engine.output('top').rows())).toEqual([{ item: 'desk', max_price: 50, n: 2 }, { item: 'lamp', max_price: 30, n: 3 }]);
    expect(sorted(engine.output('cheap').rows())).toEqual([{ item: 'desk', price: 5 }, { item: 'lamp', price: 1 }, { item: 'lamp', price: 7 }]);
    expect(() => top!.start()).toThrow();
    expect(top!.isActive).toBe(false);

    await engine.stop();
    expect(cheap!.isActive).toBe(false);
  });

  it('prints a bare SELECT and counts it among the queries', async () => {
    let printed = '';
    const stdout = new Writable({ write(chunk: Buffer, _e, cb) { printed += chunk.toString(); cb(); } });
    const engine = new Engine({ clock: new ManualClock(0), stdout });
    const queries = await engine.execute(`${SCRIPT} SELECT item, price * 2 AS doubled FROM bids WHERE item = 'vase';`);
    expect(queries).toHaveLength(3);
    engine.input('bids').push([{ item: 'vase', price: 21, ts: 0 }, { item: 'lamp', price: 3, ts: 0 }]);
    await queries[2]!.processAllAvailable();
    await engine.stop();
    expect(printed).toContain('vase');
    expect(printed).toContain('42');
    expect(printed).not.toContain('lamp');
  });

  it('a failed query ends with its error: awaitTermination rejects, the listener hears it', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(`
      CREATE TABLE src (s STRING) WITH ('connector' = 'memory');
      CREATE TABLE dst (n INT) WITH ('connector' = 'memory');
      INSERT INTO dst SELECT CAST(s AS INT) FROM src;`);
    const events: QueryEvent[] = [];
    q!.addListener((e) => events.push(e));
    engine.input('src').push([{ s: '12' }, { s: 'abc' }]);
    await expect(q!.processAllAvailable()).rejects.toThrow(/abc/);
    await expect(q!.awaitTermination(1000)).rejects.toThrow(/abc/);
    expect(q!.isActive).toBe(false);
    expect(q!.exception?.message).toMatch(/abc/);
    const last = events.at(-1);
    expect(last?.type).toBe('terminated');
    expect(last?.type === 'terminated' && last.exception?.message).toMatch(/abc/);
    await engine.stop();
  });

  it('a new query on the same checkpoint resumes where the stopped one left off', async () => {
    const dir = tempDir();
    const input = path.join(dir, 'in');
    mkdirSync(input);
    const checkpointDir = path.join(dir, 'cp');
    const script = `
      CREATE TABLE bids (item STRING, price INT) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json',
        'source.monitor-interval' = '10 ms');
      CREATE TABLE totals (item STRING, total BIGINT, n BIGINT) WITH ('connector' = 'memory');
      INSERT INTO totals SELECT item, SUM(price), COUNT(*) FROM bids GROUP BY item;`;
    const write = (name: string, rows: object[]): void => writeFileSync(path.join(input, name), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');

    write('1.json', [{ item: 'lamp', price: 10 }, { item: 'desk', price: 1 }]);
    const first = new Engine({ clock: new ManualClock(0), checkpointDir });
    const [q1] = await first.execute(script);
    await q1!.processAllAvailable();
    expect(sorted(first.output('totals').rows())).toEqual([{ item: 'desk', total: 1, n: 1 }, { item: 'lamp', total: 10, n: 1 }]);
    await first.stop();

    write('2.json', [{ item: 'lamp', price: 5 }]);
    const second = new Engine({ clock: new ManualClock(0), checkpointDir });
    const [q2] = await second.execute(script);
    await q2!.processAllAvailable();
    // the state came back from the checkpoint and 1.json was not read again
    expect(second.output('totals').rows()).toEqual([{ item: 'lamp', total: 15, n: 2 }]);
    expect(q2!.lastProgress!.numInputRows).toBe(1);
    expect(q2!.lastProgress!.batchId).toBeGreaterThan(q1!.lastProgress!.batchId);
    await second.stop();
  });
});
