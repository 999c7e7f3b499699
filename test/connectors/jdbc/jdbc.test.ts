/**
 * The jdbc connector against a real PostgreSQL server and a SQLite file, one suite for both:
 * append, update (upserts and deletes) and complete mode equal the query's result over the whole
 * input (DuckDB); exact values (BIGINT beyond 2^53, DECIMAL, TIMESTAMP, DATE, BOOLEAN, DOUBLE,
 * NULL) both ways; a batch delivered twice is written once; a query resumed from its checkpoint
 * after a crash before its commit neither loses nor doubles rows; a missing table and bad options
 * are clear errors; a lookup join loads the table, with a malformed row kept aside and counted.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsToBatch } from '../../../src/common/columns.js';
import { WeirError } from '../../../src/common/errors.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import type { ConnectorTable, SinkWriter } from '../../../src/connectors/api.js';
import { createMemoryConnector } from '../../../src/connectors/memory/index.js';
import { builtinConnectors, createSink } from '../../../src/connectors/registry.js';
import { Engine } from '../../../src/engine/engine.js';
import { ManualClock } from '../../../src/executor/streaming/clock.js';
import { oracleQuery, type OracleColumn } from '../../support/oracle.js';
import { dropLastCommits } from '../../support/stream-test.js';
import { hasPostgres, openPostgres, openSqlite, plainRows, sorted, type Row, type TestDb } from './databases.js';

const dialects = [
  { name: 'postgresql', open: openPostgres, skip: !hasPostgres() },
  { name: 'sqlite', open: openSqlite, skip: false },
] as const;

const tmp = mkdtempSync(path.join(os.tmpdir(), 'weir-jdbc-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const checkpoint = (): string => path.join(tmp, `cp-${n++}`);

const KV: readonly OracleColumn[] = [{ name: 'k', type: 'STRING' }, { name: 'v', type: 'INT' }];

/** Rows pushed in batches; `seed` varies them between tests. */
function kvBatches(batches: number, perBatch: number, seed: number): Row[][] {
  let x = seed;
  const next = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: batches }, () => Array.from({ length: perBatch }, () => ({ k: `k${Math.floor(next() * 7)}`, v: Math.floor(next() * 100) - 20 })));
}

