/**
 * The memory tables of one engine: what `engine.input(name).push(rows)` appends to and what
 * `engine.output(name).rows()` reads. Names are case-insensitive, as unquoted SQL names.
 *
 * Input: every push is one batch, converted to the table's schema at push time (a value that does
 * not convert is WeirError('INPUT') naming the row, the column and the value: the API caller made
 * the mistake and hears of it at once). A source's offset is the number of batches pushed.
 *
 * Output: the sink records each batch's rows with their row kinds; rows() is the result table as the
 * output mode defines it (see MemoryOutput).
 */
import * as arrow from 'apache-arrow';
import { batchToRows } from '../../common/columns.js';
import { WeirError } from '../../common/errors.js';
import { fromArrowSchema, type Schema } from '../../common/schema.js';
import { typesEqual } from '../../common/types.js';
import { ConversionFailure, convertValue, fieldOf } from '../formats/convert.js';
import { ColumnsCollector } from '../formats/decoded.js';
import { MemoryOutput, type ChangelogRetention } from './output.js';

/** Row objects, or an Arrow Table / RecordBatch (of this or another apache-arrow version, dictionary columns too). */
export type PushRows = readonly object[] | arrow.Table | arrow.RecordBatch | { readonly numRows: number; readonly schema: unknown; getChildAt(i: number): unknown };

export interface MemoryInput {
  push(rows: PushRows): void;
  /**
   * push(), waiting first while the table holds more unconsumed rows than its bound (the engine's
   * `memory.maxUnconsumedRows`), so a producer faster than the queries waits instead of growing memory.
   */
  write(rows: PushRows): Promise<void>;
  /** No more rows will come: the table's source becomes bounded (a push after this is an error). */
  end(): void;
}

export interface MemoryTablesOptions {
  /** what outputs keep of their changelog (output.ts); default 'consumed' */
  readonly changelog?: ChangelogRetention;
  /** write() waits while a table holds more unconsumed rows than this (default 100 000) */
  readonly maxUnconsumedRows?: number;
}

/**
 * One table's pushes. Offsets are absolute push counts; pushes every reader (a query's source) has
 * committed are released, so `first` moves on and memory stays bounded.
 */
class InputLog {
  batches: arrow.RecordBatch[] = [];
  /** absolute offset of batches[0] */
  first = 0;
  rows = 0;
  ended = false;
  /**
   * Per reader, the offsets its last two commits reached: pushes are released up to the older one,
   * so a query can still re-run its last batch (planned, not committed: the checkpoint protocol's one
   * uncommitted batch) from the same rows, as a durable log would let it.
   */
  readonly readers = new Map<symbol, { previous: number; latest: number }>();
  /** write() calls waiting for room */
  waiters: (() => void)[] = [];

  get count(): number { return this.first + this.batches.length; }

  /** Rows some reader has not committed yet (the batch kept for a re-run does not count). */
  get unconsumed(): number {
    let floor = Infinity;
    for (const r of this.readers.values()) floor = Math.min(floor, r.latest);
    if (floor === Infinity) floor = this.first;
    let n = 0;
    for (let i = Math.max(0, floor - this.first); i < this.batches.length; i++) n += this.batches[i]!.numRows;
    return n;
  }

  /** Release the pushes every reader committed (none are released while no query reads the table). */
  release(): void {
    if (this.readers.size === 0) return;
    let floor = Infinity;
    for (const r of this.readers.values()) floor = Math.min(floor, r.previous);
    const n = Math.min(floor - this.first, this.batches.length);
    if (n <= 0) return;
    for (let i = 0; i < n; i++) this.rows -= this.batches[i]!.numRows;
    this.batches = this.batches.slice(n);
    this.first += n;
    this.wake();
  }

  wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

export class MemoryTables {
  private readonly schemas = new Map<string, { name: string; schema: Schema }>();
  private readonly inputs = new Map<string, InputLog>();
  private readonly outputs = new Map<string, MemoryOutput>();
  private readonly maxUnconsumedRows: number;
  /** when write() last gave the event loop a turn */
  private lastTurn = 0;

