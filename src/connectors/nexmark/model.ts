/**
 * One Person, Auction or Bid event at a time, written straight into column builders.
 *
 * The value rules follow NEXMARK.md's "Generator facts" (themselves the reference generator's):
 * hot sellers, bidders and auctions, log-uniform prices, channels, `extra` padding to an average
 * event size. Draw numbers (the second argument of `draw`) are fixed per field, so each field of an
 * event is a function of (seed, eventId) only.
 */
import * as arrow from 'apache-arrow';
import { bidExtraPlan, BidExtraOut, type BidExtraPlan } from './bid-extra.js';
import { allNull, I64Out, Utf8Out, i64Data, setValid } from './builders.js';
import type { NexmarkConfig } from './generator.js';
import {
  below, channelTables, CHANNELS, CITY_TABLE, draw, drawnByte, eventHash, LETTERS_SOURCE, NAME_TABLE, seedWords, SLICE_SPAN,
  STATE_TABLE, TEXT_SOURCE, type ByteTable, type TextSource, type ChannelTables, type SeedWords,
} from './random.js';
import { AUCTION_ARROW, BID_ARROW, PERSON_ARROW } from './schema.js';

export const EVENT_PERSON = 0;
export const EVENT_AUCTION = 1;
export const EVENT_BID = 2;

const FIRST_PERSON_ID = 1000;
const FIRST_AUCTION_ID = 1000;
const FIRST_CATEGORY_ID = 10;
const NUM_CATEGORIES = 5;
const ACTIVE_PEOPLE = 1000;
const IN_FLIGHT_AUCTIONS = 100;
/** ids that may be drawn ahead of the last one created */
const ID_LEAD = 10;
const HOT_RATIO = 100;
/** event time one round of emulated parallel generators may span: the most disorder they cause */
const MAX_DISORDER_MS = 2000;

const AVG_PERSON_BYTES = 200;
const AVG_AUCTION_BYTES = 500;
const AVG_BID_BYTES = 100;
/** a bid's bytes besides `extra`, as the reference generator counts them */
const BID_FIXED_BYTES = 32;

const LONG_TIME = new arrow.TimestampMillisecond();
const LONG = new arrow.Int64();
const UTF8 = new arrow.Utf8();

/** Everything derived once from a config. */
export class GenPlan {
  readonly p: number;
  readonly a: number;
  readonly pa: number;
  /** the bid proportion */
  readonly b: number;
  readonly total: number;
  /** what bid `extra` values derive from (bid-extra.ts) */
  readonly bidExtra: BidExtraPlan;
  readonly seed: SeedWords;
  readonly channels: ChannelTables;
  /** the full-field mode: strings drawn as the reference generator draws them (random.ts fillLetters, drawnByte) */
  readonly full: boolean;
  /** events until IN_FLIGHT_AUCTIONS more auctions exist: the auction-length horizon */
  readonly horizonEvents: number;
  private readonly rate: number;
  private readonly baseTime: number;
  private readonly gens: number;
  private readonly block: number;

  constructor(c: NexmarkConfig) {
    this.p = c.personProportion;
    this.a = c.auctionProportion;
    this.pa = this.p + this.a;
    this.b = c.bidProportion;
    this.total = this.pa + c.bidProportion;
    this.seed = seedWords(c.seed);
    // `extra` pads a bid (32 bytes of other fields) to AVG_BID_BYTES ±20 %: 54–81 letters
    const desired = AVG_BID_BYTES - BID_FIXED_BYTES;
    const delta = Math.round(desired * 0.2);
    this.bidExtra = bidExtraPlan(this.seed, desired - delta, 2 * delta);
    this.channels = channelTables(this.seed);
    this.full = c.mode === 'full';
    this.horizonEvents = this.a > 0 ? Math.floor((IN_FLIGHT_AUCTIONS * this.total) / this.a) : 0;
    this.rate = c.firstEventRate;
    this.baseTime = c.baseTime;
    this.gens = c.generators;
    // Each emulated generator emits `block` events in a row; a round of all generators spans at most
    // MAX_DISORDER_MS of event time, which bounds the disorder well inside the 4 s watermark delay.
    this.block = Math.max(1, Math.floor((MAX_DISORDER_MS * this.rate) / 1000 / this.gens));
  }

  /**
   * The time-line position of the k0-th emitted event (k0 = eventId - 1). With one generator it is k0.
   * With P generators, generator g owns positions ≡ g (mod P) and the output interleaves blocks of
   * `block` events from each generator in turn.
   */
  eventNumber(k0: number): number {
    const P = this.gens;
    if (P === 1) return k0;
    const B = this.block;
    const round = Math.floor(k0 / (B * P));
    const within = k0 - round * B * P;
    const g = Math.floor(within / B);
    return (round * B + (within - g * B)) * P + g;
  }

