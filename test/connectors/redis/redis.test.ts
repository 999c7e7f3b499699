/**
 * The redis connector against a real redis-server (Debian's, started on a free loopback port):
 * entries read as rows (fields by name, or JSON in `value`), the start modes, the per-trigger cap,
 * malformed entries kept aside, restarts that read on from the checkpoint, a sink that writes each
 * batch once (a replayed batch is skipped), update-mode kinds, option errors, and a server stopped
 * and started again while a query runs.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Engine, ManualClock, type QueryEvent } from '../../../src/index.js';
import { redisConnector } from '../../../src/connectors/redis/index.js';
import { markKey } from '../../../src/connectors/redis/sink.js';
import type { ConnectorTable } from '../../../src/connectors/api.js';
import { rowsToBatch } from '../../../src/common/columns.js';
import { T } from '../../../src/common/types.js';
import { removeTempDirs, tempDir } from '../../support/recovery.js';
import { redisServerBinary, startRedisServer, type RedisServer } from '../../support/servers/redis.js';

const binary = redisServerBinary();

describe.skipIf(!binary)('redis connector', () => {
  let server: RedisServer;
  let client: Redis;
  let n = 0;
  let stream = '';
  beforeAll(async () => {
    server = await startRedisServer(binary!);
    const { Redis } = await import('ioredis');
    client = new Redis(server.url, { maxRetriesPerRequest: 1 });
  }, 30_000);
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
    removeTempDirs();
  });
  beforeEach(() => { stream = `s${n++}`; });

  const add = async (s: string, rows: Record<string, string>[]): Promise<string[]> => {
    const ids: string[] = [];
    for (const r of rows) ids.push((await client.xadd(s, '*', ...Object.entries(r).flat()))!);
    return ids;
  };
  const source = (extra = '') => `CREATE TABLE src (k STRING, v INT, ts TIMESTAMP(3)) WITH (
    'connector' = 'redis', 'url' = '${server.url}', 'stream' = '${stream}'${extra});
    CREATE TABLE out (k STRING, v INT, ts TIMESTAMP(3)) WITH ('connector' = 'memory');
    INSERT INTO out SELECT * FROM src;`;
  const rowsOf = (engine: Engine) => engine.output('out').rows().map((r) => `${String(r.k)}=${String(r.v)}`);

  it('reads entries as rows, fields by name, and keeps a malformed entry aside', async () => {
    await add(stream, [{ k: 'a', v: '1', ts: '2024-01-01 00:00:01' }, { K: 'b', v: '2', extra: 'x' }, { k: 'c', v: 'three' }, { k: 'd', v: '4' }]);
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(source());
    await q!.processAllAvailable();
    expect(rowsOf(engine)).toEqual(['a=1', 'b=2', 'd=4']);
    expect(engine.output('out').rows()[0]!.ts).toBe(Date.UTC(2024, 0, 1, 0, 0, 1));
    const p = q!.recentProgress;
    expect(p.reduce((s, x) => s + x.numRejectedRows, 0)).toBe(1);
    expect(p[0]!.sources[0]!.description).toBe(`redis[127.0.0.1:${server.port}/${stream}]`);
    await engine.stop();
  });

  it("reads a JSON row from the field 'value' with 'format' = 'json'", async () => {
    await add(stream, [{ value: '{"k": "a", "v": 7}' }, { value: '{"k": ' }, { other: '1' }, { value: '{"k": "b", "v": 8, "ts": 1000}' }]);
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(source(", 'format' = 'json'"));
    await q!.processAllAvailable();
    expect(rowsOf(engine)).toEqual(['a=7', 'b=8']);
    expect(q!.recentProgress.reduce((s, x) => s + x.numRejectedRows, 0)).toBe(2);
    await engine.stop();
  });

  it("starts at the earliest entry, at the end ('latest'), or at an id, and caps rows per trigger", async () => {
    const ids = await add(stream, Array.from({ length: 25 }, (_, i) => ({ k: `k${i}`, v: String(i) })));
    const run = async (extra: string, more: () => Promise<unknown> = async () => undefined) => {
      const engine = new Engine({ clock: new ManualClock(0) });
      const [q] = await engine.execute(source(extra));
      await q!.processAllAvailable();
      await more();
      await q!.processAllAvailable();
      const out = { rows: rowsOf(engine), batches: q!.recentProgress.filter((p) => p.numInputRows > 0).length };
      await engine.stop();
      return out;
    };
    const capped = await run(", 'scan.max-rows-per-trigger' = '10'");
    expect(capped.rows).toHaveLength(25);
    expect(capped.batches).toBe(3);
    expect((await run(`, 'scan.startup.mode' = 'id', 'scan.startup.id' = '${ids[20]}'`)).rows).toEqual(['k20=20', 'k21=21', 'k22=22', 'k23=23', 'k24=24']);
    const latest = await run(", 'scan.startup.mode' = 'latest'", () => add(stream, [{ k: 'new', v: '99' }]));
    expect(latest.rows).toEqual(['new=99']);
  });

  it('resumes from the checkpoint: a restart reads only what came after the last batch', async () => {
    const dir = tempDir('redis-restart-');
    await add(stream, [{ k: 'a', v: '1' }, { k: 'b', v: '2' }]);
    const first = new Engine({ clock: new ManualClock(0), checkpointDir: dir });
    const [q1] = await first.execute(source(", 'scan.max-rows-per-trigger' = '1'"));
    await q1!.processAllAvailable();
    await first.stop();
    expect(rowsOf(first)).toEqual(['a=1', 'b=2']);
    await add(stream, [{ k: 'c', v: '3' }]);
    const second = new Engine({ clock: new ManualClock(0), checkpointDir: dir });
    const [q2] = await second.execute(source(", 'scan.max-rows-per-trigger' = '1'"));
    await q2!.processAllAvailable();
    expect(rowsOf(second)).toEqual(['c=3']);
    await second.stop();
  });

  describe('sink', () => {
    const table = (columns: ConnectorTable['schema']['columns'], extra: Record<string, string> = {}): ConnectorTable => ({
      name: 'dst', schema: { columns }, partitionedBy: [], primaryKey: [], optionSpans: new Map(),
      options: new Map(Object.entries({ connector: 'redis', url: server.url, stream, ...extra })),
    });
    const cols = [{ name: 'k', type: T.VARCHAR, nullable: true }, { name: 'n', type: T.BIGINT, nullable: true }];
    const entries = async () => (await client.xrange(stream, '-', '+')).map(([, f]) => f.join(' '));

    it('writes a batch once: a batch id written before is skipped, in one transaction with its mark', async () => {
      const sink = redisConnector.createSink!(table(cols), { clock: { now: () => 0 }, baseDir: '.' });
      const writer = { checkpointId: 'ck1', checkpointDir: undefined, queryId: 'q', queryName: 'q', lastCommittedBatchId: -1, pendingBatchId: undefined };
      await sink.open({ schema: { columns: cols }, mode: 'append', keyColumns: [], queryName: 'q', writer });
      const batch = (id: number, rows: Record<string, unknown>[]) => ({ batchId: id, data: [rowsToBatch({ columns: cols }, rows)], kinds: undefined });
      await sink.write(batch(0, [{ k: 'a', n: 1 }, { k: 'b', n: 2n ** 60n }]));
      await sink.write(batch(0, [{ k: 'a', n: 1 }, { k: 'b', n: 2n ** 60n }])); // the replay after a crash
      await sink.write(batch(1, [{ k: null, n: 3 }]));
      await sink.write(batch(0, [{ k: 'zzz', n: 0 }]));
      await sink.close();
      expect(await entries()).toEqual(['k a n 1', `k b n ${2n ** 60n}`, 'n 3']);
      expect(await client.hget(markKey(stream), 'ck1')).toBe('1');
    });

    it("marks each row's kind in update mode, and runs Redis -> window -> Redis", async () => {
      const input = `${stream}_in`;
      const t0 = Date.UTC(2024, 0, 1);
      await add(input, [
        { user: 'u', ts: String(t0 + 1000) }, { user: 'u', ts: String(t0 + 2000) }, { user: 'w', ts: String(t0 + 3000) }, { user: 'u', ts: String(t0 + 12_000) },
      ].map((r) => ({ user: r.user, ts: new Date(Number(r.ts)).toISOString() })));
      const engine = new Engine({ clock: new ManualClock(0) });
      const [windows, totals] = await engine.execute(`
        CREATE TABLE clicks (\`user\` STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'redis', 'url' = '${server.url}', 'stream' = '${input}');
        CREATE TABLE per_window (\`user\` STRING, window_start TIMESTAMP(3), n BIGINT) WITH ('connector' = 'redis', 'url' = '${server.url}', 'stream' = '${stream}');
        CREATE TABLE totals (\`user\` STRING, n BIGINT) WITH ('connector' = 'redis', 'url' = '${server.url}', 'stream' = '${stream}_totals', 'format' = 'json');
        INSERT INTO per_window SELECT \`user\`, window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY \`user\`, window_start, window_end;
        SET 'output-mode' = 'update';
        INSERT INTO totals SELECT \`user\`, COUNT(*) FROM clicks GROUP BY \`user\`;`);
      await windows!.processAllAvailable();
      await totals!.processAllAvailable();
      await engine.stop();
      expect(await entries()).toEqual(['user u window_start 2024-01-01 00:00:00.000 n 2', 'user w window_start 2024-01-01 00:00:00.000 n 1']);
      const changes = (await client.xrange(`${stream}_totals`, '-', '+')).map(([, f]) => f.join(' '));
      expect(changes).toEqual([
        'value {"user":"u","n":3} _op +I', 'value {"user":"w","n":1} _op +I',
      ]);
    });
  });

  it('refuses bad options, naming the option and what was expected', async () => {
    const engine = new Engine();
    const bad = async (options: string, sink = false) => {
      const ddl = `CREATE TABLE t (k STRING, _op STRING) WITH ('connector' = 'redis', ${options});`;
      const use = sink ? 'CREATE TABLE m (k STRING, _op STRING) WITH (\'connector\' = \'memory\'); INSERT INTO t SELECT * FROM m;'
        : 'CREATE TABLE m (k STRING, _op STRING) WITH (\'connector\' = \'memory\'); INSERT INTO m SELECT * FROM t;';
      const e = new Engine();
      try {
        return await e.execute(`${ddl}\n${use}`).then(() => 'accepted', (err: Error) => err.message);
      } finally {
        await e.stop();
      }
    };
    expect(await bad(`'url' = '${server.url}', 'strem' = 'x'`)).toMatch(/unknown option 'strem' for connector 'redis' \(did you mean 'stream'\?\)/);
    expect(await bad(`'url' = 'http://127.0.0.1:1', 'stream' = 'x'`)).toMatch(/url 'http:\/\/127.0.0.1:1' has the scheme 'http:\/\/': expected 'redis:\/\/host:port'/);
    expect(await bad(`'url' = '${server.url}'`)).toMatch(/connector 'redis' needs the option 'stream'/);
    expect(await bad(`'url' = '${server.url}', 'stream' = 'x', 'scan.startup.mode' = 'id'`)).toMatch(/needs the option 'scan.startup.id'/);
    expect(await bad(`'url' = '${server.url}', 'stream' = 'x', 'scan.startup.mode' = 'id', 'scan.startup.id' = 'abc'`)).toMatch(/'abc' is not a stream entry id/);
    expect(await bad(`'url' = '${server.url}', 'stream' = 'x', 'format' = 'csv'`)).toMatch(/with 'format' = 'json' one field 'value'/);
    expect(await bad(`'url' = '${server.url}', 'stream' = 'x'`, true)).toMatch(/adds the field '_op'.*has a column of that name/);
    expect(await bad(`'url' = '${server.url}', 'stream' = 'x', 'scan.max-rows-per-trigger' = '5'`, true)).toMatch(/applies to a redis source/);
    await engine.stop();
  });

  it('waits for a server that went away and goes on with every entry once', async () => {
    await add(stream, [{ k: 'a', v: '1' }]);
    const engine = new Engine();
    const events: QueryEvent[] = [];
    engine.addListener((e) => events.push(e));
    const [q] = await engine.execute(`SET 'connector.retry.initial-backoff' = '20 ms'; SET 'connector.retry.max-backoff' = '200 ms';\n${source()}`);
    await q!.processAllAvailable();
    await server.halt();
    await new Promise<void>((resolve) => { const t = setInterval(() => { if (events.some((e) => e.type === 'retrying')) { clearInterval(t); resolve(); } }, 20); });
    expect(q!.status.waitingFor?.target).toBe(`redis[127.0.0.1:${server.port}]`);
    await server.resume();
    await add(stream, [{ k: 'b', v: '2' }]);
    await q!.processAllAvailable();
    await engine.stop();
    expect(rowsOf(engine)).toEqual(['a=1', 'b=2']);
    expect(q!.exception).toBeUndefined();
  }, 30_000);
});
