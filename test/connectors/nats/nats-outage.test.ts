/**
 * The nats-server stopped and started again while a NATS -> query -> NATS query runs: the query
 * waits for it (the execution's retry loop, status says what it waits for) and carries on once it
 * is back, with every input message once in the output. The JetStream file store keeps the
 * streams across the restart, as a production broker's does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { Engine, type QueryEvent } from '../../../src/index.js';
import { waitUntil } from '../../support/servers/binary.js';
import { natsServerBinary, startNatsServer, type NatsServer } from '../../support/servers/nats.js';
import { newStream, removeTempDirs, tempDir, publish, readAll, testClient, type TestClient } from './nats-helpers.js';

const binary = natsServerBinary();

describe.skipIf(!binary)('nats server outage', () => {
  let server: NatsServer;
  let client: TestClient;
  beforeAll(async () => {
    server = await startNatsServer(binary!);
    client = await testClient(server.url);
  });
  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await server?.stop();
    removeTempDirs();
  });

  it('a query waits while the server is down and goes on when it is back: nothing lost, nothing doubled', async () => {
    const { stream, prefix } = await newStream(client);
    const checkpointDir = tempDir('weir-nats-outage-');
    const input = (from: number, to: number): object[] => Array.from({ length: to - from + 1 }, (_, i) => ({ id: from + i }));
    await publish(client, `${prefix}.in`, input(1, 20));
    const engine = new Engine({ checkpointDir });
    const [q] = await engine.execute(`
      SET 'connector.retry.timeout' = '30 s';
      SET 'connector.retry.max-backoff' = '200 ms';
      CREATE TABLE src (id INT) WITH ('connector' = 'nats', 'servers' = '${server.url}', 'stream' = '${stream}', 'subject' = '${prefix}.in');
      CREATE TABLE dst (id INT) WITH ('connector' = 'nats', 'servers' = '${server.url}', 'stream' = '${stream}', 'subject' = '${prefix}.out');
      INSERT INTO dst SELECT id FROM src;`);
    const events: QueryEvent[] = [];
    q!.addListener((e) => events.push(e));
    await q!.processAllAvailable();

    await server.stopOnly();
    // the query notices: it waits for the server instead of failing
    await waitUntil('the query waiting for nats', async () => q!.status.waitingFor !== undefined, 15_000);
    expect(q!.status.waitingFor!.target).toBe(`nats[127.0.0.1:${server.port}]`);
    expect(q!.isActive).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    await server.startAgain();

    // the test's own client reconnects by itself; publish once JetStream answers again (polled with a
    // short timeout: a request sent before the reconnect must not hold the poll for long)
    const poll = await jetstreamManager(client.nc, { timeout: 1000, checkAPI: false });
    await waitUntil('JetStream back', async () => (await poll.streams.info(stream)).state.messages >= 20, 20_000);
    await publish(client, `${prefix}.in`, input(21, 40));
    await waitUntil('the query caught up', async () => (await readAll(client, stream, `${prefix}.out`)).length >= 40, 20_000);
    await q!.processAllAvailable();
    expect(q!.exception).toBeUndefined();
    expect(events.some((e) => e.type === 'retrying')).toBe(true);
    const out = (await readAll(client, stream, `${prefix}.out`)).map((m) => (JSON.parse(m.text) as { id: number }).id);
    expect(out).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    await engine.stop();
  });
});
