/**
 * A server that goes away: the query waits for it with backoff (status, listeners and the batch's
 * progress say so) and carries on with nothing lost or doubled when it is back; after the retry
 * limit the query fails with an error naming the server. Only ConnectorUnavailableError is retried.
 */
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ConnectorUnavailableError, Engine, ManualClock, type QueryEvent, type Source } from '../../src/index.js';
import { ConnectorRetrier } from '../../src/executor/streaming/connector-retry.js';

const LOG = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/** A source of LOG two values a batch, and a sink collecting what it is given, each failing as `fail` says. */
function flaky(engine: Engine, fail: { read: number; write: number; prepare?: number; error?: () => Error }) {
  const written: number[] = [];
  const writes: number[] = [];
  const down = (): Error => fail.error?.() ?? new ConnectorUnavailableError('flaky[127.0.0.1:1]', 'connect ECONNREFUSED 127.0.0.1:1');
  engine.registerConnector('flaky', {
    createSource: (table): Source => ({
      schema: table.schema,
      description: 'flaky',
      bounded: true,
      latestOffset: async (start) => Math.min(Number(start ?? 0) + 2, LOG.length),
      read: async (start, end) => {
        if (fail.read > 0) { fail.read--; throw down(); }
        const xs = LOG.slice(Number(start ?? 0), Number(end));
        return { batches: [arrow.tableFromArrays({ x: Float64Array.from(xs) }).batches[0]!], rejected: [] };
      },
      isExhausted: (offset) => Number(offset ?? 0) >= LOG.length,
      prepareForAvailableNow: async () => {
        if ((fail.prepare ?? 0) > 0) { fail.prepare!--; throw down(); }
      },
      close: async () => {},
    }),
    createSink: () => ({
      description: 'flaky sink',
      open: async () => {},
      write: async (b) => {
        if (fail.write > 0) { fail.write--; throw down(); }
        writes.push(b.batchId);
        for (const r of b.data) for (const row of r.toArray()) written.push(Number(row.toJSON()['y']));
      },
      close: async () => {},
    }),
  });
  return { written, writes };
}

const SQL = (settings: string) => `${settings}
  CREATE TABLE src (x DOUBLE) WITH ('connector' = 'flaky');
  CREATE TABLE dst (y DOUBLE) WITH ('connector' = 'flaky');
  INSERT INTO dst SELECT x * 10 FROM src;`;

describe('connector retry', () => {
  it('waits for a source and a sink that are away, then delivers every row once', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const out = flaky(engine, { read: 3, write: 2 });
    const events: QueryEvent[] = [];
    const [q] = await engine.execute(SQL(`SET 'connector.retry.initial-backoff' = '5 ms'; SET 'connector.retry.max-backoff' = '20 ms';`));
    q!.addListener((e) => events.push(e));
    await q!.awaitTermination(10_000);
    expect(out.written).toEqual(LOG.map((x) => x * 10));
    // five batches of two values, and the final flush (nothing left to emit)
    expect(out.writes).toEqual([0, 1, 2, 3, 4, 5]);
    const retries = events.flatMap((e) => (e.type === 'retrying' ? [e.retry] : []));
    expect(retries.map((r) => `${r.operation} ${r.attempt}`)).toEqual(['read 1', 'read 2', 'read 3', 'write 1', 'write 2']);
    expect(retries[0]!.target).toBe('flaky[127.0.0.1:1]');
    expect(retries[0]!.lastError).toMatch(/ECONNREFUSED/);
    // backoff doubles up to its maximum
    expect(retries.slice(0, 3).map((r) => r.nextAttemptInMs)).toEqual([5, 10, 20]);
    // the first batch's progress records its waits
    const first = q!.recentProgress[0]!;
    expect(first.connectorRetries?.map((r) => `${r.operation} ${r.attempts}`)).toEqual(['read 3', 'write 2']);
    expect(q!.recentProgress.slice(1).every((p) => p.connectorRetries === undefined)).toBe(true);
    await engine.stop();
  });

  it('waits for a server that is away when an available-now query starts', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const fail = { read: 0, write: 0, prepare: 2 };
    const out = flaky(engine, fail);
    const [q] = await engine.execute(SQL(`SET 'connector.retry.initial-backoff' = '5 ms'; SET 'trigger' = 'available-now';`));
    await q!.awaitTermination(10_000);
    expect(fail.prepare).toBe(0);
    expect(out.written).toEqual(LOG.map((x) => x * 10));
    await engine.stop();
  });

  it('shows the wait in the query status while the server is away', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    flaky(engine, { read: 1000, write: 0 });
    const [q] = await engine.execute(SQL(`SET 'connector.retry.initial-backoff' = '10 ms'; SET 'connector.retry.timeout' = '30 s';`));
    await new Promise<void>((resolve) => q!.addListener((e) => { if (e.type === 'retrying' && e.retry.attempt >= 2) resolve(); }));
    expect(q!.status.isTriggerActive).toBe(true);
    expect(q!.status.waitingFor?.target).toBe('flaky[127.0.0.1:1]');
    expect(q!.status.message).toMatch(/^Waiting for flaky\[127\.0\.0\.1:1\] to come back \(read: connect ECONNREFUSED/);
    // stopping does not wait out the retry limit, and is not a failure
    const t0 = Date.now();
    await engine.stop();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(q!.exception).toBeUndefined();
    expect(q!.status.message).toBe('Stopped');
  });

  it('fails the query after the retry limit, naming the server and the last error', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    flaky(engine, { read: 1_000_000, write: 0 });
    const [q] = await engine.execute(SQL(`SET 'connector.retry.timeout' = '150 ms'; SET 'connector.retry.initial-backoff' = '10 ms';`));
    await expect(q!.awaitTermination(10_000)).rejects.toThrow(
      /^flaky\[127\.0\.0\.1:1\] could not be reached for \d+ ms \(\d+ attempts to read\); last error: connect ECONNREFUSED 127\.0\.0\.1:1\. .*SET 'connector\.retry\.timeout'/);
    expect(q!.status.message).toMatch(/^Failed: flaky/);
    await engine.stop();
  });

  it('does not retry other errors', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const fail = { read: 1, write: 0, error: () => new Error('table does not exist') };
    flaky(engine, fail);
    const [q] = await engine.execute(SQL(''));
    await expect(q!.awaitTermination(10_000)).rejects.toThrow(/table does not exist/);
    expect(fail.read).toBe(0);
    await engine.stop();
  });

  it('refuses a retry setting that is not a duration', async () => {
    const engine = new Engine();
    flaky(engine, { read: 0, write: 0 });
    await expect(engine.execute(SQL(`SET 'connector.retry.timeout' = 'soon';`)))
      .rejects.toThrow(/SET 'connector.retry.timeout' = 'soon': expected a duration such as '30 s'/);
    await engine.stop();
  });

  it('gives up at the timeout even when the backoff would wait past it', async () => {
    const waits: number[] = [];
    let clock = 0;
    const r = new ConnectorRetrier({ initialBackoffMs: 400, maxBackoffMs: 10_000, timeoutMs: 1000 }, async (ms) => { waits.push(ms); clock += ms; }, () => clock);
    await expect(r.call('read', async () => { throw new ConnectorUnavailableError('x', 'down'); })).rejects.toThrow(/x could not be reached for 1\.0 s \(3 attempts to read\)/);
    // 400, then 600 (not 800: the limit is 1000 ms after the first failure)
    expect(waits).toEqual([400, 600]);
  });
});
