/**
 * The Nexmark event generator: a pure function from (config, event range) to Arrow columns.
 *
 * Event ids count from 1; the offset of a source is the number of events emitted, so the events
 * after offset `from` up to offset `to` are ids from+1 … to. An event's type follows
 * `eventId mod (p+a+b)` (p person, a auction, b bid proportions; 1/3/46 by default), its random
 * draws derive from (seed, eventId) alone (random.ts), and its time from its event number
 * (GenPlan in model.ts); nothing depends on how the range is split into batches.
 *
 * Columns are built directly as typed arrays (model.ts writes one event of each kind). A struct not
 * in `select` comes out as an all-null column and none of its values are drawn; so does a field not
 * in `select.fields`.
 */
import * as arrow from 'apache-arrow';
import { InternalError } from '../../common/errors.js';
import { valueAt } from '../../common/columns.js';
import { nullStruct } from './builders.js';
import { AUCTION_ARROW, BID_ARROW, PERSON_ARROW } from './schema.js';
import {
  AuctionBuilder, BidBuilder, EVENT_AUCTION, EVENT_BID, EVENT_PERSON, PersonBuilder, planOf, type FieldMask, type GenPlan,
} from './model.js';

export interface NexmarkConfig {
  /** seeds every random draw; any integer */
  readonly seed: number;
  /** event time of event 1, epoch ms */
  readonly baseTime: number;
  /** events per second of event time (and of processing time when the source is paced) */
  readonly firstEventRate: number;
  /**
   * Accepted for the benchmark's DDL; as in the reference generator's single-step rate shape, event
   * spacing follows `firstEventRate` only.
   */
  readonly nextEventRate: number;
  readonly personProportion: number;
  readonly auctionProportion: number;
  readonly bidProportion: number;
  /** parallel generators emulated (1 = events in time order) */
  readonly generators: number;
  /**
   * 'pruned': only the fields a query reads, strings copied from pre-drawn random text (fast);
   * 'full': every field of every event, each string drawn as the reference generator draws it
   * (names and descriptions per character, `extra` six letters a draw): the like-for-like mode for
   * comparing with other systems. Both give the same values.
   */
  readonly mode: 'pruned' | 'full';
}

/** 2026-01-01T00:00:00Z */
export const DEFAULT_BASE_TIME = Date.UTC(2026, 0, 1);

export const DEFAULT_NEXMARK_CONFIG: NexmarkConfig = {
  seed: 0,
  baseTime: DEFAULT_BASE_TIME,
  firstEventRate: 10_000,
  nextEventRate: 10_000,
  personProportion: 1,
  auctionProportion: 3,
  bidProportion: 46,
  generators: 1,
  mode: 'pruned',
};

export function nexmarkConfig(overrides: Partial<NexmarkConfig> = {}): NexmarkConfig {
  return { ...DEFAULT_NEXMARK_CONFIG, ...overrides };
}

/** Which ROW columns to fill; the others come out all-null. */
export interface ColumnSelection {
  readonly person: boolean;
  readonly auction: boolean;
  readonly bid: boolean;
  /**
   * Of a filled struct, which fields to fill (by index in schema.ts's field lists); a struct not
   * listed is filled whole. The other fields come out all-null.
   */
  readonly fields?: { readonly person?: FieldMask; readonly auction?: FieldMask; readonly bid?: FieldMask };
}

export const ALL_COLUMNS: ColumnSelection = { person: true, auction: true, bid: true };

export interface GeneratedColumns {
  readonly length: number;
  readonly eventType: arrow.Data<arrow.Int32>;
  readonly person: arrow.Data<arrow.Struct>;
  readonly auction: arrow.Data<arrow.Struct>;
  readonly bid: arrow.Data<arrow.Struct>;
  /** the four columns in nexmarkSchema() order */
  readonly columns: readonly arrow.Data[];
}

export { EVENT_AUCTION, EVENT_BID, EVENT_PERSON } from './model.js';

/** The type (0 person, 1 auction, 2 bid) of event `eventId`. */
export function eventTypeOf(config: NexmarkConfig, eventId: number): number {
  const p = config.personProportion;
  const rem = eventId % (p + config.auctionProportion + config.bidProportion);
  return rem < p ? EVENT_PERSON : rem < p + config.auctionProportion ? EVENT_AUCTION : EVENT_BID;
}

