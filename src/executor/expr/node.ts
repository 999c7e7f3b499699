/**
 * Compiled expression nodes and the helpers every function family builds its kernels from.
 *
 * A node is compiled once per query: a closure that, given a batch's columns, returns one vector for
 * the whole batch. Literals never become code: they are values captured by closures.
 */
import type * as arrow from 'apache-arrow';
import { takeData } from '../../common/columns.js';
import type { SourceSpan } from '../../common/errors.js';
import { WeirError } from '../../common/errors.js';
import type { SqlType } from '../../common/types.js';
import type { Call } from '../../planner/expr.js';
import type { BoolVec, NumVec, StrVec, Vec } from './vector.js';
import { broadcast, builder, getter, scatter } from './vector.js';
import type { Zone } from './time-util.js';
import type { ExprContext } from './compile.js';
import type { Alloc } from './pool.js';

/** The part of a batch a kernel reads: its columns and its row count. */
export interface Input {
  readonly columns: readonly arrow.Data[];
  readonly length: number;
  /** Where the call's vectors get their memory (pool.ts). */
  readonly alloc: Alloc;
}

export interface Node {
  readonly type: SqlType;
  readonly eval: (b: Input) => Vec;
  /** Known at compile time (literals and folded constant calls). */
  readonly constant?: { readonly value: unknown };
  /**
   * Evaluating it may fail at run time or has side effects (a CAST from text, integer division, a
   * UDF): CASE, IF, COALESCE, AND and OR then evaluate it only on the rows that need it.
   */
  readonly mayThrow: boolean;
}

export interface CompileCx {
  readonly ctx: ExprContext;
  readonly zone: Zone;
}

/** A kernel factory: one per scalar function name (see functions.ts). */
export type FnImpl = (args: readonly Node[], call: Call, cx: CompileCx) => Omit<Node, 'type' | 'constant'> | ((b: Input) => Vec);

export const constOf = (n: Node): unknown => n.constant?.value;
export const isConst = (n: Node): boolean => n.constant !== undefined;

export function runtimeError(message: string, span: SourceSpan | undefined): WeirError {
  return new WeirError('RUNTIME', message, span);
}

/** Evaluate `node` on some rows only (null = all); the result has the batch's length. */
export function evalOn(node: Node, b: Input, rows: Uint32Array | null): Vec {
  if (rows === null || !node.mayThrow) return node.eval(b);
  if (rows.length === b.length) return node.eval(b);
  const sub: Input = { columns: b.columns.map((c) => takeData(c, rows)), length: rows.length, alloc: b.alloc };
  return scatter(node.eval(sub), rows, b.length);
}

/** A literal-like node: the same value in every row, its vector reused across batches. */
export function constantNode(type: SqlType, value: unknown): Node {
  let cached: Vec | null = null;
  return {
    type,
    constant: { value },
    mayThrow: false,
    eval: (b) => {
      if (cached === null || cached.length !== b.length) cached = broadcast(type, value, b.length);
      return cached;
    },
  };
}

export type RowFn = (...args: unknown[]) => unknown;

/**
 * The generic kernel for functions without a hand-written loop: call `fn` with each row's JS values
 * (strings, numbers, booleans) and collect its results. Rows where an argument is NULL give NULL
 * without calling `fn`, unless `nullSafe`. `fn` returns null for a NULL result.
 */
export function perRow(args: readonly Node[], out: SqlType, fn: RowFn, nullSafe = false): (b: Input) => Vec {
  const k = args.length;
  return (b) => {
    const n = b.length;
    const vecs = args.map((a) => a.eval(b));
    const gets = vecs.map((v, j) => getter(v, args[j]!.type));
    const res = builder(out, n);
    const g0 = gets[0], g1 = gets[1], g2 = gets[2];
    const valids = vecs.map((v) => v.valid).filter((v): v is Uint8Array => v !== null);
    const buf = new Array<unknown>(k);
    for (let i = 0; i < n; i++) {
      if (!nullSafe) {
        let ok = true;
        for (let j = 0; j < valids.length; j++) if (valids[j]![i] !== 1) { ok = false; break; }
        if (!ok) { res.set(i, null); continue; }
      }
      let r: unknown;
      switch (k) {
        case 0: r = fn(); break;
        case 1: r = fn(g0!(i)); break;
        case 2: r = fn(g0!(i), g1!(i)); break;
        case 3: r = fn(g0!(i), g1!(i), g2!(i)); break;
        default:
          for (let j = 0; j < k; j++) buf[j] = gets[j]!(i);
          r = fn(...buf);
      }
      res.set(i, r);
    }
    return res.finish();
  };
}

/** A typed-array map over one number-like argument (NULL in, NULL out). */
export function mapNum(arg: Node, f: (x: number) => number): (b: Input) => Vec {
  return (b) => {
    const v = arg.eval(b) as NumVec;
    const n = b.length, x = v.values;
    const out = b.alloc.f64(n);
    for (let i = 0; i < n; i++) out[i] = f(x[i]!);
    return { kind: 'num', length: n, values: out, valid: v.valid };
  };
}

export const asNum = (v: Vec): NumVec => v as NumVec;
export const asBool = (v: Vec): BoolVec => v as BoolVec;
export const asStr = (v: Vec): StrVec => v as StrVec;