  /** baseTime + ⌊eventNumber × 10⁶/rate µs⌋ / 1000, in whole ms. */
  time(eventNumber: number): number {
    return this.baseTime + Math.floor(Math.floor((eventNumber * 1e6) / this.rate) / 1000);
  }
}

const plans = new WeakMap<NexmarkConfig, GenPlan>();

export function planOf(config: NexmarkConfig): GenPlan {
  let plan = plans.get(config);
  if (!plan) {
    plan = new GenPlan(config);
    plans.set(config, plan);
  }
  return plan;
}

/**
 * 10^(6·r/2^32) for a uint32 r, as a product of three table entries (r split 11/11/10 bits): the
 * same value as Math.pow to a few ulps, at a fraction of the cost.
 */
const POW_HI = Float64Array.from({ length: 2048 }, (_, k) => Math.pow(10, (6 * k) / 2048));
const POW_MID = Float64Array.from({ length: 2048 }, (_, k) => Math.pow(10, (6 * k) / 2048 / 2048));
const POW_LO = Float64Array.from({ length: 1024 }, (_, k) => Math.pow(10, (6 * k) / 2048 / 2048 / 1024));

/** A price: round(10^(6U) × 100), log-uniform over [100, 10⁸]. */
function price(r: number): number {
  return Math.round(POW_HI[r >>> 21]! * POW_MID[(r >>> 10) & 2047]! * POW_LO[r & 1023]! * 100);
}

/** A base-0 person id among the ~1000 most recent persons plus ID_LEAD not yet created. */
function recentPerson(lastPerson: number, r: number): number {
  const numPeople = lastPerson + 1;
  const active = Math.min(numPeople, ACTIVE_PEOPLE);
  return numPeople - active + below(r, active + ID_LEAD);
}

/** A base-0 auction id among the ~100 most recent auctions plus ID_LEAD not yet created. */
function recentAuction(lastAuction: number, r: number): number {
  const min = Math.max(lastAuction - IN_FLIGHT_AUCTIONS, 0);
  return min + below(r, lastAuction - min + 1 + ID_LEAD);
}

/** The first id of the current block of HOT_RATIO ids. */
function hot(lastId: number): number {
  return Math.max(0, Math.floor(lastId / HOT_RATIO) * HOT_RATIO);
}

/** Copy table entry k into row i of `out` (when the field is generated); its length in bytes. */
function copyEntry(out: Utf8Out | undefined, i: number, table: ByteTable, k: number): number {
  const s = table.offsets[k]!;
  const len = table.offsets[k + 1]! - s;
  if (out !== undefined) {
    out.begin(i, len);
    out.slice(table.bytes, s, len);
    out.end(i);
  }
  return len;
}

/** Append `len` bytes of `src` from `start`: copied, or (full-field mode) drawn anew. */
function putText(out: Utf8Out, src: TextSource, start: number, len: number, full: boolean): void {
  if (full) out.drawn(src, start, len);
  else out.slice(src.bytes, start, len);
}

/** Byte k of the random text, drawn anew in the full-field mode. */
const textByte = (k: number, full: boolean): number => (full ? drawnByte(TEXT_SOURCE.salt, TEXT_SOURCE.special, k) : TEXT_SOURCE.bytes[k]!);

/** A random text of `len` characters (spaces 1 in 13), trimmed like Java's String.trim; its length. */
function text(out: Utf8Out | undefined, i: number, start: number, len: number, full: boolean): number {
  let s = start;
  let e = start + len;
  while (s < e && textByte(s, full) === 32) s++;
  while (e > s && textByte(e - 1, full) === 32) e--;
  if (out !== undefined) {
    out.begin(i, e - s);
    putText(out, TEXT_SOURCE, s, e - s, full);
    out.end(i);
  }
  return e - s;
}

/** `extra`: letters making the event's size `avg` bytes on average (±20 %), none when already over. */
function extra(out: Utf8Out, i: number, h: number, j: number, current: number, avg: number, full: boolean): void {
  let len = 0;
  if (current <= avg) {
    const desired = avg - current;
    const delta = Math.round(desired * 0.2);
    len = desired - delta + (delta === 0 ? 0 : below(draw(h, j), 2 * delta));
  }
  out.begin(i, len);
  putText(out, LETTERS_SOURCE, below(draw(h, j + 1), SLICE_SPAN), len, full);
  out.end(i);
}

