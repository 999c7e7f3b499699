/** Types of bench/checksum.js's exports (plain JS). */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ForeachBatchContext } from '../src/connectors/foreach-batch/index.js';

export interface ChecksumValue {
  readonly rows: number;
  readonly sum: number;
}

export declare class Checksum {
  rows: number;
  sum: number;
  addRow(texts: readonly string[], sign: number): void;
  reset(): void;
  toJSON(): ChecksumValue;
}

export declare function addArrowBatch(sum: Checksum, batch: Pick<ForeachBatchContext, 'table' | 'kinds' | 'mode'>): void;
export declare function duckTableChecksum(con: DuckDBConnection, table: string): Promise<ChecksumValue>;