/** Event time (epoch ms) of event `eventId`. */
export function eventTimeOf(config: NexmarkConfig, eventId: number): number {
  const plan = planOf(config);
  return plan.time(plan.eventNumber(eventId - 1));
}

function checkRange(from: number, to: number): void {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from) {
    throw new InternalError(`nexmark: bad event range (${from}, ${to}]`);
  }
}

/** The events after offset `from` up to offset `to` (event ids from+1 … to), as Arrow columns. */
export function generateEvents(
  config: NexmarkConfig,
  fromEventIndex: number,
  toEventIndex: number,
  select: ColumnSelection = ALL_COLUMNS,
): GeneratedColumns {
  checkRange(fromEventIndex, toEventIndex);
  const plan: GenPlan = planOf(config);
  const n = toEventIndex - fromEventIndex;
  const { total, p, pa } = plan;

  // Pass 1: the types, and how many rows of each (to size the string buffers).
  const eventType = new Int32Array(n);
  const counts = [0, 0, 0];
  let rem = (fromEventIndex + 1) % total;
  for (let i = 0; i < n; i++) {
    const t = rem < p ? EVENT_PERSON : rem < pa ? EVENT_AUCTION : EVENT_BID;
    eventType[i] = t;
    counts[t]!++;
    if (++rem === total) rem = 0;
  }

  const f = select.fields;
  const persons = select.person ? new PersonBuilder(plan, n, counts[EVENT_PERSON]!, f?.person) : undefined;
  const auctions = select.auction ? new AuctionBuilder(plan, n, counts[EVENT_AUCTION]!, f?.auction) : undefined;
  const bids = select.bid ? new BidBuilder(plan, n, counts[EVENT_BID]!, f?.bid) : undefined;

  // Pass 2: the values. `epoch` and `rem` are eventId div/mod total, kept incrementally.
  let eventId = fromEventIndex + 1;
  let epoch = Math.floor(eventId / total);
  rem = eventId - epoch * total;
  for (let i = 0; i < n; i++, eventId++) {
    const t = eventType[i]!;
    if (t === EVENT_BID) {
      if (bids !== undefined) bids.write(i, eventId, epoch, rem);
    } else if (t === EVENT_AUCTION) {
      if (auctions !== undefined) auctions.write(i, eventId, epoch, rem);
    } else if (persons !== undefined) {
      persons.write(i, eventId, epoch, rem);
    }
    if (++rem === total) {
      rem = 0;
      epoch++;
    }
  }

  const eventTypeData = arrow.makeData({ type: new arrow.Int32(), length: n, nullCount: 0, data: eventType });
  const person = persons ? persons.finish(n) : nullStruct(PERSON_ARROW, n);
  const auction = auctions ? auctions.finish(n) : nullStruct(AUCTION_ARROW, n);
  const bid = bids ? bids.finish(n) : nullStruct(BID_ARROW, n);
  return { length: n, eventType: eventTypeData, person, auction, bid, columns: [eventTypeData, person, auction, bid] };
}

/** One event as a plain object (as `valueAt` reads it: BIGINT and TIMESTAMP as numbers). */
export interface NexmarkRow {
  readonly event_type: number;
  readonly person: Record<string, unknown> | null;
  readonly auction: Record<string, unknown> | null;
  readonly bid: Record<string, unknown> | null;
}

/**
 * The same events as plain objects, for tests and the DuckDB oracle. Built from generateEvents, so
 * they are the very rows the source emits.
 */
export function generateRows(config: NexmarkConfig, fromEventIndex: number, toEventIndex: number): NexmarkRow[] {
  const g = generateEvents(config, fromEventIndex, toEventIndex);
  const rows: NexmarkRow[] = new Array(g.length);
  for (let i = 0; i < g.length; i++) {
    rows[i] = {
      event_type: valueAt(g.eventType, i) as number,
      person: valueAt(g.person, i) as Record<string, unknown> | null,
      auction: valueAt(g.auction, i) as Record<string, unknown> | null,
      bid: valueAt(g.bid, i) as Record<string, unknown> | null,
    };
  }
  return rows;
}