/**
 * Which of a struct's fields to generate, by generated field index (schema.ts order); undefined =
 * all. Fields left out come out all-null, and nothing is drawn or copied for them — except the
 * lengths `extra` needs to pad an event to its average size, so `extra` is the same either way.
 */
export type FieldMask = readonly boolean[] | undefined;

const wants = (mask: FieldMask, k: number): boolean => mask === undefined || mask[k] === true;
const i64If = (mask: FieldMask, k: number, rows: number): I64Out | undefined => (wants(mask, k) ? new I64Out(rows) : undefined);
const utf8If = (mask: FieldMask, k: number, rows: number, capacity: number): Utf8Out | undefined =>
  (wants(mask, k) ? new Utf8Out(rows, capacity) : undefined);

/** A finished child column, or all nulls for a field not generated. */
function i64Child(col: I64Out | undefined, type: arrow.Int64 | arrow.TimestampMillisecond, rows: number, v: Uint8Array, nc: number): arrow.Data {
  return col === undefined ? allNull(type, rows) : i64Data(col, type, rows, v, nc);
}

function utf8Child(col: Utf8Out | undefined, rows: number, v: Uint8Array, nc: number): arrow.Data {
  return col === undefined ? allNull(UTF8, rows) : col.finish(rows, v, nc);
}

function structData(type: arrow.Struct, rows: number, valid: Uint8Array, count: number,
  children: (nullCount: number) => arrow.Data[]): arrow.Data<arrow.Struct> {
  const nullCount = rows - count;
  return arrow.makeData({
    type, length: rows, nullCount, nullBitmap: nullCount === 0 ? undefined : valid, children: children(nullCount),
  });
}

export class PersonBuilder {
  private readonly valid: Uint8Array;
  private count = 0;
  private readonly id: I64Out | undefined;
  private readonly dateTime: I64Out | undefined;
  private readonly name: Utf8Out | undefined;
  private readonly email: Utf8Out | undefined;
  private readonly card: Utf8Out | undefined;
  private readonly city: Utf8Out | undefined;
  private readonly state: Utf8Out | undefined;
  private readonly extra: Utf8Out | undefined;
  /** only the generated fields need the per-event hash */
  private readonly drawn: boolean;

  constructor(private readonly plan: GenPlan, rows: number, expected: number, mask: FieldMask = undefined) {
    this.valid = new Uint8Array((rows + 7) >> 3);
    this.id = i64If(mask, 0, rows);
    this.name = utf8If(mask, 1, rows, expected * 12);
    this.email = utf8If(mask, 2, rows, expected * 13);
    this.card = utf8If(mask, 3, rows, expected * 19);
    this.city = utf8If(mask, 4, rows, expected * 8);
    this.state = utf8If(mask, 5, rows, expected * 2);
    this.dateTime = i64If(mask, 6, rows);
    this.extra = utf8If(mask, 7, rows, expected * 150);
    this.drawn = [1, 2, 3, 4, 5, 7].some((k) => wants(mask, k));
  }

  write(i: number, eventId: number, epoch: number, rem: number): void {
    const plan = this.plan;
    setValid(this.valid, i);
    this.count++;
    if (this.id !== undefined) this.id.set(i, FIRST_PERSON_ID + epoch * plan.p + rem);
    if (this.dateTime !== undefined) this.dateTime.set(i, plan.time(plan.eventNumber(eventId - 1)));
    if (this.drawn) this.writeDrawn(i, eventHash(plan.seed, eventId));
  }

  private writeDrawn(i: number, h: number): void {
    const nameLen = copyEntry(this.name, i, NAME_TABLE, below(draw(h, 0), NAME_TABLE.size));
    // e-mail: 3–6 letters @ 3–4 letters .com
    const local = 3 + below(draw(h, 1), 4);
    const domain = 3 + below(draw(h, 3), 2);
    const e = this.email;
    if (e !== undefined) {
      e.begin(i, 15);
      putText(e, LETTERS_SOURCE, below(draw(h, 2), SLICE_SPAN), local, this.plan.full);
      e.byte(64);
      putText(e, LETTERS_SOURCE, below(draw(h, 4), SLICE_SPAN), domain, this.plan.full);
      e.byte(46); // .com
      e.byte(99);
      e.byte(111);
      e.byte(109);
      e.end(i);
    }
    // credit card: four space-separated zero-padded 4-digit groups
    const c = this.card;
    if (c !== undefined) {
      c.begin(i, 19);
      for (let g = 0; g < 4; g++) {
        if (g > 0) c.byte(32);
        const v = below(draw(h, 5 + g), 10000);
        c.byte(48 + Math.floor(v / 1000));
        c.byte(48 + (Math.floor(v / 100) % 10));
        c.byte(48 + (Math.floor(v / 10) % 10));
        c.byte(48 + (v % 10));
      }
      c.end(i);
    }
    const cityLen = copyEntry(this.city, i, CITY_TABLE, below(draw(h, 9), CITY_TABLE.size));
    copyEntry(this.state, i, STATE_TABLE, below(draw(h, 10), STATE_TABLE.size));
    const current = 8 + nameLen + (local + domain + 5) + 19 + cityLen + 2;
    if (this.extra !== undefined) extra(this.extra, i, h, 11, current, AVG_PERSON_BYTES, this.plan.full);
  }

