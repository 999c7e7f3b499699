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

