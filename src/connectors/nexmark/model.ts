/**
 * One Person, Auction or Bid event at a time, written straight into column builders.
 *
 * The value rules follow NEXMARK.md's "Generator facts" (themselves the reference generator's):
 * hot sellers, bidders and auctions, log-uniform prices, channels, `extra` padding to an average
 * event size. Draw numbers (the second argument of `draw`) are fixed per field, so each field of an
 * event is a function of (seed, eventId) only.
 */
import * as arrow from 'apache-arrow';
import { I64Out, Utf8Out, i64Data, setValid } from './builders.js';
import type { NexmarkConfig } from './generator.js';
import {
  below, channelTables, CHANNELS, CITY_TABLE, draw, eventHash, LETTERS_VIEW, NAME_TABLE, seedWords, SLICE_SPAN,
  STATE_TABLE, TEXT, TEXT_VIEW, type ByteTable, type ChannelTables, type SeedWords,
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

const LONG_TIME = new arrow.TimestampMillisecond();
const LONG = new arrow.Int64();

/** Everything derived once from a config. */
export class GenPlan {
  readonly p: number;
  readonly a: number;
  readonly pa: number;
  readonly total: number;
  readonly seed: SeedWords;
  readonly channels: ChannelTables;
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
    this.total = this.pa + c.bidProportion;
    this.seed = seedWords(c.seed);
    this.channels = channelTables(this.seed);
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

function copyEntry(out: Utf8Out, i: number, table: ByteTable, k: number): number {
  const s = table.offsets[k]!;
  const len = table.offsets[k + 1]! - s;
  out.begin(i, len);
  out.slice(table.view, s, len);
  out.end(i);
  return len;
}

/** A random text of `len` characters (spaces 1 in 13), trimmed like Java's String.trim. */
function text(out: Utf8Out, i: number, start: number, len: number): number {
  let s = start;
  let e = start + len;
  while (s < e && TEXT[s] === 32) s++;
  while (e > s && TEXT[e - 1] === 32) e--;
  out.begin(i, e - s);
  out.slice(TEXT_VIEW, s, e - s);
  out.end(i);
  return e - s;
}

/** `extra`: letters making the event's size `avg` bytes on average (±20 %), none when already over. */
function extra(out: Utf8Out, i: number, h: number, j: number, current: number, avg: number): void {
  let len = 0;
  if (current <= avg) {
    const desired = avg - current;
    const delta = Math.round(desired * 0.2);
    len = desired - delta + (delta === 0 ? 0 : below(draw(h, j), 2 * delta));
  }
  out.begin(i, len);
  out.slice(LETTERS_VIEW, below(draw(h, j + 1), SLICE_SPAN), len);
  out.end(i);
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
  private readonly id: I64Out;
  private readonly dateTime: I64Out;
  private readonly name: Utf8Out;
  private readonly email: Utf8Out;
  private readonly card: Utf8Out;
  private readonly city: Utf8Out;
  private readonly state: Utf8Out;
  private readonly extra: Utf8Out;

  constructor(private readonly plan: GenPlan, rows: number, expected: number) {
    this.valid = new Uint8Array((rows + 7) >> 3);
    this.id = new I64Out(rows);
    this.dateTime = new I64Out(rows);
    this.name = new Utf8Out(rows, expected * 12);
    this.email = new Utf8Out(rows, expected * 13);
    this.card = new Utf8Out(rows, expected * 19);
    this.city = new Utf8Out(rows, expected * 8);
    this.state = new Utf8Out(rows, expected * 2);
    this.extra = new Utf8Out(rows, expected * 150);
  }

  write(i: number, eventId: number, epoch: number, rem: number): void {
    const plan = this.plan;
    const h = eventHash(plan.seed, eventId);
    setValid(this.valid, i);
    this.count++;
    this.id.set(i, FIRST_PERSON_ID + epoch * plan.p + rem);
    const nameLen = copyEntry(this.name, i, NAME_TABLE, below(draw(h, 0), NAME_TABLE.size));
    // e-mail: 3–6 letters @ 3–4 letters .com
    const e = this.email;
    const local = 3 + below(draw(h, 1), 4);
    const domain = 3 + below(draw(h, 3), 2);
    e.begin(i, 15);
    e.slice(LETTERS_VIEW, below(draw(h, 2), SLICE_SPAN), local);
    e.byte(64);
    e.slice(LETTERS_VIEW, below(draw(h, 4), SLICE_SPAN), domain);
    e.byte(46); // .com
    e.byte(99);
    e.byte(111);
    e.byte(109);
    e.end(i);
    // credit card: four space-separated zero-padded 4-digit groups
    const c = this.card;
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
    const cityLen = copyEntry(this.city, i, CITY_TABLE, below(draw(h, 9), CITY_TABLE.size));
    copyEntry(this.state, i, STATE_TABLE, below(draw(h, 10), STATE_TABLE.size));
    const current = 8 + nameLen + (local + domain + 5) + 19 + cityLen + 2;
    extra(this.extra, i, h, 11, current, AVG_PERSON_BYTES);
    this.dateTime.set(i, plan.time(plan.eventNumber(eventId - 1)));
  }

  finish(rows: number): arrow.Data<arrow.Struct> {
    const v = this.valid;
    return structData(PERSON_ARROW, rows, v, this.count, (nc) => [
      i64Data(this.id, LONG, rows, v, nc), this.name.finish(rows, v, nc), this.email.finish(rows, v, nc),
      this.card.finish(rows, v, nc), this.city.finish(rows, v, nc), this.state.finish(rows, v, nc),
      i64Data(this.dateTime, LONG_TIME, rows, v, nc), this.extra.finish(rows, v, nc),
    ]);
  }
}

export class AuctionBuilder {
  private readonly valid: Uint8Array;
  private count = 0;
  private readonly id: I64Out;
  private readonly initialBid: I64Out;
  private readonly reserve: I64Out;
  private readonly dateTime: I64Out;
  private readonly expires: I64Out;
  private readonly seller: I64Out;
  private readonly category: I64Out;
  private readonly itemName: Utf8Out;
  private readonly description: Utf8Out;
  private readonly extra: Utf8Out;

  constructor(private readonly plan: GenPlan, rows: number, expected: number) {
    this.valid = new Uint8Array((rows + 7) >> 3);
    this.id = new I64Out(rows);
    this.initialBid = new I64Out(rows);
    this.reserve = new I64Out(rows);
    this.dateTime = new I64Out(rows);
    this.expires = new I64Out(rows);
    this.seller = new I64Out(rows);
    this.category = new I64Out(rows);
    this.itemName = new Utf8Out(rows, expected * 11);
    this.description = new Utf8Out(rows, expected * 50);
    this.extra = new Utf8Out(rows, expected * 400);
  }

  write(i: number, eventId: number, epoch: number, rem: number): void {
    const plan = this.plan;
    const h = eventHash(plan.seed, eventId);
    setValid(this.valid, i);
    this.count++;
    this.id.set(i, FIRST_AUCTION_ID + epoch * plan.a + (rem - plan.p));
    const lastPerson = epoch * plan.p + plan.p - 1;
    const seller = below(draw(h, 0), 4) > 0 ? hot(lastPerson) : recentPerson(lastPerson, draw(h, 1));
    this.seller.set(i, FIRST_PERSON_ID + seller);
    this.category.set(i, FIRST_CATEGORY_ID + below(draw(h, 2), NUM_CATEGORIES));
    const initialBid = price(draw(h, 3));
    this.initialBid.set(i, initialBid);
    this.reserve.set(i, initialBid + price(draw(h, 4)));
    const en = plan.eventNumber(eventId - 1);
    const ts = plan.time(en);
    this.dateTime.set(i, ts);
    const horizon = plan.time(en + plan.horizonEvents) - ts;
    this.expires.set(i, ts + 1 + below(draw(h, 5), Math.max(2 * horizon, 1)));
    const nameLen = text(this.itemName, i, below(draw(h, 7), SLICE_SPAN), 3 + below(draw(h, 6), 17));
    const descLen = text(this.description, i, below(draw(h, 9), SLICE_SPAN), 3 + below(draw(h, 8), 97));
    extra(this.extra, i, h, 10, 8 + nameLen + descLen + 40, AVG_AUCTION_BYTES);
  }

  finish(rows: number): arrow.Data<arrow.Struct> {
    const v = this.valid;
    return structData(AUCTION_ARROW, rows, v, this.count, (nc) => [
      i64Data(this.id, LONG, rows, v, nc), this.itemName.finish(rows, v, nc), this.description.finish(rows, v, nc),
      i64Data(this.initialBid, LONG, rows, v, nc), i64Data(this.reserve, LONG, rows, v, nc),
      i64Data(this.dateTime, LONG_TIME, rows, v, nc), i64Data(this.expires, LONG_TIME, rows, v, nc),
      i64Data(this.seller, LONG, rows, v, nc), i64Data(this.category, LONG, rows, v, nc),
      this.extra.finish(rows, v, nc),
    ]);
  }
}

export class BidBuilder {
  private readonly valid: Uint8Array;
  private count = 0;
  private readonly auction: I64Out;
  private readonly bidder: I64Out;
  private readonly price: I64Out;
  private readonly dateTime: I64Out;
  private readonly channel: Utf8Out;
  private readonly url: Utf8Out;
  private readonly extra: Utf8Out;

  constructor(private readonly plan: GenPlan, rows: number, expected: number) {
    this.valid = new Uint8Array((rows + 7) >> 3);
    this.auction = new I64Out(rows);
    this.bidder = new I64Out(rows);
    this.price = new I64Out(rows);
    this.dateTime = new I64Out(rows);
    this.channel = new Utf8Out(rows, expected * 9);
    this.url = new Utf8Out(rows, expected * 72);
    this.extra = new Utf8Out(rows, expected * 70);
  }

  write(i: number, eventId: number, epoch: number): void {
    const plan = this.plan;
    const h = eventHash(plan.seed, eventId);
    setValid(this.valid, i);
    this.count++;
    const lastAuction = epoch * plan.a + plan.a - 1;
    const lastPerson = epoch * plan.p + plan.p - 1;
    const auction = below(draw(h, 0), 2) > 0 ? hot(lastAuction) : recentAuction(lastAuction, draw(h, 1));
    this.auction.set(i, FIRST_AUCTION_ID + auction);
    // the second person of the block, so that hot bidders and hot sellers differ
    const bidder = below(draw(h, 2), 4) > 0 ? hot(lastPerson) + 1 : recentPerson(lastPerson, draw(h, 3));
    this.bidder.set(i, FIRST_PERSON_ID + bidder);
    this.price.set(i, price(draw(h, 4)));
    const r = draw(h, 6);
    const k = below(draw(h, 5), 2) > 0 ? CHANNELS + below(r, 4) : below(r, CHANNELS);
    copyEntry(this.channel, i, plan.channels.names, k);
    copyEntry(this.url, i, plan.channels.urls, k);
    this.dateTime.set(i, plan.time(plan.eventNumber(eventId - 1)));
    extra(this.extra, i, h, 7, 32, AVG_BID_BYTES);
  }

  finish(rows: number): arrow.Data<arrow.Struct> {
    const v = this.valid;
    return structData(BID_ARROW, rows, v, this.count, (nc) => [
      i64Data(this.auction, LONG, rows, v, nc), i64Data(this.bidder, LONG, rows, v, nc),
      i64Data(this.price, LONG, rows, v, nc), this.channel.finish(rows, v, nc), this.url.finish(rows, v, nc),
      i64Data(this.dateTime, LONG_TIME, rows, v, nc), this.extra.finish(rows, v, nc),
    ]);
  }
}
