/**
 * The Nexmark benchmark's own files (test/fixtures/nexmark) in tests, and DuckDB over the same
 * generated rows.
 *
 * - `fixture(name)`: a file of the benchmark as it ships. `NEXMARK_DDL` is ddl_gen.sql +
 *   ddl_views.sql with their `${...}` placeholders left in; `nexmarkDdl(options)` adds connector
 *   options to the datagen table's WITH clause.
 * - `nexmarkSettings(events, rate)`: what the benchmark's placeholders take (TPS, EVENTS_NUM, the
 *   proportions, NEXMARK_TABLE), for Engine settings, `--set` (`setArgs`) or filled into the text
 *   (`fillPlaceholders`).
 * - `withSink(sql, options)`: a query file with its blackhole sink turned into other connector
 *   options; `runQueryFile(q, ...)` runs a query file's INSERT through the Engine into a memory sink
 *   and returns what the sink holds at the end, with the query's EXPLAIN and progress.
 * - `loadGeneratorRows(oracle, tables, ...)`: the generator's rows (generateRows, the rows the
 *   nexmark source reads) as DuckDB tables person / auction / bid with the views' columns
 *   (bench/nexmark-duckdb.js's NEXMARK_COLUMNS, the module the benchmark and the suite load with).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { NEXMARK_COLUMNS } from '../../bench/nexmark-duckdb.js';
import { generateRows, nexmarkConfig } from '../../src/connectors/nexmark/index.js';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import type { QueryProgress } from '../../src/executor/streaming/progress.js';
import { REPO_ROOT } from './cli.js';
import type { Oracle, OracleColumn, Row } from './oracle.js';

export const NEXMARK_FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'nexmark');

/** A file of the benchmark (ddl_gen.sql, q0.sql, ...), unchanged. */
export const fixture = (name: string): string => readFileSync(path.join(NEXMARK_FIXTURES, name), 'utf8');

/** ddl_gen.sql + ddl_views.sql, as the benchmark ships them (placeholders left in). */
export const NEXMARK_DDL = `${fixture('ddl_gen.sql').trimEnd()};\n${fixture('ddl_views.sql')}\n`;

/** NEXMARK_DDL with connector options added to the datagen table's WITH clause (after 'connector'). */
export function nexmarkDdl(options: Readonly<Record<string, string>> = {}): string {
  const extra = Object.entries(options).map(([k, v]) => ` '${k}' = '${v}',`).join('');
  const ddl = NEXMARK_DDL.replace("'connector' = 'nexmark',", `'connector' = 'nexmark',${extra}`);
  expect(ddl, 'the datagen table took the options').toContain(extra);
  return ddl;
}

/** The benchmark's placeholders for `events` events at `rate` events/s (its proportions, the datagen table). */
export function nexmarkSettings(events: number, rate = 1000): Record<string, string> {
  return {
    TPS: String(rate), EVENTS_NUM: String(events), PERSON_PROPORTION: '1', AUCTION_PROPORTION: '3', BID_PROPORTION: '46',
    NEXMARK_TABLE: 'datagen',
  };
}

/** `${KEY}` replaced by settings[KEY]; placeholders without a setting are left as they are. */
export const fillPlaceholders = (sql: string, settings: Readonly<Record<string, string>>): string =>
  sql.replace(/\$\{(\w+)\}/g, (_, k: string) => settings[k] ?? `\${${k}}`);

/** The settings as `weir run` arguments: `--set KEY=VALUE` each, in their order. */
export const setArgs = (settings: Readonly<Record<string, string>>): string[] =>
  Object.entries(settings).flatMap(([k, v]) => ['--set', `${k}=${v}`]);

/** A query file's text with its blackhole sink turned into `connector` (the options that replace `'connector' = 'blackhole'`). */
export function withSink(sql: string, connector: string, label = 'the query'): string {
  const out = sql.replace(/'connector'\s*=\s*'blackhole'/, connector);
  expect(out, `${label} has a blackhole sink`).not.toBe(sql);
  return out;
}

/** The sink table a query file inserts into. */
export const sinkOf = (sql: string): string => /INSERT\s+INTO\s+(\w+)/i.exec(sql)![1]!;

type MemoryOutput = ReturnType<Engine['output']>;

export interface QueryFileRun {
  /** the memory sink's result table at the end */
  readonly rows: Row[];
  readonly changes: ReturnType<MemoryOutput['changes']>;
  readonly explain: string;
  readonly progress: readonly QueryProgress[];
}

