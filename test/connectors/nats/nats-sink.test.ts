/**
 * The nats sink against a real nats-server: rows arrive as messages, a replayed batch is not
 * written twice (inside the duplicate window by the message ids, after it by the batch marks),
 * update mode marks each row's kind; NATS -> query -> NATS across a restart; option errors; an
 * unreachable server is ConnectorUnavailableError, fast.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, WeirError } from '../../../src/index.js';
import { ConnectorUnavailableError, type ConnectorTable, type SinkWriter } from '../../../src/connectors/api.js';
import { rowsToBatch } from '../../../src/common/columns.js';
import { T as Types } from '../../../src/common/types.js';
import { NatsSink } from '../../../src/connectors/nats/sink.js';
import { NatsSource } from '../../../src/connectors/nats/source.js';
import { headers } from '@nats-io/transport-node';
import { freePort } from '../../support/servers/binary.js';
import { natsServerBinary, startNatsServer, type NatsServer } from '../../support/servers/nats.js';
import { newStream, removeTempDirs, tempDir, publish, readAll, testClient, type TestClient } from './nats-helpers.js';

const binary = natsServerBinary();

const schema = { columns: [{ name: 'id', type: Types.INT, nullable: true }, { name: 'name', type: Types.VARCHAR, nullable: true }] };

function table(options: Record<string, string>): ConnectorTable {
  return { name: 't', schema, options: new Map(Object.entries({ connector: 'nats', ...options })), optionSpans: new Map(), partitionedBy: [], primaryKey: [] };
}

function writer(checkpointId: string, pendingBatchId: number | undefined, lastCommittedBatchId: number): SinkWriter {
  return { checkpointId, checkpointDir: '/tmp/x', queryId: 'q', queryName: 'q', lastCommittedBatchId, pendingBatchId };
}

describe.skipIf(!binary)('nats sink', () => {
  let server: NatsServer;
  let client: TestClient;
  beforeAll(async () => {
    server = await startNatsServer(binary!);
    client = await testClient(server.url);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    removeTempDirs();
  });

  it('publishes each row as a JSON message with the batch headers', async () => {
    const { stream, prefix } = await newStream(client);
    const engine = new Engine();
    const [q] = await engine.execute(`
      CREATE TABLE src (id INT, name STRING) WITH ('connector' = 'memory');
      CREATE TABLE dst (id INT, name STRING) WITH ('connector' = 'nats', 'servers' = '${server.url}', 'stream' = '${stream}', 'subject' = '${prefix}.out');
      INSERT INTO dst SELECT id, UPPER(name) FROM src;`);
    await engine.input('src').write([{ id: 1, name: 'a' }, { id: 2, name: 'b' }, { id: 3, name: null }]);
    await q!.processAllAvailable();
    const got = await readAll(client, stream, `${prefix}.out`);
    expect(got.map((m) => JSON.parse(m.text))).toEqual([{ id: 1, name: 'A' }, { id: 2, name: 'B' }, { id: 3, name: null }]);
    expect(new Set(got.map((m) => m.headers['Weir-Batch'])).size).toBe(1);
    expect(got.map((m) => m.headers['Weir-Batch-End'])).toEqual([undefined, undefined, '3']);
    expect(got.every((m) => /:\d+:\d+$/.test(m.headers['Nats-Msg-Id']!))).toBe(true);
    expect(got[0]!.headers['Weir-Row-Kind']).toBeUndefined();
    await engine.stop();
  });

  it('a batch written twice is stored once (duplicate window)', async () => {
    const { stream, prefix } = await newStream(client);
    const sink = new NatsSink(table({ servers: server.url, stream, subject: `${prefix}.out` }));
    await sink.open({ schema, mode: 'append', keyColumns: [], queryName: 'q', writer: writer('ck1', undefined, -1) });
    const data = [rowsToBatch(schema, [{ id: 1, name: 'a' }, { id: 2, name: 'b' }])];
    await sink.write({ batchId: 0, data, kinds: undefined });
    await sink.write({ batchId: 0, data, kinds: undefined });
    await sink.write({ batchId: 1, data: [rowsToBatch(schema, [{ id: 3, name: 'c' }])], kinds: undefined });
    await sink.close();
    expect((await readAll(client, stream, `${prefix}.out`)).map((m) => JSON.parse(m.text).id)).toEqual([1, 2, 3]);
  });

  it('a batch replayed after the duplicate window is skipped when its last message is there; a partial one is written again', async () => {
    const { stream, prefix } = await newStream(client, { duplicateWindowMs: 100 });
    const subject = `${prefix}.out`;
    const data = [rowsToBatch(schema, [{ id: 1, name: 'a' }, { id: 2, name: 'b' }])];
    const run1 = new NatsSink(table({ servers: server.url, stream, subject }));
    await run1.open({ schema, mode: 'append', keyColumns: [], queryName: 'q', writer: writer('ck2', undefined, -1) });
    await run1.write({ batchId: 0, data, kinds: undefined });
    await run1.close();
    await new Promise((r) => setTimeout(r, 300));
    // the crash came before commits/0: the next run delivers batch 0 again
    const run2 = new NatsSink(table({ servers: server.url, stream, subject }));
    await run2.open({ schema, mode: 'append', keyColumns: [], queryName: 'q', writer: writer('ck2', 0, -1) });
    await run2.write({ batchId: 0, data, kinds: undefined });
    await run2.write({ batchId: 1, data: [rowsToBatch(schema, [{ id: 3, name: 'c' }])], kinds: undefined });
    await run2.close();
    expect((await readAll(client, stream, subject)).map((m) => JSON.parse(m.text).id)).toEqual([1, 2, 3]);

    // another checkpoint's batch 1 is not this one's: written
    const other = new NatsSink(table({ servers: server.url, stream, subject }));
    await other.open({ schema, mode: 'append', keyColumns: [], queryName: 'q', writer: writer('ck3', 1, 0) });
    await other.write({ batchId: 1, data: [rowsToBatch(schema, [{ id: 4, name: 'd' }])], kinds: undefined });
    await other.close();
    expect((await readAll(client, stream, subject)).map((m) => JSON.parse(m.text).id)).toEqual([1, 2, 3, 4]);

    // a batch cut off before its end mark (row 0 of 2 stored, then the crash) is written whole again:
    // not lost; outside the duplicate window its first row appears twice (the documented limit)
    const h = headers();
    h.set('Weir-Batch', 'ck4:0');
    await client.js.publish(subject, JSON.stringify({ id: 5, name: 'e' }), { msgID: 'ck4:0:0', headers: h });
    await new Promise((r) => setTimeout(r, 300));
    const run3 = new NatsSink(table({ servers: server.url, stream, subject }));
    await run3.open({ schema, mode: 'append', keyColumns: [], queryName: 'q', writer: writer('ck4', 0, -1) });
    await run3.write({ batchId: 0, data: [rowsToBatch(schema, [{ id: 5, name: 'e' }, { id: 6, name: 'f' }])], kinds: undefined });
    await run3.close();
    expect((await readAll(client, stream, subject)).map((m) => JSON.parse(m.text).id)).toEqual([1, 2, 3, 4, 5, 5, 6]);
  });

  it("update mode: each message says its row kind in 'Weir-Row-Kind'", async () => {
    const { stream, prefix } = await newStream(client);
    const engine = new Engine({ settings: { 'output-mode': 'update' } });
    const [q] = await engine.execute(`
      CREATE TABLE src (k STRING) WITH ('connector' = 'memory');
      CREATE TABLE dst (k STRING, n BIGINT) WITH ('connector' = 'nats', 'servers' = '${server.url}', 'stream' = '${stream}', 'subject' = '${prefix}.agg');
      INSERT INTO dst SELECT k, COUNT(*) FROM src GROUP BY k;`);
    await engine.input('src').write([{ k: 'a' }, { k: 'b' }]);
    await q!.processAllAvailable();
    await engine.input('src').write([{ k: 'a' }]);
    await q!.processAllAvailable();
    const got = (await readAll(client, stream, `${prefix}.agg`)).map((m) => [m.headers['Weir-Row-Kind'], JSON.parse(m.text)]);
    expect(got).toEqual([['+I', { k: 'a', n: 1 }], ['+I', { k: 'b', n: 1 }], ['-U', { k: 'a', n: 1 }], ['+U', { k: 'a', n: 2 }]]);
    await engine.stop();
  });

  it('NATS -> query -> NATS: every input message once in the output, across a restart from the checkpoint', async () => {
    const { stream, prefix } = await newStream(client);
    const checkpointDir = tempDir('weir-nats-ckpt-');
    const sql = `
      CREATE TABLE src (id INT, name STRING) WITH ('connector' = 'nats', 'servers' = '${server.url}', 'stream' = '${stream}', 'subject' = '${prefix}.in');
      CREATE TABLE dst (id INT, twice INT) WITH ('connector' = 'nats', 'servers' = '${server.url}', 'stream' = '${stream}', 'subject' = '${prefix}.out');
      INSERT INTO dst SELECT id, id * 2 FROM src WHERE id % 5 <> 0;`;
    const input = (from: number, to: number): object[] => Array.from({ length: to - from + 1 }, (_, i) => ({ id: from + i, name: 'x' }));
    await publish(client, `${prefix}.in`, input(1, 30));
    const first = new Engine({ checkpointDir });
    const [q1] = await first.execute(sql);
    await q1!.processAllAvailable();
    await first.stop();
    await publish(client, `${prefix}.in`, input(31, 60));
    const second = new Engine({ checkpointDir });
    const [q2] = await second.execute(sql);
    await q2!.processAllAvailable();
    await second.stop();
    const out = (await readAll(client, stream, `${prefix}.out`)).map((m) => JSON.parse(m.text) as { id: number; twice: number });
    const want = input(1, 60).map((r) => (r as { id: number }).id).filter((id) => id % 5 !== 0);
    expect(out.map((r) => r.id)).toEqual(want);
    expect(out.every((r) => r.twice === r.id * 2)).toBe(true);
  });

  it('option errors name what was expected, at the option', async () => {
    const run = async (options: string, columns = 'id INT, name STRING'): Promise<string> => {
      try {
        await new Engine().execute(`
          CREATE TABLE s (${columns}) WITH ('connector' = 'nats', ${options});
          CREATE TABLE o (${columns}) WITH ('connector' = 'memory');
          INSERT INTO o SELECT * FROM s;`);
      } catch (e) {
        expect(e).toBeInstanceOf(WeirError);
        expect((e as WeirError).code).toBe('OPTION');
        // at the option (or, for a missing one, the connector option): FILE:LINE:COLUMN for the user
        expect((e as WeirError).span).toBeDefined();
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    const base = `'servers' = '${server.url}', 'stream' = 'S'`;
    expect(await run(`${base}, 'subjct' = 'a'`)).toMatch(/unknown option 'subjct'.*did you mean 'subject'/);
    expect(await run(`${base}, 'scan.startup.mod' = 'latest'`)).toMatch(/did you mean 'scan.startup.mode'/);
    expect(await run(`${base}, 'scan.startup.mode' = 'newest'`)).toMatch(/must be 'earliest', 'latest' or 'sequence', got 'newest'/);
    expect(await run(`${base}, 'scan.startup.mode' = 'sequence'`)).toMatch(/needs the option 'scan.startup.sequence'/);
    expect(await run(`${base}, 'scan.startup.sequence' = '5'`)).toMatch(/applies only with 'scan.startup.mode' = 'sequence'/);
    expect(await run(`${base}, 'scan.max-rows-per-trigger' = '0'`)).toMatch(/positive whole number, got '0'/);
    expect(await run(`'stream' = 'S'`)).toMatch(/needs the option 'servers'/);
    expect(await run(`'servers' = 'http://localhost:4222', 'stream' = 'S'`)).toMatch(/expected 'nats:\/\/host:port'/);
    expect(await run(`'servers' = '${server.url}'`)).toMatch(/needs the option 'stream'/);
    expect(await run(`${base}, 'format' = 'parquet'`)).toMatch(/'json', 'csv' and 'raw', got 'parquet'/);
    expect(await run(`${base}, 'format' = 'raw'`)).toMatch(/format 'raw' needs a table of one STRING column/);
    expect(await run(`${base}, 'subject' = 'a..b'`)).toMatch(/is not a NATS subject/);
    // the sink: one subject, no wildcard, no scan options
    const sinkErr = async (options: string): Promise<string> => {
      try {
        await new Engine().execute(`
          CREATE TABLE m (id INT) WITH ('connector' = 'memory');
          CREATE TABLE d (id INT) WITH ('connector' = 'nats', ${options});
          INSERT INTO d SELECT id FROM m;`);
      } catch (e) {
        expect((e as WeirError).code).toBe('OPTION');
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(await sinkErr(`${base}, 'subject' = 'a.>'`)).toMatch(/publishes to one subject: 'a.>' has a wildcard/);
    expect(await sinkErr(`${base}`)).toMatch(/needs the option 'subject'/);
    expect(await sinkErr(`${base}, 'subject' = 'a', 'scan.startup.mode' = 'latest'`)).toMatch(/applies to a nats source only/);
  });

  it('an unreachable server is ConnectorUnavailableError within a few seconds', async () => {
    const port = await freePort();
    const source = new NatsSource(table({ servers: `nats://127.0.0.1:${port}`, stream: 'S', subject: 'a' }));
    const t0 = Date.now();
    await expect(source.latestOffset(undefined)).rejects.toBeInstanceOf(ConnectorUnavailableError);
    expect(Date.now() - t0).toBeLessThan(5000);
    await source.close();
  });
});
