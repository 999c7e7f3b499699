/**
 * The nexmark source: offsets are the number of events emitted so far (a JSON number), and the rows
 * of (start, end] are generated on demand, so a re-run of a batch after a crash yields the very same
 * rows without anything being stored.
 *
 * By default events are available as fast as the engine asks (capped per batch by
 * `source.max-events-per-batch`). With `source.pace` (or `rate-limit`) = 'true', the number available
 * follows the engine clock at `first-event.rate` events per second from the first call, so a demo
 * runs in real time.
 */
import * as arrow from 'apache-arrow';
import { batchFromColumns } from '../../common/columns.js';
import { WeirError } from '../../common/errors.js';
import { toArrowSchema, type Schema } from '../../common/schema.js';
import type { ClockLike, ConnectorContext, Json, SourceReadResult, SplittableSource } from '../api.js';
import { ALL_COLUMNS, generateEvents, type ColumnSelection, type GeneratedColumns } from './generator.js';
import type { NexmarkSourceOptions } from './options.js';
import { STRUCT_FIELDS, type ColumnSource, type StructName } from './schema.js';

/** How often a paced source asks to be polled: new events appear continuously. */
const PACED_POLL_MS = 100;

export class NexmarkSource implements SplittableSource {
  readonly schema: Schema;
  readonly description: string;
  readonly bounded: boolean;
  /** events are a function of their number and the seed: a committed range reads the same again */
  readonly replayable = true;
  readonly pollIntervalMs: number | undefined;
  private readonly arrowSchema: arrow.Schema;
  private readonly select: ColumnSelection;
  private readonly clock: ClockLike;
  /** when pacing: the clock time and offset of the first latestOffset call */
  private paceOrigin: { readonly time: number; readonly offset: number } | undefined;

  constructor(
    schema: Schema,
    private readonly columns: readonly ColumnSource[],
    private readonly options: NexmarkSourceOptions,
    ctx: ConnectorContext,
  ) {
    this.schema = schema;
    this.arrowSchema = toArrowSchema(schema);
    this.bounded = options.eventsNum !== undefined;
    this.pollIntervalMs = options.pace ? PACED_POLL_MS : undefined;
    this.clock = ctx.clock;
    // the full-field mode generates every field of every event, whatever the query reads
    this.select = options.config.mode === 'full' ? ALL_COLUMNS : selection(schema, columns, ctx.requiredColumns, ctx.requiredFields);
    const c = options.config;
    this.description = `nexmark[rate=${c.firstEventRate}/s${this.bounded ? `, events=${options.eventsNum}` : ''}${options.pace ? ', paced' : ''}${c.mode === 'full' ? ', full' : ''}]`;
  }

  async latestOffset(start: Json | undefined): Promise<Json | undefined> {
    const from = offsetOf(start);
    let end = from + this.options.maxEventsPerBatch;
    if (this.options.eventsNum !== undefined) end = Math.min(end, this.options.eventsNum);
    if (this.options.pace) {
      const now = this.clock.now();
      this.paceOrigin ??= { time: now, offset: from };
      const elapsed = Math.max(0, now - this.paceOrigin.time);
      end = Math.min(end, this.paceOrigin.offset + Math.floor((elapsed * this.options.config.firstEventRate) / 1000));
    }
    return end > from ? end : start;
  }

  async read(start: Json | undefined, end: Json): Promise<SourceReadResult> {
    const from = offsetOf(start);
    const to = offsetOf(end);
    const batches: arrow.RecordBatch[] = [];
    const step = this.options.maxEventsPerBatch;
    for (let a = from; a < to; a += step) {
      const b = Math.min(to, a + step);
      batches.push(this.toBatch(generateEvents(this.options.config, a, b, this.select)));
    }
    return { batches, rejected: [] };
  }

  /**
   * (start, end] in `pieces` contiguous ranges of events (`[from, to]`), as splitRange cuts rows, for
   * a parallel query's tasks: each generates its own range, in its own thread (readPiece).
   */
  async splitBetween(start: Json | undefined, end: Json, pieces: number): Promise<readonly Json[]> {
    const from = offsetOf(start);
    const n = offsetOf(end) - from;
    return Array.from({ length: pieces }, (_, p) => [from + Math.ceil((p * n) / pieces), from + Math.ceil(((p + 1) * n) / pieces)]);
  }

  async readPiece(piece: Json): Promise<SourceReadResult> {
    if (!Array.isArray(piece) || piece.length !== 2) throw new WeirError('STATE', `not a piece of a nexmark batch: ${JSON.stringify(piece)}`);
    return this.read(piece[0], piece[1]!);
  }

  isExhausted(offset: Json | undefined): boolean {
    return this.options.eventsNum !== undefined && offsetOf(offset) >= this.options.eventsNum;
  }

  async close(): Promise<void> {
    // nothing is held between batches
  }

  /** The generated columns in the table's declared layout (order, field subsets, field names). */
  private toBatch(g: GeneratedColumns): arrow.RecordBatch {
    const fields = this.arrowSchema.fields;
    const cols = this.columns.map((c, k): arrow.Data => {
      if (c.kind === 'event_type') return g.eventType;
      const d = g[c.struct];
      return arrow.makeData({
        type: fields[k]!.type as arrow.Struct, length: d.length, nullCount: d.nullCount, nullBitmap: d.nullBitmap,
        children: c.fields.map((f) => d.children[f]!),
      });
    });
    return batchFromColumns(this.arrowSchema, cols, g.length);
  }
}

/**
 * Which ROW columns to generate (all, or those the query reads), and of each, which fields (those
 * the query reads, when the planner says it reads only some: `requiredFields`).
 */
export function selection(
  schema: Schema,
  columns: readonly ColumnSource[],
  required: readonly number[] | undefined,
  requiredFields: ReadonlyMap<number, readonly string[]> | undefined,
): ColumnSelection {
  const wanted = required ?? columns.map((_, k) => k);
  const structs: Partial<Record<StructName, boolean>> = {};
  const fields: Partial<Record<StructName, boolean[]>> = {};
  for (const k of wanted) {
    const c = columns[k];
    if (c === undefined || c.kind !== 'struct') continue;
    structs[c.struct] = true;
    const names = requiredFields?.get(k);
    const type = schema.columns[k]!.type;
    if (names === undefined || type.kind !== 'ROW') continue;
    const mask = new Array<boolean>(STRUCT_FIELDS[c.struct].length).fill(false);
    const declared = names.map((name) => type.fields.findIndex((f) => f.name.toLowerCase() === name.toLowerCase()));
    // A name the table does not declare: be safe and generate the whole struct.
    if (declared.some((d) => d < 0)) continue;
    for (const d of declared) mask[c.fields[d]!] = true;
    fields[c.struct] = mask;
  }
  return selectionOf(structs, fields);
}

function selectionOf(structs: Partial<Record<StructName, boolean>>, fields: Partial<Record<StructName, boolean[]>>): ColumnSelection {
  return { person: structs.person === true, auction: structs.auction === true, bid: structs.bid === true, fields };
}

function offsetOf(offset: Json | undefined): number {
  if (offset === undefined || offset === null) return 0;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new WeirError('STATE', `a nexmark source offset is a number of events, not ${JSON.stringify(offset)}`);
  }
  return offset;
}