  finish(rows: number): arrow.Data<arrow.Struct> {
    const v = this.valid;
    return structData(PERSON_ARROW, rows, v, this.count, (nc) => [
      i64Child(this.id, LONG, rows, v, nc), utf8Child(this.name, rows, v, nc), utf8Child(this.email, rows, v, nc),
      utf8Child(this.card, rows, v, nc), utf8Child(this.city, rows, v, nc), utf8Child(this.state, rows, v, nc),
      i64Child(this.dateTime, LONG_TIME, rows, v, nc), this.extra === undefined ? allNull(UTF8, rows) : this.extra.finish(rows, v, nc),
    ]);
  }
}

export class AuctionBuilder {
  private readonly valid: Uint8Array;
  private count = 0;
  private readonly id: I64Out | undefined;
  private readonly initialBid: I64Out | undefined;
  private readonly reserve: I64Out | undefined;
  private readonly dateTime: I64Out | undefined;
  private readonly expires: I64Out | undefined;
  private readonly seller: I64Out | undefined;
  private readonly category: I64Out | undefined;
  private readonly itemName: Utf8Out | undefined;
  private readonly description: Utf8Out | undefined;
  private readonly extra: Utf8Out | undefined;
  private readonly drawn: boolean;

  constructor(private readonly plan: GenPlan, rows: number, expected: number, mask: FieldMask = undefined) {
    this.valid = new Uint8Array((rows + 7) >> 3);
    this.id = i64If(mask, 0, rows);
    this.itemName = utf8If(mask, 1, rows, expected * 11);
    this.description = utf8If(mask, 2, rows, expected * 50);
    this.initialBid = i64If(mask, 3, rows);
    this.reserve = i64If(mask, 4, rows);
    this.dateTime = i64If(mask, 5, rows);
    this.expires = i64If(mask, 6, rows);
    this.seller = i64If(mask, 7, rows);
    this.category = i64If(mask, 8, rows);
    this.extra = utf8If(mask, 9, rows, expected * 400);
    this.drawn = [1, 2, 3, 4, 6, 7, 8, 9].some((k) => wants(mask, k));
  }

  write(i: number, eventId: number, epoch: number, rem: number): void {
    const plan = this.plan;
    setValid(this.valid, i);
    this.count++;
    if (this.id !== undefined) this.id.set(i, FIRST_AUCTION_ID + epoch * plan.a + (rem - plan.p));
    const en = plan.eventNumber(eventId - 1);
    const ts = plan.time(en);
    if (this.dateTime !== undefined) this.dateTime.set(i, ts);
    if (this.drawn) this.writeDrawn(i, eventHash(plan.seed, eventId), epoch, en, ts);
  }

  private writeDrawn(i: number, h: number, epoch: number, en: number, ts: number): void {
    const plan = this.plan;
    if (this.seller !== undefined) {
      const lastPerson = epoch * plan.p + plan.p - 1;
      const seller = below(draw(h, 0), 4) > 0 ? hot(lastPerson) : recentPerson(lastPerson, draw(h, 1));
      this.seller.set(i, FIRST_PERSON_ID + seller);
    }
    if (this.category !== undefined) this.category.set(i, FIRST_CATEGORY_ID + below(draw(h, 2), NUM_CATEGORIES));
    if (this.initialBid !== undefined || this.reserve !== undefined) {
      const initialBid = price(draw(h, 3));
      this.initialBid?.set(i, initialBid);
      this.reserve?.set(i, initialBid + price(draw(h, 4)));
    }
    if (this.expires !== undefined) {
      const horizon = plan.time(en + plan.horizonEvents) - ts;
      this.expires.set(i, ts + 1 + below(draw(h, 5), Math.max(2 * horizon, 1)));
    }
    const nameLen = text(this.itemName, i, below(draw(h, 7), SLICE_SPAN), 3 + below(draw(h, 6), 17), plan.full);
    const descLen = text(this.description, i, below(draw(h, 9), SLICE_SPAN), 3 + below(draw(h, 8), 97), plan.full);
    if (this.extra !== undefined) extra(this.extra, i, h, 10, 8 + nameLen + descLen + 40, AVG_AUCTION_BYTES, plan.full);
  }