export interface QueryFileOptions {
  /** what runs before the query file: NEXMARK_DDL, with its placeholders filled unless `settings` fill them */
  readonly ddl: string;
  /** Engine settings (they fill the `${...}` placeholders left in the text) */
  readonly settings?: Readonly<Record<string, string>>;
  /** the file name errors are reported at */
  readonly file?: string;
  readonly timeoutMs?: number;
}

/** Query file `q` (q0.sql ...) after `ddl`, its blackhole sink turned into a memory table, through the Engine to its end. */
export async function runQueryFile(q: string, { ddl, settings, file, timeoutMs = 120_000 }: QueryFileOptions): Promise<QueryFileRun> {
  const sql = withSink(fixture(`${q}.sql`), "'connector' = 'memory'", q);
  const engine = new Engine({ clock: new ManualClock(0), settings, memory: { changelog: 'all' } });
  try {
    const [query] = await engine.execute(`${ddl}\n${sql}`, { file });
    expect(await query!.awaitTermination(timeoutMs)).toBe(true);
    const out = engine.output(sinkOf(sql));
    return { rows: out.rows(), changes: out.changes(), explain: query!.explain(), progress: query!.recentProgress };
  } finally {
    await engine.stop();
  }
}

export type NexmarkView = keyof typeof NEXMARK_COLUMNS;

const ORACLE_TYPE = { long: 'BIGINT', time: 'TIMESTAMP(3)', text: 'STRING' } as const;

/** The columns of the person, auction and bid views as the oracle declares them (Weir's type names). */
const oracleColumns = (t: NexmarkView): readonly OracleColumn[] => NEXMARK_COLUMNS[t].map(([name, kind]) => ({ name, type: ORACLE_TYPE[kind] }));
export const NEXMARK_ORACLE_COLUMNS: Readonly<Record<NexmarkView, readonly OracleColumn[]>> = {
  person: oracleColumns('person'), auction: oracleColumns('auction'), bid: oracleColumns('bid'),
};

const EVENT_TYPE: Readonly<Record<NexmarkView, number>> = { person: 0, auction: 1, bid: 2 };

export interface GeneratorRowsOptions {
  readonly events: number;
  /** events/s (first and next event rate); 1 000 unless given */
  readonly rate?: number;
  /** the generator's base time, epoch ms (the datagen option 'base-time') */
  readonly baseTime?: number;
  /** a BIGINT column of this name added to `bid`: each bid's position among the bids (0-based), the order the stream has them in */
  readonly bidOrder?: string;
}

/**
 * The generator's first `events` events as DuckDB tables (those in `tables`), with the views' columns;
 * the rows each table got, by table.
 */
export async function loadGeneratorRows<V extends NexmarkView>(
  oracle: Oracle, tables: readonly V[], { events, rate = 1000, baseTime, bidOrder }: GeneratorRowsOptions,
): Promise<Record<V, Row[]>> {
  const config = nexmarkConfig({ firstEventRate: rate, nextEventRate: rate, ...(baseTime === undefined ? {} : { baseTime }) });
  const rows = generateRows(config, 0, events);
  const loaded = {} as Record<V, Row[]>;
  for (const t of tables) {
    let tableRows = rows.filter((r) => r.event_type === EVENT_TYPE[t]).map((r) => r[t]!);
    let columns = NEXMARK_ORACLE_COLUMNS[t];
    if (t === 'bid' && bidOrder !== undefined) {
      tableRows = tableRows.map((r, ord) => ({ ...r, [bidOrder]: ord }));
      columns = [...columns, { name: bidOrder, type: 'BIGINT' }];
    }
    await oracle.createTable(t, columns, tableRows);
    loaded[t] = tableRows;
  }
  return loaded;
}

/** Nexmark q6 as the benchmark ships it: `rownum` filtered in the WHERE of the SELECT that defines it. */
export const Q6_AS_SHIPPED = `CREATE TABLE nexmark_q6 (seller VARCHAR, avg_price BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO nexmark_q6
SELECT
    Q.seller,
    AVG(Q.price) OVER
        (PARTITION BY Q.seller ORDER BY Q.\`dateTime\` ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)
FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY A.id, A.seller ORDER BY B.price DESC) AS rownum
    FROM (SELECT A.id, A.seller, B.price, B.\`dateTime\`
        FROM auction AS A,
            bid AS B
        WHERE A.id = B.auction
            and B.\`dateTime\` between A.\`dateTime\` and A.expires)
    WHERE rownum <= 1
) AS Q;
`;
