/** Types of bench/nexmark-duckdb.js (plain JS, shared by the tests and the benchmark). */
import type { DuckDBConnection } from '@duckdb/node-api';

export type NexmarkTable = 'person' | 'auction' | 'bid' | 'side_input';

export interface DuckDbQuery {
  /** the tables the SELECT reads */
  readonly tables: readonly NexmarkTable[];
  /** DuckDB's SELECT, with the sink table's column names and order */
  readonly sql: string;
  /** reads `p_time`, the processing time of each row (q12) */
  readonly procTime?: boolean;
}

export declare const NEXMARK_DUCKDB: Readonly<Record<string, DuckDbQuery>>;
export declare const SUITE_QUERIES: readonly string[];
export declare const NEXMARK_COLUMNS: Readonly<Record<'person' | 'auction' | 'bid', readonly (readonly [string, 'long' | 'time' | 'text'])[]>>;

/** What generateEvents (src/connectors/nexmark/generator.ts) returns, as far as the loader reads it. */
export interface LoaderOptions<Config> {
  readonly generateEvents: (config: Config, from: number, to: number, select: { person: boolean; auction: boolean; bid: boolean }) => unknown;
  readonly config: Config;
  readonly events: number;
  readonly tables: readonly NexmarkTable[];
  readonly procTime?: (eventIndex: number, eventTimeMs: number) => number;
  readonly stepEvents?: number;
}

export declare function loadNexmark<Config>(con: DuckDBConnection, options: LoaderOptions<Config>): Promise<void>;
export declare function sideInputRows(): { key: number; value: string }[];
export declare function sideInputCsv(): string;
