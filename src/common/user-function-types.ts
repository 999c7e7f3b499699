/**
 * The user-defined aggregate and table functions as the executor calls them (engine/function-kinds.ts
 * checks and makes them from module exports and the API).
 */
import type { SqlType } from './types.js';

/** A UDAF as the user wrote it. The accumulator is plain data: it is saved in the checkpoint. */
export interface AggregateFunctionDef {
  readonly kind: 'aggregate';
  readonly returns: string;
  create(): unknown;
  /** returns the new accumulator (or undefined when it changed `acc` in place) */
  accumulate(acc: unknown, ...args: unknown[]): unknown;
  retract?(acc: unknown, ...args: unknown[]): unknown;
  merge?(a: unknown, b: unknown): unknown;
  result(acc: unknown): unknown;
}

export interface TableFunctionDef {
  readonly kind: 'table';
  /** the output columns: `'word STRING, n INT'` */
  readonly returns: string;
  eval(...args: unknown[]): Iterable<unknown> | null | undefined;
}

/** A UDAF checked and typed, as the executor calls it. */
export interface UserAggregate {
  readonly kind: 'aggregate';
  readonly name: string;
  readonly def: AggregateFunctionDef;
  readonly returns: SqlType;
}

export interface TableColumn {
  readonly name: string;
  readonly type: SqlType;
}

export interface UserTableFunction {
  readonly kind: 'table';
  readonly name: string;
  readonly def: TableFunctionDef;
  readonly columns: readonly TableColumn[];
}


/**
 * A process function as the user wrote it (CONTRACT.md): called as `TABLE(f(TABLE t PARTITION BY k))`,
 * `process(row, ctx, ...args)` once per input row, `onTimer(timeMs, ctx, ...args)` once per timer
 * that fires; both emit rows through `ctx.emit`. State and timers are per partition key.
 */
export interface ProcessFunctionDef {
  readonly kind: 'process';
  /** the output columns after the partition keys: `'card STRING, n INT'` */
  readonly returns: string;
  process(row: Record<string, unknown>, ctx: unknown, ...args: unknown[]): void;
  onTimer?(timeMs: number, ctx: unknown, ...args: unknown[]): void;
}

export interface UserProcessFunction {
  readonly kind: 'process';
  readonly name: string;
  readonly def: ProcessFunctionDef;
  readonly columns: readonly TableColumn[];
}
