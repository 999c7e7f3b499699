/**
 * Bound expressions compiled into kernels over Arrow record batches.
 *
 * An expression becomes a tree of closures once per query; each node turns a whole batch into one
 * vector (vector.ts), so a batch costs one pass per node over typed arrays and no object per row.
 * Arrow is read at column references and written at the output only. No text from the SQL ever
 * becomes code: literals, names and patterns are values held by closures.
 *
 * Constant sub-expressions (deterministic calls and casts of literals) are evaluated once at compile
 * time; one that fails (CAST('x' AS INT)) is left to fail at run time, and only if a row reaches it.
 */
import * as arrow from 'apache-arrow';
import { bitmapFromMask, toApiValue } from '../../common/columns.js';
import { InternalError, WeirError } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import type { SqlType } from '../../common/types.js';
import { isCollection, isInteger, typesEqual } from '../../common/types.js';
import type { BoundExpr, Cast, FieldRef, UdfCall } from '../../planner/expr.js';
import { exprType } from '../../planner/expr.js';
import { readColumn, readValidity, toData } from './arrow-io.js';
import { makeCaster, valueToText } from './cast.js';
import { caseKernel } from './functions-conditional.js';
import { makeStoreCaster } from './store-cast.js';
import { FUNCTION_KERNELS } from './functions.js';
import { udfResultChecker } from './udf-result.js';
import type { UserAggregate, UserProcessFunction, UserTableFunction } from '../../common/user-function-types.js';
import type { CompileCx, Input, Node } from './node.js';
import { constantNode, runtimeError } from './node.js';
import { HEAP, ScratchPool } from './pool.js';
import { makeZone } from './time-util.js';
import type { BoolVec, RowVec, Vec } from './vector.js';
import { builder, fieldOf, getter, trueIndices } from './vector.js';

export interface ExprContext {
  /** Processing time for PROCTIME()/CURRENT_TIMESTAMP: the batch's timestamp, epoch ms. */
  now(): number;
  /** IANA zone name (or a fixed offset such as '+08:00'), 'UTC' by default: SET 'table.local-time-zone'. */
  timeZone: string;
  udfs: ReadonlyMap<string, (...args: unknown[]) => unknown>;
  /** UDAFs and table functions by lower-case name (engine/function-kinds.ts) */
  udafs?: ReadonlyMap<string, UserAggregate>;
  tableFunctions?: ReadonlyMap<string, UserTableFunction>;
  /** process functions by lower-case name (TABLE(f(TABLE t PARTITION BY k))) */
  processFunctions?: ReadonlyMap<string, UserProcessFunction>;
}

/** A context for tests and constant folding: time 0, UTC, no UDFs. */
export function defaultExprContext(over: Partial<ExprContext> = {}): ExprContext {
  return { now: () => 0, timeZone: 'UTC', udfs: new Map(), ...over };
}

const NON_DETERMINISTIC = new Set(['proctime', 'current_timestamp', 'current_date', 'rand', 'unix_timestamp']);

/** Compiles the expressions of one operator, sharing column reads and repeated sub-expressions. */
class Compiler {
  private readonly nodes = new Map<BoundExpr, Node>();
  private readonly columns = new Map<number, Node>();

  constructor(private readonly input: Schema, readonly cx: CompileCx) {}

  compile(e: BoundExpr): Node {
    let node = this.nodes.get(e);
    if (!node) {
      node = this.build(e);
      this.nodes.set(e, node);
    }
    return node;
  }

  private build(e: BoundExpr): Node {
    switch (e.kind) {
      case 'column': return this.column(e.index, e.type);
      case 'literal': return constantNode(e.type, literalValue(e.value, e.type));
      case 'field': return this.field(e);
      case 'cast': return this.cast(e);
      case 'udf': return this.udf(e);
      case 'case': {
        const whens = e.whens.map((w) => ({ when: this.compile(w.when), then: this.coerce(this.compile(w.then), e.type) }));
        const otherwise = e.else ? this.coerce(this.compile(e.else), e.type) : undefined;
        const all = [...whens.flatMap((w) => [w.when, w.then]), ...(otherwise ? [otherwise] : [])];
        return this.fold({ type: e.type, eval: memo(caseKernel(whens, otherwise, e.type)), mayThrow: all.some((n) => n.mayThrow) }, all, true);
      }
      case 'call': {
        const impl = FUNCTION_KERNELS[e.fn];
        if (!impl) throw new InternalError(`no kernel for function ${String(e.fn)}`);
        const args = e.args.map((a) => this.compile(a));
        const k = impl(args, e, this.cx);
        const kernel = typeof k === 'function' ? { eval: k, mayThrow: false } : k;
        const node: Node = { type: e.type, eval: memo(kernel.eval), mayThrow: kernel.mayThrow || args.some((a) => a.mayThrow) };
        return this.fold(node, args, !NON_DETERMINISTIC.has(e.fn));
      }
      default: {
        const never: never = e;
        throw new InternalError(`unknown expression ${JSON.stringify(never)}`);
      }
    }
  }

