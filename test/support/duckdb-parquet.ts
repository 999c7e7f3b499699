/**
 * One in-memory DuckDB for a test file that checks Parquet files against DuckDB: opened (with the
 * Parquet format's writer library loaded, and no cache of file contents) before the file's tests
 * and closed after them, a path per file name under the temp directory, and a query's rows as JS values.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll } from 'vitest';
import { parquetFormat } from '../../src/connectors/formats/parquet.js';

export interface ParquetDuckDb {
  /** the connection (open once the file's tests run) */
  con(): DuckDBConnection;
  /** `<tmp>/weir-<prefix>-<pid>-<name>.parquet` */
  tmp(name: string): string;
  duckRows(sql: string): Promise<Record<string, unknown>[]>;
}

export function parquetDuckDb(prefix: string): ParquetDuckDb {
  let con: DuckDBConnection | undefined;
  beforeAll(async () => {
    await parquetFormat.load!();
    con = await (await DuckDBInstance.create(':memory:')).connect();
    // the tests write a file again under the same name within a second: DuckDB's cache of file
    // contents checks a file by its modification time in seconds, and read the old file's pages
    // under the new file's footer ("Snappy decompression failure" on a fresh seed now and then)
    await con.run('SET enable_external_file_cache = false');
  });
  afterAll(() => con?.closeSync());
  const open = (): DuckDBConnection => {
    if (!con) throw new Error('DuckDB is opened in beforeAll');
    return con;
  };
  return {
    con: open,
    tmp: (name) => path.join(os.tmpdir(), `weir-${prefix}-${process.pid}-${name}.parquet`),
    duckRows: async (sql) => (await open().runAndReadAll(sql)).getRowObjectsJS(),
  };
}