  constructor(private readonly options: MemoryTablesOptions = {}) {
    this.maxUnconsumedRows = options.maxUnconsumedRows ?? 100_000;
  }

  private static key(name: string): string {
    return name.toLowerCase();
  }

  /** Declare a memory table (the engine does this for each CREATE TABLE ... WITH ('connector' = 'memory')). */
  register(name: string, schema: Schema): void {
    const k = MemoryTables.key(name);
    const prev = this.schemas.get(k);
    this.schemas.set(k, { name, schema });
    // a table re-created with another schema starts empty
    if (prev && !sameSchema(prev.schema, schema)) {
      this.inputs.delete(k);
      this.outputs.delete(k);
    }
  }

  has(name: string): boolean {
    return this.schemas.has(MemoryTables.key(name));
  }

  schemaOf(name: string): Schema {
    const t = this.schemas.get(MemoryTables.key(name));
    if (!t) {
      const known = [...this.schemas.values()].map((s) => `'${s.name}'`).join(', ');
      throw new WeirError('BIND', `no memory table '${name}'${known ? `; memory tables: ${known}` : ''}`);
    }
    return t.schema;
  }

  private log(name: string): InputLog {
    const k = MemoryTables.key(name);
    let l = this.inputs.get(k);
    if (!l) this.inputs.set(k, (l = new InputLog()));
    return l;
  }

  input(name: string): MemoryInput {
    const schema = this.schemaOf(name);
    const push = (rows: PushRows): void => {
      const log = this.log(name);
      if (log.ended) throw new WeirError('INPUT', `memory table '${name}': push() after end()`);
      const batch = toBatch(name, schema, rows);
      log.batches.push(batch);
      log.rows += batch.numRows;
    };
    return {
      push,
      write: async (rows) => {
        const log = this.log(name);
        // wait for room; with no query reading the table nothing would make room, so do not wait then
        while (log.unconsumed >= this.maxUnconsumedRows && log.readers.size > 0 && !log.ended) {
          await new Promise<void>((resolve) => log.waiters.push(resolve));
        }
        push(rows);
        // a turn for the queries and the readers of their results every few milliseconds: a producer
        // looping on write() would otherwise run ahead of them on promise callbacks alone
        const now = performance.now();
        if (now - this.lastTurn > 2) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          this.lastTurn = performance.now();
        }
      },
      end: () => {
        this.log(name).ended = true;
      },
    };
  }

  /** True once the table's input was ended: nothing is pushed after the batches there are. */
  ended(name: string): boolean {
    return this.inputs.get(MemoryTables.key(name))?.ended ?? false;
  }

  /** The number of pushes so far (absolute: released ones count). */
  pushCount(name: string): number {
    return this.inputs.get(MemoryTables.key(name))?.count ?? 0;
  }

  /** Rows of a table not yet released (pushed and not committed by every query reading it). */
  unconsumedRows(name: string): number {
    return this.inputs.get(MemoryTables.key(name))?.unconsumed ?? 0;
  }

  /** The pushes at absolute offsets [from, to) (the source reads these). */
  pushedBetween(name: string, from: number, to: number): readonly arrow.RecordBatch[] {
    const log = this.log(name);
    if (from < log.first) {
      throw new WeirError('STATE', `memory table '${name}': pushes ${from}..${log.first - 1} were released after every query reading the table committed them; a query resuming before them cannot read them again`);
    }
    return log.batches.slice(from - log.first, to - log.first);
  }

  /** The pushes kept so far (tests and `weir compare`). */
  pushed(name: string): readonly arrow.RecordBatch[] {
    return this.inputs.get(MemoryTables.key(name))?.batches ?? [];
  }

  /** A query's source starts reading a table: pushes are kept until it commits them. */
  addReader(name: string): symbol {
    const id = Symbol(name);
    const log = this.log(name);
    log.readers.set(id, { previous: log.first, latest: log.first });
    return id;
  }