  /** Evaluate a node whose inputs are all constants once, now; keep it as is if that fails. */
  private fold(node: Node, args: readonly Node[], deterministic: boolean): Node {
    if (!deterministic || !args.every((a) => a.constant !== undefined)) return node;
    try {
      const v = node.eval({ columns: [], length: 1, alloc: HEAP });
      return constantNode(node.type, getter(v, node.type)(0));
    } catch (err) {
      if (err instanceof WeirError) return node;
      throw err;
    }
  }

  private column(index: number, type: SqlType): Node {
    let node = this.columns.get(index);
    if (!node) {
      if (index < 0 || index >= this.input.columns.length) throw new InternalError(`column #${index} is not in the input`);
      node = {
        type,
        mayThrow: false,
        eval: memo((inp) => {
          const d = inp.columns[index];
          if (!d) throw new InternalError(`column #${index} is missing from the batch`);
          return readColumn(d, type, inp.alloc);
        }),
      };
      this.columns.set(index, node);
    }
    return node;
  }

  private field(e: FieldRef): Node {
    const operand = this.compile(e.operand);
    const i = e.fieldIndex;
    return this.fold({ type: e.type, mayThrow: operand.mayThrow, eval: memo((inp) => fieldOf(operand.eval(inp) as RowVec, i)) }, [operand], true);
  }

  private cast(e: Cast): Node {
    const operand = this.compile(e.operand);
    const from = operand.type;
    const caster = e.assign ? makeStoreCaster(from, e.type, e.assign, e.span) : makeCaster(from, e.type, e.try, e.span, this.cx);
    const fallible = e.assign !== undefined || !e.try && (from.kind === 'VARCHAR' || isInteger(e.type) || e.type.kind === 'ROW' || e.type.kind === 'DECIMAL' || isCollection(e.type));
    const node: Node = { type: e.type, mayThrow: operand.mayThrow || fallible, eval: memo((inp) => caster(operand.eval(inp), inp.alloc)) };
    return this.fold(node, [operand], true);
  }

  /** A node of type t: itself when it already is, else a CAST (branches of CASE). */
  coerce(n: Node, t: SqlType): Node {
    if (typesEqual(n.type, t)) return n;
    const caster = makeCaster(n.type, t, false, undefined, this.cx);
    return this.fold({ type: t, mayThrow: n.mayThrow, eval: memo((inp) => caster(n.eval(inp))) }, [n], true);
  }

  private udf(e: UdfCall): Node {
    const f = this.cx.ctx.udfs.get(e.name) ?? this.cx.ctx.udfs.get(e.name.toLowerCase());
    if (!f) throw new WeirError('BIND', `unknown function ${e.name}`, e.span);
    const args = e.args.map((a) => this.compile(a));
    const type = e.type;
    const checkResult = udfResultChecker(e.name, type, e.span);
    return {
      type,
      mayThrow: true,
      eval: memo((inp) => {
        const n = inp.length;
        // a function sees values as the API shows them (a DECIMAL as its number, not its unscaled integer)
        const gets = args.map((a) => {
          const g = getter(a.eval(inp), a.type);
          return a.type.kind === 'DECIMAL' || a.type.kind === 'ROW' || isCollection(a.type) ? (i: number) => toApiValue(g(i), a.type) : g;
        });
        const out = builder(type, n);
        const vals = new Array<unknown>(args.length);
        // the current row's call, as SQL: only built when an error needs it
        const shown = (): string => `${e.name}(${vals.map((x, j) => showValue(x, args[j]!.type, this.cx)).join(', ')})`;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < gets.length; j++) vals[j] = gets[j]!(i);
          let r: unknown;
          try {
            r = f(...vals);
          } catch (err) {
            throw runtimeError(`function ${e.name} failed on the row with ${shown()}: ${err instanceof Error ? err.message : String(err)}`, e.span);
          }
          // outside the try: a wrong result is not the function failing, and says so itself
          out.set(i, checkResult(r, shown));
        }
        return out.finish();
      }),
    };
  }
}

/** How a UDF's failure shows one argument: SQL-like, long text cut short. */
function showValue(x: unknown, t: SqlType, cx: CompileCx): string {
  if (x === null || x === undefined) return 'NULL';
  const text = valueToText(x, t, cx.zone);
  const short = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return t.kind === 'VARCHAR' || t.kind === 'DATE' || t.kind === 'TIMESTAMP' ? `'${short.replace(/'/g, "''")}'` : short;
}

/** Caches a node's vector for the Input it was last asked about: a shared sub-expression runs once. */
function memo(f: (inp: Input) => Vec): (inp: Input) => Vec {
  let lastIn: Input | null = null;
  let lastOut: Vec | null = null;
  return (inp) => {
    if (inp !== lastIn) { lastOut = f(inp); lastIn = inp; }
    return lastOut!;
  };
}

