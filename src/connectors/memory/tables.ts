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
import { MemoryOutput } from './output.js';

export type PushRows = readonly object[] | arrow.Table | arrow.RecordBatch;

export interface MemoryInput {
  push(rows: PushRows): void;
  /** No more rows will come: the table's source becomes bounded (a push after this is an error). */
  end(): void;
}

export class MemoryTables {
  private readonly schemas = new Map<string, { name: string; schema: Schema }>();
  private readonly inputs = new Map<string, arrow.RecordBatch[]>();
  private readonly outputs = new Map<string, MemoryOutput>();
  /** tables whose input was ended */
  private readonly endedInputs = new Set<string>();

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
      this.endedInputs.delete(k);
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

  input(name: string): MemoryInput {
    const schema = this.schemaOf(name);
    const k = MemoryTables.key(name);
    return {
      push: (rows) => {
        if (this.endedInputs.has(k)) throw new WeirError('INPUT', `memory table '${name}': push() after end()`);
        const batch = toBatch(name, schema, rows);
        let list = this.inputs.get(k);
        if (!list) this.inputs.set(k, (list = []));
        list.push(batch);
      },
      end: () => {
        this.endedInputs.add(k);
      },
    };
  }

  /** True once the table's input was ended: nothing is pushed after the batches there are. */
  ended(name: string): boolean {
    return this.endedInputs.has(MemoryTables.key(name));
  }

  /** The batches pushed into a table so far (the source reads from this list). */
  pushed(name: string): readonly arrow.RecordBatch[] {
    return this.inputs.get(MemoryTables.key(name)) ?? [];
  }

  /** What a memory sink wrote into a table. */
  output(name: string): MemoryOutput {
    const schema = this.schemaOf(name);
    const k = MemoryTables.key(name);
    let out = this.outputs.get(k);
    if (!out) this.outputs.set(k, (out = new MemoryOutput(schema)));
    return out;
  }
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
    : rows instanceof arrow.RecordBatch ? batchToRows(rows) : rows;
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