  /** A reader committed everything before absolute offset `offset`. */
  committed(name: string, reader: symbol, offset: number): void {
    const log = this.log(name);
    const r = log.readers.get(reader);
    if (r === undefined || offset <= r.latest) return;
    log.readers.set(reader, { previous: r.latest, latest: offset });
    log.release();
    log.wake(); // what this reader committed no longer counts against the bound
  }

  removeReader(name: string, reader: symbol): void {
    const log = this.log(name);
    log.readers.delete(reader);
    log.wake(); // a writer waiting for this reader must not wait forever
  }

  /** What a memory sink wrote into a table. */
  output(name: string): MemoryOutput {
    const schema = this.schemaOf(name);
    const k = MemoryTables.key(name);
    let out = this.outputs.get(k);
    if (!out) this.outputs.set(k, (out = new MemoryOutput(schema, this.options.changelog)));
    return out;
  }
}

/**
 * An Arrow Table or RecordBatch from another copy (another major version) of apache-arrow: known by
 * its shape, since `instanceof` only knows this copy's classes.
 */
interface ArrowLike {
  readonly numRows: number;
  readonly schema: { readonly fields: readonly { readonly name: string }[] };
  getChildAt(i: number): { get(row: number): unknown } | null;
}

function isArrowLike(x: unknown): x is ArrowLike {
  const o = x as Partial<ArrowLike> | null;
  return typeof o === 'object' && o !== null && !Array.isArray(o) && typeof o.numRows === 'number'
    && Array.isArray(o.schema?.fields) && typeof o.getChildAt === 'function';
}

/** Rows of a foreign Arrow table, read column by column through its own getters. */
function arrowLikeRows(t: ArrowLike): Record<string, unknown>[] {
  const names = t.schema.fields.map((f) => f.name);
  const cols = names.map((_, i) => t.getChildAt(i));
  const out: Record<string, unknown>[] = new Array(t.numRows);
  for (let r = 0; r < t.numRows; r++) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < names.length; c++) row[names[c]!] = plainValue(cols[c]?.get(r) ?? null);
    out[r] = row;
  }
  return out;
}

/** A struct row of a foreign Arrow table as a plain object (its own toJSON), anything else as is. */
function plainValue(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function' && !(v instanceof Date)) {
    return (v as { toJSON(): unknown }).toJSON();
  }
  return v;
}

function sameSchema(a: Schema, b: Schema): boolean {
  return a.columns.length === b.columns.length
    && a.columns.every((c, i) => c.name === b.columns[i]!.name && typesEqual(c.type, b.columns[i]!.type));
}

/** Pushed rows as one batch of `schema`; an Arrow batch of exactly that schema is taken as is. */
function toBatch(table: string, schema: Schema, rows: PushRows): arrow.RecordBatch {
  if (rows instanceof arrow.RecordBatch && sameSchema(fromArrowSchema(rows.schema), schema)) return rows;
  const objects: readonly object[] = rows instanceof arrow.Table
    ? rows.batches.flatMap((b) => batchToRows(b))
    : rows instanceof arrow.RecordBatch ? batchToRows(rows)
      : isArrowLike(rows) ? arrowLikeRows(rows) : rows as readonly object[];
  if (!Array.isArray(objects)) {
    throw new WeirError('INPUT', `memory table '${table}': push() takes an array of row objects or an Arrow Table`);
  }
  const out = new ColumnsCollector(schema);
  const cols = schema.columns;
  const values: unknown[] = new Array(cols.length);
  objects.forEach((row, r) => {
    if (typeof row !== 'object' || row === null) {
      throw new WeirError('INPUT', `memory table '${table}', row ${r}: not an object`);
    }
    try {
      for (let c = 0; c < cols.length; c++) {
        values[c] = convertValue(cols[c]!.type, fieldOf(row as Record<string, unknown>, cols[c]!.name), cols[c]!.name);
      }
      out.add(values);
    } catch (e) {
      if (e instanceof ConversionFailure) throw new WeirError('INPUT', `memory table '${table}', row ${r}: ${e.reason}`);
      throw e;
    }
  });
  return out.finish();
}