function literalValue(v: unknown, t: SqlType): unknown {
  if (v === null || v === undefined) return null;
  return v;
}

function makeCx(ctx: ExprContext): CompileCx {
  return { ctx, zone: makeZone(ctx.timeZone ?? 'UTC') };
}

// ─── public entry points ───────────────────────────────────────────────────────────────────────

type OutputKernel = (batch: arrow.RecordBatch, inp: Input, pool: ScratchPool) => arrow.Data;

/**
 * Run `f` over one batch with the kernel's scratch pool; the pool gets its arrays back afterwards
 * (even when the kernel fails), except those an output column kept.
 */
function withInput<R>(pool: ScratchPool, batch: arrow.RecordBatch, f: (inp: Input) => R): R {
  const inp: Input = { columns: batch.data.children, length: batch.numRows, alloc: pool };
  try {
    return f(inp);
  } finally {
    pool.release();
  }
}

/** A kernel computing `e` for every row of a batch: an Arrow column of exprType(e). */
export function compileExpr(e: BoundExpr, input: Schema, ctx: ExprContext): (batch: arrow.RecordBatch) => arrow.Data {
  const k = compileWith(new Compiler(input, makeCx(ctx)), e);
  const pool = new ScratchPool();
  return (batch) => withInput(pool, batch, (inp) => k(batch, inp, pool));
}

function compileWith(c: Compiler, e: BoundExpr): OutputKernel {
  if (e.kind === 'column') {
    const i = e.index;
    return (batch) => batch.data.children[i]!; // zero-copy
  }
  const path = fieldPath(e);
  if (path) return (batch) => structChild(batch.data.children[path.column]!, path.fields);
  const node = c.compile(e);
  const t = exprType(e);
  return (_batch, inp, pool) => toData(node.eval(inp), t, (b) => pool.keep(b));
}

/** The rows of a batch where `e` is TRUE (not FALSE, not NULL): a selection vector. */
export function compilePredicate(e: BoundExpr, input: Schema, ctx: ExprContext): (batch: arrow.RecordBatch) => { indices: Uint32Array; count: number } {
  const node = new Compiler(input, makeCx(ctx)).compile(e);
  const pool = new ScratchPool();
  return (batch) => withInput(pool, batch, (inp) => trueIndices(node.eval(inp) as BoolVec));
}

/**
 * Kernels for a list of expressions over the same input (a SELECT list), sharing column reads and
 * repeated sub-expressions. A bare column passes through as the same Data object; `col.field`
 * passes the struct's child through.
 */
export function compileProjection(exprs: readonly BoundExpr[], input: Schema, ctx: ExprContext): (batch: arrow.RecordBatch) => arrow.Data[] {
  const c = new Compiler(input, makeCx(ctx));
  const kernels = exprs.map((e) => compileWith(c, e));
  const pool = new ScratchPool();
  return (batch) => withInput(pool, batch, (inp) => kernels.map((k) => k(batch, inp, pool)));
}

/** The value of an expression that reads no column (JS value per common/types.ts). */
export function evaluateConstant(e: BoundExpr, ctx: ExprContext): unknown {
  const node = new Compiler({ columns: [] }, makeCx(ctx)).compile(e);
  return getter(node.eval({ columns: [], length: 1, alloc: HEAP }), node.type)(0);
}

// ─── struct field pass-through ─────────────────────────────────────────────────────────────────

/** `col.a.b`: the column index and field indices, or null for any other expression. */
function fieldPath(e: BoundExpr): { column: number; fields: number[] } | null {
  const fields: number[] = [];
  let cur = e;
  while (cur.kind === 'field') { fields.unshift(cur.fieldIndex); cur = cur.operand; }
  return cur.kind === 'column' && fields.length > 0 ? { column: cur.index, fields } : null;
}

/**
 * A struct's child column as it is (arrow-js slices children with their parent, so parent row i is
 * child row i), with the parent's nulls added to the child's validity where the parent has any.
 */
function structChild(d: arrow.Data, fields: readonly number[]): arrow.Data {
  let cur = d;
  for (const f of fields) {
    const child = cur.children[f]!;
    if (cur.nullCount === 0) { cur = child; continue; }
    const n = child.length;
    const pv = readValidity(cur)!;
    const cv = readValidity(child);
    const valid = new Uint8Array(n);
    for (let i = 0; i < n; i++) valid[i] = pv[i]! & (cv === null ? 1 : cv[i]!);
    // the new bitmap is addressed from the child's own offset, like its other buffers
    const off = child.offset;
    const { nullCount } = bitmapFromMask(valid, n);
    const bm = new Uint8Array((off + n + 7) >> 3);
    for (let i = 0; i < n; i++) if (valid[i] === 1) { const j = off + i; bm[j >> 3]! |= 1 << (j & 7); }
    cur = new arrow.Data(child.type, off, n, nullCount, [child.valueOffsets, child.values, bm, child.typeIds], child.children, child.dictionary);
  }
  return cur;
}
