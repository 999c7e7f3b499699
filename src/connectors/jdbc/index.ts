/**
 * The `jdbc` connector (Flink's name and options): a PostgreSQL or SQLite table as an exactly-once
 * sink (sink.ts) and as a bounded source read whole, which lookup joins load when their query
 * starts (source.ts). dialect.ts is what the two databases differ in; postgres.ts and sqlite.ts
 * import their client (pg, better-sqlite3) only when a table is opened.
 */
import type { Connector } from '../api.js';
import { JDBC_OPTION_KEYS } from './options.js';
import { JdbcSink } from './sink.js';
import { JdbcSource } from './source.js';

export { JdbcSink, BATCHES_TABLE } from './sink.js';
export { JdbcSource } from './source.js';

export const jdbcConnector: Connector = {
  name: 'jdbc',
  options: JDBC_OPTION_KEYS,
  createSource: (table, ctx) => new JdbcSource(table, ctx),
  createSink: (table, ctx) => new JdbcSink(table, ctx),
};
