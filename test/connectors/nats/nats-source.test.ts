/**
 * The nats source against a real nats-server with JetStream: the start modes, the per-trigger cap,
 * a malformed message rejected and counted, and a restart from the checkpoint reading on with
 * nothing lost or doubled.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/index.js';
import { natsServerBinary, startNatsServer, type NatsServer } from '../../support/servers/nats.js';
import { newStream, removeTempDirs, tempDir, publish, testClient, type TestClient } from './nats-helpers.js';

const binary = natsServerBinary();

describe.skipIf(!binary)('nats source', () => {
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

  const ddl = (stream: string, subject: string, extra = ''): string => `
    CREATE TABLE src (id INT, name STRING) WITH ('connector' = 'nats', 'servers' = '${server.url}',
      'stream' = '${stream}', 'subject' = '${subject}', 'format' = 'json'${extra});
    CREATE TABLE out (id INT, name STRING) WITH ('connector' = 'memory');
    INSERT INTO out SELECT id, name FROM src;`;

  const ids = (engine: Engine): number[] => engine.output('out').rows().map((r) => r.id as number).sort((a, b) => a - b);
  const rows = (from: number, to: number): object[] => Array.from({ length: to - from + 1 }, (_, i) => ({ id: from + i, name: `n${from + i}` }));

  it("'earliest' reads the subject's messages from the first, then what comes later; other subjects are left out", async () => {
    const { stream, prefix } = await newStream(client);
    await publish(client, `${prefix}.a`, rows(1, 3));
    await publish(client, `${prefix}.other`, [{ id: 100, name: 'x' }]);
    await publish(client, `${prefix}.b`, rows(4, 5));
    const engine = new Engine();
    const [q] = await engine.execute(ddl(stream, `${prefix}.a`));
    await q!.processAllAvailable();
    expect(ids(engine)).toEqual([1, 2, 3]);
    await publish(client, `${prefix}.a`, rows(6, 7));
    await q!.processAllAvailable();
    expect(ids(engine)).toEqual([1, 2, 3, 6, 7]);
    expect(engine.output('out').rows().find((r) => r.id === 6)).toEqual({ id: 6, name: 'n6' });
    await engine.stop();
  });

  it('a wildcard subject reads every matching subject in stream order', async () => {
    const { stream, prefix } = await newStream(client);
    await publish(client, `${prefix}.a`, rows(1, 2));
    await publish(client, `${prefix}.b`, rows(3, 4));
    const engine = new Engine();
    const [q] = await engine.execute(ddl(stream, `${prefix}.*`));
    await q!.processAllAvailable();
    expect(engine.output('out').rows().map((r) => r.id)).toEqual([1, 2, 3, 4]);
    await engine.stop();
  });

  it("'latest' starts after the messages present when the query starts", async () => {
    const { stream, prefix } = await newStream(client);
    await publish(client, `${prefix}.a`, rows(1, 3));
    const engine = new Engine();
    const [q] = await engine.execute(ddl(stream, `${prefix}.a`, ", 'scan.startup.mode' = 'latest'"));
    await q!.processAllAvailable();
    expect(ids(engine)).toEqual([]);
    await publish(client, `${prefix}.a`, rows(4, 5));
    await q!.processAllAvailable();
    expect(ids(engine)).toEqual([4, 5]);
    await engine.stop();
  });

  it("'sequence' starts at scan.startup.sequence (inclusive)", async () => {
    const { stream, prefix } = await newStream(client);
    const seqs = await publish(client, `${prefix}.a`, rows(1, 6));
    const engine = new Engine();
    const [q] = await engine.execute(ddl(stream, `${prefix}.a`, `, 'scan.startup.mode' = 'sequence', 'scan.startup.sequence' = '${seqs[3]}'`));
    await q!.processAllAvailable();
    expect(ids(engine)).toEqual([4, 5, 6]);
    await engine.stop();
  });

  it('scan.max-rows-per-trigger caps each batch', async () => {
    const { stream, prefix } = await newStream(client);
    await publish(client, `${prefix}.a`, rows(1, 7));
    const engine = new Engine();
    const [q] = await engine.execute(ddl(stream, `${prefix}.a`, ", 'scan.max-rows-per-trigger' = '3'"));
    await q!.processAllAvailable();
    expect(ids(engine)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const perBatch = q!.recentProgress.map((p) => p.numInputRows).filter((n) => n > 0);
    expect(perBatch).toEqual([3, 3, 1]);
    await engine.stop();
  });

  it('a malformed message is rejected with its stream sequence and counted; the others are read', async () => {
    const { stream, prefix } = await newStream(client);
    const rejectedDir = tempDir('weir-nats-rej-');
    const seqs = await publish(client, `${prefix}.a`, [{ id: 1, name: 'a' }, '{"id": 2, "name": ', { id: 'three' }, '[1]', { id: 4, name: 'd' }]);
    const engine = new Engine({ settings: { 'rejected-records.path': rejectedDir } });
    const [q] = await engine.execute(ddl(stream, `${prefix}.a`));
    await q!.processAllAvailable();
    expect(ids(engine)).toEqual([1, 4]);
    expect(q!.recentProgress.reduce((n, p) => n + p.numRejectedRows, 0)).toBe(3);
    const rejected = readdirSync(rejectedDir).flatMap((f) =>
      readFileSync(path.join(rejectedDir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { origin: string; reason: string; raw: string }));
    expect(rejected.map((r) => r.origin)).toEqual([seqs[1], seqs[2], seqs[3]].map((s) => `nats[${stream}]:${s}`));
    expect(rejected[0]!.reason).toMatch(/^invalid JSON/);
    expect(rejected[1]!.reason).toMatch(/column 'id'/);
    expect(rejected[2]!.reason).toBe('not a JSON object');
    expect(rejected[0]!.raw).toBe('{"id": 2, "name": ');
    await engine.stop();
  });

  it("format 'raw' gives the payload as text; 'csv' reads one record a message", async () => {
    const { stream, prefix } = await newStream(client);
    await publish(client, `${prefix}.raw`, ['hello', 'wörld {not json}']);
    await publish(client, `${prefix}.csv`, ['1,a', '2,"b,c"', 'x,y']);
    const engine = new Engine();
    const [q1, q2] = await engine.execute(`
      CREATE TABLE r (line STRING) WITH ('connector' = 'nats', 'servers' = '${server.url}', 'stream' = '${stream}',
        'subject' = '${prefix}.raw', 'format' = 'raw');
      CREATE TABLE c (id INT, name STRING) WITH ('connector' = 'nats', 'servers' = '${server.url}', 'stream' = '${stream}',
        'subject' = '${prefix}.csv', 'format' = 'csv');
      CREATE TABLE ro (line STRING) WITH ('connector' = 'memory');
      CREATE TABLE co (id INT, name STRING) WITH ('connector' = 'memory');
      INSERT INTO ro SELECT line FROM r;
      INSERT INTO co SELECT id, name FROM c;`);
    await q1!.processAllAvailable();
    await q2!.processAllAvailable();
    expect(engine.output('ro').rows()).toEqual([{ line: 'hello' }, { line: 'wörld {not json}' }]);
    expect(engine.output('co').rows()).toEqual([{ id: 1, name: 'a' }, { id: 2, name: 'b,c' }]);
    expect(q2!.recentProgress.reduce((n, p) => n + p.numRejectedRows, 0)).toBe(1);
    await engine.stop();
  });

  it('reads many messages in pulls (more than one pull per batch)', async () => {
    const { stream, prefix } = await newStream(client);
    const n = 10_000;
    await publish(client, `${prefix}.a`, rows(1, n));
    const engine = new Engine();
    const [q] = await engine.execute(ddl(stream, `${prefix}.a`));
    await q!.processAllAvailable();
    const got = ids(engine);
    expect(got.length).toBe(n);
    expect(new Set(got).size).toBe(n);
    await engine.stop();
  });

  it('a restart from the checkpoint reads on from the stored offset: nothing lost, nothing doubled', async () => {
    const { stream, prefix } = await newStream(client);
    const checkpointDir = tempDir('weir-nats-ckpt-');
    await publish(client, `${prefix}.a`, rows(1, 4));
    const sql = ddl(stream, `${prefix}.a`, ", 'scan.startup.mode' = 'latest'");
    // 'latest' at first start: 1..4 are before it; the restart must not move the start to "now"
    const first = new Engine({ checkpointDir });
    const [q1] = await first.execute(sql);
    await q1!.processAllAvailable();
    await publish(client, `${prefix}.a`, rows(5, 8));
    await q1!.processAllAvailable();
    expect(ids(first)).toEqual([5, 6, 7, 8]);
    await first.stop();

    await publish(client, `${prefix}.a`, rows(9, 12));
    const second = new Engine({ checkpointDir });
    const [q2] = await second.execute(sql);
    await q2!.processAllAvailable();
    expect(ids(second)).toEqual([9, 10, 11, 12]);
    await second.stop();
  });
});