  finish(rows: number): arrow.Data<arrow.Struct> {
    const v = this.valid;
    return structData(AUCTION_ARROW, rows, v, this.count, (nc) => [
      i64Child(this.id, LONG, rows, v, nc), utf8Child(this.itemName, rows, v, nc), utf8Child(this.description, rows, v, nc),
      i64Child(this.initialBid, LONG, rows, v, nc), i64Child(this.reserve, LONG, rows, v, nc),
      i64Child(this.dateTime, LONG_TIME, rows, v, nc), i64Child(this.expires, LONG_TIME, rows, v, nc),
      i64Child(this.seller, LONG, rows, v, nc), i64Child(this.category, LONG, rows, v, nc),
      utf8Child(this.extra, rows, v, nc),
    ]);
  }
}

export class BidBuilder {
  private readonly valid: Uint8Array;
  private count = 0;
  private readonly auction: I64Out | undefined;
  private readonly bidder: I64Out | undefined;
  private readonly price: I64Out | undefined;
  private readonly dateTime: I64Out | undefined;
  private readonly channel: Utf8Out | undefined;
  private readonly url: Utf8Out | undefined;
  private readonly extra: BidExtraOut | undefined;

  constructor(private readonly plan: GenPlan, rows: number, expected: number, mask: FieldMask = undefined) {
    this.valid = new Uint8Array((rows + 7) >> 3);
    this.auction = i64If(mask, 0, rows);
    this.bidder = i64If(mask, 1, rows);
    this.price = i64If(mask, 2, rows);
    this.channel = utf8If(mask, 3, rows, expected * 9);
    this.url = utf8If(mask, 4, rows, expected * 72);
    this.dateTime = i64If(mask, 5, rows);
    this.extra = wants(mask, 6) ? new BidExtraOut(plan.bidExtra, rows, plan.full) : undefined;
  }

  /** Row i := bid event `eventId`, whose id is epoch·total + rem. */
  write(i: number, eventId: number, epoch: number, rem: number): void {
    const plan = this.plan;
    const h = eventHash(plan.seed, eventId);
    setValid(this.valid, i);
    this.count++;
    if (this.auction !== undefined) {
      const lastAuction = epoch * plan.a + plan.a - 1;
      const auction = below(draw(h, 0), 2) > 0 ? hot(lastAuction) : recentAuction(lastAuction, draw(h, 1));
      this.auction.set(i, FIRST_AUCTION_ID + auction);
    }
    if (this.bidder !== undefined) {
      // the second person of the block, so that hot bidders and hot sellers differ
      const lastPerson = epoch * plan.p + plan.p - 1;
      const bidder = below(draw(h, 2), 4) > 0 ? hot(lastPerson) + 1 : recentPerson(lastPerson, draw(h, 3));
      this.bidder.set(i, FIRST_PERSON_ID + bidder);
    }
    if (this.price !== undefined) this.price.set(i, price(draw(h, 4)));
    if (this.channel !== undefined || this.url !== undefined) {
      const r = draw(h, 6);
      const k = below(draw(h, 5), 2) > 0 ? CHANNELS + below(r, 4) : below(r, CHANNELS);
      copyEntry(this.channel, i, plan.channels.names, k);
      copyEntry(this.url, i, plan.channels.urls, k);
    }
    if (this.dateTime !== undefined) this.dateTime.set(i, plan.time(plan.eventNumber(eventId - 1)));
    if (this.extra !== undefined) this.extra.add(i, epoch * plan.b + rem - plan.pa);
  }

  finish(rows: number): arrow.Data<arrow.Struct> {
    const v = this.valid;
    return structData(BID_ARROW, rows, v, this.count, (nc) => [
      i64Child(this.auction, LONG, rows, v, nc), i64Child(this.bidder, LONG, rows, v, nc),
      i64Child(this.price, LONG, rows, v, nc), utf8Child(this.channel, rows, v, nc), utf8Child(this.url, rows, v, nc),
      i64Child(this.dateTime, LONG_TIME, rows, v, nc), this.extra === undefined ? allNull(UTF8, rows) : this.extra.finish(rows, v, nc),
    ]);
  }
}