describe.each(dialects)('jdbc connector on $name', ({ name, open, skip }) => {
  let db: TestDb;
  const jdbc = (table: string, extra = ''): string => `'connector' = 'jdbc', 'url' = '${db.url}', 'table-name' = '${table}'${extra}`;

  beforeAll(async () => {
    if (skip) return;
    db = await open();
  }, 30_000);
  afterAll(async () => {
    await db?.close();
  }, 30_000);

  // SQLite has no server to stop: the outage tests exist for PostgreSQL only
  const withServer = name === 'postgresql' ? it.skipIf(skip) : undefined;

  it.skipIf(skip)('append: the table holds the query result, values exact, NULLs kept', async () => {
    const t = db.types;
    await db.exec(`CREATE TABLE typed (id ${t.bigint}, big ${t.bigint}, amount ${t.decimal}, ts ${t.timestamp}, d ${t.date}, ok ${t.boolean}, x ${t.double}, s ${t.text})`);
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(`
      CREATE TABLE src (id BIGINT, big BIGINT, amount DECIMAL(20, 4), ts TIMESTAMP(3), d DATE, ok BOOLEAN, x DOUBLE, s STRING) WITH ('connector' = 'memory');
      CREATE TABLE typed (id BIGINT, big BIGINT, amount DECIMAL(20, 4), ts TIMESTAMP(3), d DATE, ok BOOLEAN, x DOUBLE, s STRING) WITH (${jdbc('typed')});
      INSERT INTO typed SELECT * FROM src;`);
    const input = [
      { id: 1, big: 9007199254740993n, amount: '12345678901234.5678', ts: Date.UTC(2026, 0, 2, 3, 4, 5, 678), d: 20_000, ok: true, x: 0.1, s: 'it\'s "quoted", ünïcode' },
      { id: 2, big: -9223372036854775808n, amount: '-0.0001', ts: 0, d: -1, ok: false, x: -1e300, s: '' },
      { id: 3, big: null, amount: null, ts: null, d: null, ok: null, x: null, s: null },
    ];
    engine.input('src').push(input);
    await q!.processAllAvailable();
    const more = Array.from({ length: 2_500 }, (_, i) => ({ id: 10 + i, big: i * 1_000_003, amount: `${i}.25`, ts: 1_700_000_000_000 + i, d: i, ok: i % 2 === 0, x: i / 3, s: `row ${i}` }));
    engine.input('src').push(more);
    await q!.processAllAvailable();
    await engine.stop();

    // in the database itself: exact digits and instants
    const cast = (c: string): string => `CAST(${c} AS TEXT)`;
    const direct = plainRows(await db.rows(`SELECT id, ${cast('big')} AS big, ${cast('amount')} AS amount, ${cast('ts')} AS ts, ${cast('d')} AS d, ${cast('ok')} AS ok, s FROM typed WHERE id < 10 ORDER BY id`));
    expect(direct[0]).toEqual({ id: 1, big: 9007199254740993n, amount: '12345678901234.5678', ts: expect.stringMatching(/^2026-01-02[ T]03:04:05\.678/), d: '2024-10-04',
      ok: name === 'postgresql' ? 'true' : 1, s: 'it\'s "quoted", ünïcode' });
    expect(direct[1]).toMatchObject({ big: -9223372036854775808n, amount: '-0.0001', d: '1969-12-31', ok: name === 'postgresql' ? 'false' : 0 });
    expect(direct[2]).toEqual({ id: 3, big: null, amount: null, ts: null, d: null, ok: null, s: null });

    // read back through the jdbc source: every row, once, equal to what went in
    const back = new Engine({ clock: new ManualClock(0) });
    const [r] = await back.execute(`
      CREATE TABLE typed (id BIGINT, big BIGINT, amount DECIMAL(20, 4), ts TIMESTAMP(3), d DATE, ok BOOLEAN, x DOUBLE, s STRING) WITH (${jdbc('typed')});
      CREATE TABLE copy (id BIGINT, big BIGINT, amount DECIMAL(20, 4), ts TIMESTAMP(3), d DATE, ok BOOLEAN, x DOUBLE, s STRING) WITH ('connector' = 'memory');
      INSERT INTO copy SELECT * FROM typed;`);
    await r!.awaitTermination(20_000);
    const expected = [...input, ...more].map((row) => ({ ...row, amount: row.amount === null ? null : Number(row.amount) === Number(row.amount) && !row.amount.includes('12345678901234') ? Number(row.amount) : row.amount }));
    expect(sorted(back.output('copy').rows())).toEqual(sorted(expected));
    await back.stop();
  }, 30_000);

  it.skipIf(skip).each([
    { key: 'k', table: 'agg1', select: 'k', ddl: (text: string) => `k ${text}`, columns: 'k', having: 'COUNT(*) < 12 OR SUM(v) > 300' },
    { key: 'k, m', table: 'agg2', select: 'k, MOD(v, 3) AS m', ddl: (text: string) => `k ${text}, m INTEGER`, columns: 'k, m', having: 'COUNT(*) < 4' },
  ])('update: upserts by the primary key ($key) and deletes rows that leave the result, equal to DuckDB', async ({ key, table, select, ddl, columns, having }) => {
    await db.exec(`CREATE TABLE ${table} (${ddl(db.types.text)}, n ${db.types.bigint}, total ${db.types.bigint}, PRIMARY KEY (${key}))`);
    const engine = new Engine({ clock: new ManualClock(0) });
    const group = select.replace(' AS m', '');
    const sql = `SELECT ${select}, COUNT(*) AS n, SUM(v) AS total FROM t GROUP BY ${group} HAVING ${having}`;
    const [q] = await engine.execute(`SET 'output-mode' = 'update';
      CREATE TABLE t (k STRING, v INT) WITH ('connector' = 'memory');
      CREATE TABLE ${table} (${columns.split(', ').map((c) => (c === 'k' ? 'k STRING' : 'm INT')).join(', ')}, n BIGINT, total BIGINT, PRIMARY KEY (${key}) NOT ENFORCED)
        WITH (${jdbc(table, ", 'sink.buffer-flush.max-rows' = '3'")});
      INSERT INTO ${table} ${sql};`);
    const batches = kvBatches(8, 9, 7);
    let seenDelete = false;
    for (const b of batches) {
      engine.input('t').push(b);
      await q!.processAllAvailable();
      const all = batches.slice(0, batches.indexOf(b) + 1).flat();
      const expected = await oracleQuery('t', KV, all, sql);
      const got = plainRows(await db.rows(`SELECT ${columns}, n, total FROM ${table}`));
      expect(sorted(got)).toEqual(sorted(plainRows(expected)));
      const groups = await oracleQuery('t', KV, all, `SELECT DISTINCT ${group} FROM t`);
      if (expected.length < groups.length) seenDelete = true;
    }
    expect(seenDelete).toBe(true); // some key did leave the result
    await engine.stop();
  }, 30_000);

  it.skipIf(skip)('update mode over inserts only: a key twice in one batch keeps its last row', async () => {
    await db.exec(`CREATE TABLE latest (k ${db.types.text} PRIMARY KEY, v ${db.types.bigint})`);
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(`SET 'output-mode' = 'update';
      CREATE TABLE t (k STRING, v INT) WITH ('connector' = 'memory');
      CREATE TABLE latest (k STRING, v BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH (${jdbc('latest')});
      INSERT INTO latest SELECT k, v FROM t;`);
    engine.input('t').push([{ k: 'a', v: 1 }, { k: 'b', v: 2 }, { k: 'a', v: 3 }]);
    await q!.processAllAvailable();
    engine.input('t').push([{ k: 'b', v: 4 }, { k: 'c', v: 5 }]);
    await q!.processAllAvailable();
    await engine.stop();
    expect(sorted(plainRows(await db.rows('SELECT k, v FROM latest')))).toEqual([{ k: 'a', v: 3 }, { k: 'b', v: 4 }, { k: 'c', v: 5 }]);
  });

  it.skipIf(skip)('update mode into a table without a key constraint: the error says what the table needs', async () => {
    await db.exec(`CREATE TABLE nokey (k ${db.types.text}, n ${db.types.bigint})`);
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(`SET 'output-mode' = 'update';
      CREATE TABLE t (k STRING, v INT) WITH ('connector' = 'memory');
      CREATE TABLE nokey (k STRING, n BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH (${jdbc('nokey')});
      INSERT INTO nokey SELECT k, COUNT(*) FROM t GROUP BY k;`);
    engine.input('t').push([{ k: 'a', v: 1 }]);
    await expect(q!.processAllAvailable()).rejects.toThrow(/writing batch 0 failed: .*needs a PRIMARY KEY or UNIQUE constraint on them/);
    await engine.stop().catch(() => undefined);
  });

  it.skipIf(skip)('complete: the table is replaced by the whole result each batch', async () => {
    await db.exec(`CREATE TABLE counts (k ${db.types.text}, n ${db.types.bigint})`);
    const engine = new Engine({ clock: new ManualClock(0) });
    const sql = 'SELECT k, COUNT(*) AS n FROM t GROUP BY k';
    const [q] = await engine.execute(`SET 'output-mode' = 'complete';
      CREATE TABLE t (k STRING, v INT) WITH ('connector' = 'memory');
      CREATE TABLE counts (k STRING, n BIGINT) WITH (${jdbc('counts')});
      INSERT INTO counts ${sql};`);
    const batches = kvBatches(3, 20, 11);
    for (let i = 0; i < batches.length; i++) {
      engine.input('t').push(batches[i]!);
      await q!.processAllAvailable();
      const expected = await oracleQuery('t', KV, batches.slice(0, i + 1).flat(), sql);
      expect(sorted(plainRows(await db.rows('SELECT k, n FROM counts')))).toEqual(sorted(plainRows(expected)));
    }
    await engine.stop();
  }, 30_000);

  it.skipIf(skip)('a batch delivered again is skipped; another checkpoint writes afresh', async () => {
    await db.exec(`CREATE TABLE replay (id ${db.types.bigint}, s ${db.types.text})`);
    const schema: Schema = { columns: [{ name: 'id', type: T.BIGINT, nullable: true }, { name: 's', type: T.VARCHAR, nullable: true }] };
    const table: ConnectorTable = {
      name: 'replay', schema, partitionedBy: [], primaryKey: [], optionSpans: new Map(),
      options: new Map([['connector', 'jdbc'], ['url', db.url], ['table-name', 'replay']]),
    };
    const connectors = builtinConnectors(createMemoryConnector().tables);
    const writer = (checkpointId: string): SinkWriter => ({ checkpointId, checkpointDir: undefined, queryId: 'q', queryName: 'q', lastCommittedBatchId: -1, pendingBatchId: undefined });
    const openSink = async (cp: string) => {
      const sink = createSink(table, { clock: { now: () => 0 }, baseDir: tmp }, connectors);
      await sink.open({ schema, mode: 'append', keyColumns: [], queryName: 'q', writer: writer(cp) });
      return sink;
    };
    const batch = (id: number, rows: Row[]) => ({ batchId: id, data: [rowsToBatch(schema, rows)], kinds: undefined });
    const count = async (): Promise<number> => Number((await db.rows('SELECT COUNT(*) AS c FROM replay'))[0]!.c);

    const a = await openSink('cp-a');
    await a.write(batch(0, [{ id: 1, s: 'a' }, { id: 2, s: 'b' }]));
    await a.write(batch(0, [{ id: 1, s: 'a' }, { id: 2, s: 'b' }]));
    expect(await count()).toBe(2);
    await a.write(batch(1, [{ id: 3, s: 'c' }]));
    await a.close();
    // a new run of the same checkpoint (after a crash before its commit) delivers batch 1 again
    const again = await openSink('cp-a');
    await again.write(batch(1, [{ id: 3, s: 'c' }]));
    await again.write(batch(2, [{ id: 4, s: 'd' }]));
    await again.close();
    expect(await count()).toBe(4);
    // a new checkpoint is another writer: its batch 0 is new output
    const other = await openSink('cp-b');
    await other.write(batch(0, [{ id: 5, s: 'e' }]));
    await other.close();
    expect(sorted(plainRows(await db.rows('SELECT id, s FROM replay')))).toEqual(
      [{ id: 1, s: 'a' }, { id: 2, s: 'b' }, { id: 3, s: 'c' }, { id: 4, s: 'd' }, { id: 5, s: 'e' }]);
  });

  it.skipIf(skip)('resumes from its checkpoint after a crash before the commit: nothing lost or doubled', async () => {
    await db.exec(`CREATE TABLE resumed (k ${db.types.text}, v ${db.types.bigint})`);
    const cp = checkpoint();
    const sql = `CREATE TABLE t (k STRING, v INT) WITH ('connector' = 'memory');
      CREATE TABLE resumed (k STRING, v BIGINT) WITH (${jdbc('resumed')});
      INSERT INTO resumed SELECT k, v FROM t;`;
    const batches = kvBatches(3, 50, 5);
    const first = new Engine({ clock: new ManualClock(0), checkpointDir: cp });
    let [q] = await first.execute(sql);
    first.input('t').push(batches[0]!);
    await q!.processAllAvailable();
    first.input('t').push(batches[1]!);
    await q!.processAllAvailable();
    await first.stop();
    expect(await dropLastCommits(cp)).toEqual([1]); // as if the process died after the sink wrote batch 1
    const second = new Engine({ clock: new ManualClock(0), checkpointDir: cp, memoryTables: first.memoryTables });
    [q] = await second.execute(sql);
    await q!.processAllAvailable();
    second.input('t').push(batches[2]!);
    await q!.processAllAvailable();
    await second.stop();
    expect(sorted(plainRows(await db.rows('SELECT k, v FROM resumed')))).toEqual(sorted(batches.flat()));
  }, 30_000);

  withServer?.('waits while the server is stopped and carries on when it is back, nothing lost or doubled', async () => {
    await db.exec(`CREATE TABLE outage (k ${db.types.text}, v ${db.types.bigint})`);
    const engine = new Engine({ checkpointDir: checkpoint() });
    const [q] = await engine.execute(`SET 'connector.retry.initial-backoff' = '50 ms'; SET 'connector.retry.max-backoff' = '200 ms'; SET 'connector.retry.timeout' = '30 s';
      CREATE TABLE t (k STRING, v INT) WITH ('connector' = 'memory');
      CREATE TABLE outage (k STRING, v BIGINT) WITH (${jdbc('outage')});
      INSERT INTO outage SELECT k, v FROM t;`);
    const batches = kvBatches(4, 30, 3);
    engine.input('t').push(batches[0]!);
    await q!.processAllAvailable();
    // a restart between batches: the sink's connection is gone, its next write reconnects
    await db.server!.restart();
    engine.input('t').push(batches[1]!);
    await q!.processAllAvailable();
    // stopped during a batch: the write waits (retrying, shown in the status) until the server is back
    await db.server!.halt();
    const retrying = new Promise<string>((resolve) => q!.addListener((e) => { if (e.type === 'retrying' && e.retry.attempt >= 2) resolve(q!.status.message); }));
    engine.input('t').push(batches[2]!);
    const done = q!.processAllAvailable();
    expect(await retrying).toMatch(/^Waiting for postgresql\[127\.0\.0\.1:\d+\/weir\] to come back \(write: /);
    await db.server!.resume();
    await done;
    engine.input('t').push(batches[3]!);
    await q!.processAllAvailable();
    await engine.stop();
    expect(sorted(plainRows(await db.rows('SELECT k, v FROM outage')))).toEqual(sorted(batches.flat()));
  }, 40_000);

  withServer?.('a lookup join started while the server is down loads the table once it is back', async () => {
    await db.exec(`CREATE TABLE dim_later (k ${db.types.bigint}, name ${db.types.text})`);
    await db.exec("INSERT INTO dim_later VALUES (1, 'one'), (2, 'two')");
    await db.server!.halt();
    const engine = new Engine({ clock: new ManualClock(0) });
    try {
      const [q] = await engine.execute(`SET 'connector.retry.initial-backoff' = '50 ms'; SET 'connector.retry.max-backoff' = '200 ms';
        CREATE TABLE probe (k BIGINT, pt AS PROCTIME()) WITH ('connector' = 'memory');
        CREATE TABLE dim_later (k BIGINT, name STRING) WITH (${jdbc('dim_later')});
        CREATE TABLE out_t (k BIGINT, name STRING) WITH ('connector' = 'memory');
        INSERT INTO out_t SELECT p.k, d.name FROM probe p JOIN dim_later FOR SYSTEM_TIME AS OF p.pt AS d ON p.k = d.k;`);
      await new Promise<void>((resolve) => q!.addListener((e) => { if (e.type === 'retrying') resolve(); }));
      await db.server!.resume();
      engine.input('probe').push([{ k: 2 }, { k: 3 }, { k: 1 }]);
      await q!.processAllAvailable();
      expect(sorted(engine.output('out_t').rows())).toEqual([{ k: 1, name: 'one' }, { k: 2, name: 'two' }]);
    } finally {
      await db.server!.resume().catch(() => undefined);
      await engine.stop();
    }
  }, 30_000);

  it.skipIf(skip)('names a missing table, and a column the table lacks', async () => {
    await db.exec(`CREATE TABLE narrow (id ${db.types.bigint})`);
    for (const [target, message] of [
      ['nowhere', /the database table 'nowhere' does not exist in (postgresql|sqlite)\[.*\]: create it first/],
      ['narrow', /column 's' is not a column of the database table 'narrow', which has 'id'/],
    ] as const) {
      const engine = new Engine({ clock: new ManualClock(0) });
      const run = async (): Promise<void> => {
        const [q] = await engine.execute(`CREATE TABLE t (id BIGINT, s STRING) WITH ('connector' = 'memory');
          CREATE TABLE out_t (id BIGINT, s STRING) WITH (${jdbc(target)});
          INSERT INTO out_t SELECT * FROM t;`);
        engine.input('t').push([{ id: 1, s: 'x' }]);
        await q!.processAllAvailable();
      };
      await expect(run()).rejects.toThrow(message);
      await engine.stop().catch(() => undefined);
    }
  });

  it.skipIf(skip)('a lookup join loads the table; a row that does not convert is kept aside and counted', async () => {
    await db.exec(`CREATE TABLE dim (k ${db.types.text}, name ${db.types.text}, weight ${db.types.double})`);
    await db.exec("INSERT INTO dim VALUES ('1', 'one', 1.5), ('2', 'two', NULL), ('2', 'deux', 2.5), ('oops', 'bad', 0), ('4', 'four', 4)");
    const rejected = path.join(tmp, `rejected-${name}`);
    const engine = new Engine({ clock: new ManualClock(0), settings: { 'rejected-records.path': rejected } });
    const [q] = await engine.execute(`
      CREATE TABLE probe (id INT, k BIGINT, pt AS PROCTIME()) WITH ('connector' = 'memory');
      CREATE TABLE dim (k BIGINT, name STRING, weight DOUBLE) WITH (${jdbc('dim')});
      CREATE TABLE out_t (id INT, name STRING, weight DOUBLE) WITH ('connector' = 'memory');
      INSERT INTO out_t SELECT p.id, d.name, d.weight FROM probe p LEFT JOIN dim FOR SYSTEM_TIME AS OF p.pt AS d ON p.k = d.k;`);
    engine.input('probe').push([{ id: 1, k: 2 }, { id: 2, k: 3 }, { id: 3, k: 1 }, { id: 4, k: 4 }]);
    await q!.processAllAvailable();
    expect(sorted(engine.output('out_t').rows())).toEqual(sorted([
      { id: 1, name: 'two', weight: null }, { id: 1, name: 'deux', weight: 2.5 }, { id: 2, name: null, weight: null },
      { id: 3, name: 'one', weight: 1.5 }, { id: 4, name: 'four', weight: 4 },
    ]));
    expect(q!.recentProgress.reduce((s, p) => s + p.numRejectedRows, 0)).toBe(1);
    const kept = readdirSync(rejected).flatMap((f) => readFileSync(path.join(rejected, f), 'utf8').trim().split('\n')).map((l) => JSON.parse(l) as Row);
    expect(kept).toEqual([expect.objectContaining({ origin: 'jdbc[dim]:row 4', reason: expect.stringContaining("column 'k': cannot read") })]);
    await engine.stop();
  });

  it.skipIf(skip)('refuses bad options at the option, naming what was expected', async () => {
    const errorOf = async (options: string): Promise<WeirError> => {
      const engine = new Engine({ clock: new ManualClock(0) });
      try {
        await engine.execute(`CREATE TABLE t (id BIGINT) WITH ('connector' = 'memory');
          CREATE TABLE o (id BIGINT) WITH (${options});
          INSERT INTO o SELECT * FROM t;`);
      } catch (e) {
        if (e instanceof WeirError) return e;
        throw e;
      } finally {
        await engine.stop();
      }
      throw new Error('expected an error');
    };
    const typo = await errorOf(`${jdbc('o')}, 'table_name' = 'o'`);
    expect(typo.code).toBe('OPTION');
    expect(typo.message).toMatch(/unknown option 'table_name' for connector 'jdbc' \(did you mean 'table-name'\?\)/);
    expect(typo.span?.line).toBe(2);
    expect((await errorOf(`'connector' = 'jdbc', 'url' = '${db.url}'`)).message).toMatch(/needs the option 'table-name'/);
    expect((await errorOf(`'connector' = 'jdbc', 'url' = 'mysql://h/db', 'table-name' = 'o'`)).message)
      .toMatch(/'url' = 'mysql:\/\/h\/db' has the scheme 'mysql', which this connector does not serve.*expected 'postgresql:\/\/user:password@host:port\/db'/);
    expect((await errorOf(`${jdbc('o; DROP TABLE x')}`)).message).toMatch(/is not a table name/);
    expect((await errorOf(`${jdbc('o', ", 'sink.buffer-flush.max-rows' = 'lots'")}`)).message).toMatch(/must be a whole number of rows/);
  });
});
