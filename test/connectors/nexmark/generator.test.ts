import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import { fcParams } from '../../support/property.js';
import { valueAt } from '../../../src/common/columns.js';
import {
  eventTimeOf, eventTypeOf, generateEvents, generateRows, nexmarkConfig, type NexmarkRow,
} from '../../../src/connectors/nexmark/generator.js';
import { reverseBits32 } from '../../../src/connectors/nexmark/random.js';

type Obj = Record<string, unknown>;
const config = nexmarkConfig({ firstEventRate: 1000 });
const N = 50_000;
const rows = generateRows(config, 0, N);
const persons = rows.filter((r) => r.event_type === 0).map((r) => r.person as Obj);
const auctions = rows.filter((r) => r.event_type === 1).map((r) => r.auction as Obj);
const bids = rows.filter((r) => r.event_type === 2).map((r) => r.bid as Obj);
const fraction = <T>(xs: readonly T[], p: (x: T) => boolean): number => xs.filter(p).length / xs.length;
/** The first few elements breaking `p` (one assertion instead of one per row). */
const violations = <T>(xs: readonly T[], p: (x: T, i: number) => boolean): T[] => xs.filter((x, i) => !p(x, i)).slice(0, 3);

describe('nexmark generator: event mix and ids', () => {
  it('makes 1 person, 3 auctions and 46 bids per 50 events', () => {
    expect([persons.length, auctions.length, bids.length]).toEqual([1000, 3000, 46000]);
  });

  it('sets exactly the ROW that matches event_type', () => {
    expect(violations(rows, (r) => (r.person !== null) === (r.event_type === 0)
      && (r.auction !== null) === (r.event_type === 1) && (r.bid !== null) === (r.event_type === 2))).toEqual([]);
  });

  it('types events by eventId mod 50 (ids count from 1)', () => {
    const expected = (id: number): number => (id % 50 === 0 ? 0 : id % 50 <= 3 ? 1 : 2);
    expect(violations(rows, (r, i) => r.event_type === expected(i + 1) && eventTypeOf(config, i + 1) === r.event_type)).toEqual([]);
  });

  it('gives persons id 1000 + eventId/50 and auctions dense ids from 1000', () => {
    expect(violations(rows, (r, i) => r.event_type !== 0 || (r.person as Obj).id === 1000 + (i + 1) / 50)).toEqual([]);
    expect(auctions.map((a) => a.id)).toEqual(auctions.map((_, k) => 1000 + k));
  });

  it('generalises the pattern to other proportions', () => {
    const c = nexmarkConfig({ personProportion: 2, auctionProportion: 1, bidProportion: 2 });
    const types = generateRows(c, 0, 20).map((r) => r.event_type);
    // ids 1..20 mod 5: 1 → person, 2 → auction, 3,4 → bid, 0 → person
    expect(types.slice(0, 5)).toEqual([0, 1, 2, 2, 0]);
    expect(types.filter((t) => t === 0)).toHaveLength(8);
  });

  it('draws bids for existing auctions and persons (plus a small lead), hot ones most often', () => {
    let lastAuction = 999;
    let lastPerson = 1000;
    let hotAuction = 0;
    let hotBidder = 0;
    const bad: unknown[] = [];
    for (const r of rows) {
      if (r.event_type === 1) lastAuction = (r.auction as Obj).id as number;
      if (r.event_type === 0) lastPerson = (r.person as Obj).id as number;
      if (r.event_type !== 2) continue;
      const b = r.bid as Obj;
      const auction = b.auction as number;
      const bidder = b.bidder as number;
      if (auction < Math.max(1000, lastAuction - 100) || auction > lastAuction + 10
        || bidder < Math.max(1000, lastPerson - 1000) || bidder > lastPerson + 10) bad.push({ b, lastAuction, lastPerson });
      if (auction === 1000 + Math.floor((lastAuction - 1000) / 100) * 100) hotAuction++;
      if (bidder === 1001 + Math.floor((lastPerson - 1000) / 100) * 100) hotBidder++;
    }
    expect(bad.slice(0, 3)).toEqual([]);
    expect(hotAuction / bids.length).toBeGreaterThan(0.48);
    expect(hotAuction / bids.length).toBeLessThan(0.56);
    expect(hotBidder / bids.length).toBeGreaterThan(0.73);
    expect(hotBidder / bids.length).toBeLessThan(0.79);
  });
});

describe('nexmark generator: determinism', () => {
  it('gives the same rows for any split of a range into batches', () => {
    const from = 123_456;
    const whole = generateRows(config, from, from + 400);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 399 }), { maxLength: 12 }), (cuts) => {
        const bounds = [from, ...[...cuts].sort((a, b) => a - b).map((c) => from + c), from + 400];
        const parts: NexmarkRow[] = [];
        for (let k = 0; k + 1 < bounds.length; k++) parts.push(...generateRows(config, bounds[k]!, bounds[k + 1]!));
        expect(parts).toEqual(whole);
      }),
      fcParams({ numRuns: 40 }),
    );
  });

  it('depends on the seed', () => {
    const a = generateRows(nexmarkConfig({ seed: 1 }), 0, 50);
    const b = generateRows(nexmarkConfig({ seed: 2 }), 0, 50);
    expect(generateRows(nexmarkConfig({ seed: 1 }), 0, 50)).toEqual(a);
    expect(b).not.toEqual(a);
  });

  it('handles event ids beyond 2^32', () => {
    const from = 2 ** 33 + 17;
    const r = generateRows(config, from, from + 100);
    expect(r).toEqual([...generateRows(config, from, from + 37), ...generateRows(config, from + 37, from + 100)]);
    const p = r.find((x) => x.event_type === 0)!;
    const id = from + 1 + r.indexOf(p);
    expect((p.person as Obj).id).toBe(1000 + id / 50);
  });
});

describe('nexmark generator: event time', () => {
  const timeOf = (r: NexmarkRow): number => ((r.person ?? r.auction ?? r.bid) as Obj).dateTime as number;

  it('starts at 2026-01-01 and spaces events 10^6/rate µs apart with one generator', () => {
    const times = rows.map(timeOf);
    expect(times[0]).toBe(Date.UTC(2026, 0, 1));
    expect(violations(times, (t, k) => t === Date.UTC(2026, 0, 1) + k)).toEqual([]);
    const slow = nexmarkConfig({ firstEventRate: 3, baseTime: 5000 });
    expect(generateRows(slow, 0, 5).map(timeOf)).toEqual([5000, 5333, 5666, 6000, 6333]);
    const fast = nexmarkConfig({ firstEventRate: 10_000_000 });
    const ft = generateRows(fast, 0, 30_000).map(timeOf);
    expect(ft[9_999]! - ft[0]!).toBe(0);
    expect(ft[10_000]! - ft[0]!).toBe(1);
    expect(violations(ft, (t, k) => k === 0 || t >= ft[k - 1]!)).toEqual([]);
  });

  it('emulates parallel generators with disorder inside the 4 s watermark delay', () => {
    for (const [generators, rate] of [[4, 10_000], [3, 100], [4, 1000], [16, 1_000_000]] as const) {
      const c = nexmarkConfig({ generators, firstEventRate: rate });
      const n = Math.min(200_000, rate * 12);
      const g = generateEvents(c, 0, n);
      const times: number[] = [];
      for (let i = 0; i < n; i++) times.push(eventTimeOf(c, i + 1));
      let max = -Infinity;
      let worst = 0;
      for (const t of times) {
        worst = Math.max(worst, max - t);
        max = Math.max(max, t);
      }
      expect(worst).toBeGreaterThan(0);
      expect(worst).toBeLessThanOrEqual(4000);
      // each generator owns its own instants: no two events share a timeline position
      expect(times.reduce((a, b) => Math.min(a, b))).toBe(eventTimeOf(nexmarkConfig({ firstEventRate: rate }), 1));
      if (rate <= 1000) expect(new Set(times).size).toBe(n);
      // the columns carry those times
      const k = times.findIndex((_, i) => valueAt(g.eventType, i) === 2);
      expect((valueAt(g.bid, k) as Obj).dateTime).toBe(times[k]);
    }
  });

  it('lets auctions expire after they start, within twice the horizon of ~1666 events', () => {
    const length = (a: Obj): number => (a.expires as number) - (a.dateTime as number);
    expect(violations(auctions, (a) => length(a) >= 1 && length(a) <= 1 + 2 * 1666)).toEqual([]);
    expect(auctions.reduce((m, a) => Math.max(m, length(a)), 0)).toBeGreaterThan(3000);
  });
});

describe('nexmark generator: values', () => {
  it('draws categories 10–14 and log-uniform prices in [100, 10^8]', () => {
    expect(new Set(auctions.map((a) => a.category))).toEqual(new Set([10, 11, 12, 13, 14]));
    const prices = [...bids.map((b) => b.price as number), ...auctions.map((a) => a.initialBid as number)];
    expect(violations(prices, (p) => Number.isInteger(p) && p >= 100 && p <= 1e8)).toEqual([]);
    // log-uniform: each decade holds about a sixth of the prices
    for (let d = 2; d < 8; d++) {
      const f = fraction(prices, (p) => p >= 10 ** d && p < 10 ** (d + 1));
      expect(f).toBeGreaterThan(0.15);
      expect(f).toBeLessThan(0.185);
    }
    expect(violations(auctions, (a) => (a.reserve as number) > (a.initialBid as number))).toEqual([]);
  });

  it('writes persons as NEXMARK.md describes', () => {
    const states = new Set(['AZ', 'CA', 'ID', 'OR', 'WA', 'WY']);
    for (const p of persons) {
      expect(p.name).toMatch(/^(Peter|Paul|Luke|John|Saul|Vicky|Kate|Julie|Sarah|Deiter|Walter) (Shultz|Abrams|Spencer|White|Bartels|Walton|Smith|Jones|Noris)$/);
      expect(p.emailAddress).toMatch(/^[a-z]{3,6}@[a-z]{3,4}\.com$/);
      expect(p.creditCard).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
      expect(states.has(p.state as string)).toBe(true);
      expect(p.city).toMatch(/^(Phoenix|Los Angeles|San Francisco|Boise|Portland|Bend|Redmond|Seattle|Kent|Cheyenne)$/);
    }
    expect(new Set(persons.map((p) => p.state)).size).toBe(6);
  });

  it('pads extra so events average ~200 / ~500 / ~100 bytes (bids 54–81 chars)', () => {
    const len = (x: unknown): number => (x as string).length;
    expect(violations(bids, (b) => len(b.extra) >= 54 && len(b.extra) <= 81 && /^[a-z]+$/.test(b.extra as string))).toEqual([]);
    expect(new Set(bids.map((b) => len(b.extra)))).toEqual(new Set(Array.from({ length: 28 }, (_, k) => 54 + k)));
    const personSize = persons.map((p) => 8 + len(p.name) + len(p.emailAddress) + 19 + len(p.city) + 2 + len(p.extra));
    const auctionSize = auctions.map((a) => 48 + len(a.itemName) + len(a.description) + len(a.extra));
    const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(personSize)).toBeGreaterThan(190);
    expect(mean(personSize)).toBeLessThan(210);
    expect(mean(auctionSize)).toBeGreaterThan(480);
    expect(mean(auctionSize)).toBeLessThan(520);
  });

  it('writes item names and descriptions as trimmed random text', () => {
    for (const a of auctions) {
      expect(len(a.itemName)).toBeLessThanOrEqual(19);
      expect(len(a.description)).toBeLessThanOrEqual(99);
      expect(a.itemName).toMatch(/^([a-z]([a-z ]*[a-z])?)?$/);
      expect(a.description).toMatch(/^([a-z]([a-z ]*[a-z])?)?$/);
    }
    expect(fraction(auctions, (a) => (a.description as string).includes(' '))).toBeGreaterThan(0.5);
    function len(x: unknown): number { return (x as string).length; }
  });

  it('picks a hot channel half of the time, each with one URL, else channel-k', () => {
    const hot = new Set(['Google', 'Facebook', 'Baidu', 'Apple']);
    const f = fraction(bids, (b) => hot.has(b.channel as string));
    expect(f).toBeGreaterThan(0.48);
    expect(f).toBeLessThan(0.52);
    const base = /^https:\/\/www\.nexmark\.com\/[a-z_]{3,4}\/[a-z_]{3,4}\/[a-z_]{3,4}\/item\.htm\?query=1/;
    const urlOf = new Map<string, string>();
    const exact = new RegExp(`${base.source}$`);
    const ok = (b: Obj): boolean => {
      const channel = b.channel as string;
      const url = b.url as string;
      const seen = urlOf.get(channel);
      urlOf.set(channel, url);
      if ((seen !== undefined && url !== seen) || !base.test(url)) return false;
      if (hot.has(channel)) return exact.test(url);
      const k = /^channel-(\d+)$/.exec(channel);
      if (!k || Number(k[1]) >= 10_000) return false;
      const m = /&channel_id=(\d+)$/.exec(url);
      return m ? Number(m[1]) === Math.abs(reverseBits32(Number(k[1]))) : exact.test(url);
    };
    expect(violations(bids, ok)).toEqual([]);
    const ks = [...urlOf.keys()].filter((c) => !hot.has(c));
    expect(ks.length).toBeGreaterThan(8000);
    const withId = fraction(ks, (c) => urlOf.get(c)!.includes('&channel_id='));
    expect(withId).toBeGreaterThan(0.87);
    expect(withId).toBeLessThan(0.93);
    expect(reverseBits32(3)).toBe(-1073741824);
  });
});

describe('nexmark generator: pruned columns', () => {
  it('leaves unselected ROW columns all-null and the selected ones unchanged', () => {
    const full = generateEvents(config, 1000, 3000);
    const pruned = generateEvents(config, 1000, 3000, { person: false, auction: false, bid: true });
    for (const col of [pruned.person, pruned.auction]) {
      expect(col.nullCount).toBe(2000);
      for (let i = 0; i < 2000; i += 97) expect(valueAt(col, i)).toBeNull();
      for (const child of col.children) expect(child.length).toBe(2000);
    }
    for (let i = 0; i < 2000; i++) expect(valueAt(pruned.bid, i)).toEqual(valueAt(full.bid, i));
    expect(Array.from(pruned.eventType.values)).toEqual(Array.from(full.eventType.values));
  });

  it('gives struct children the struct validity, so a field of a null row reads NULL', () => {
    const g = generateEvents(config, 0, 100);
    for (let i = 0; i < 100; i++) {
      const isBid = valueAt(g.eventType, i) === 2;
      for (const child of g.bid.children) expect(valueAt(child, i) === null).toBe(!isBid);
    }
  });

  it('makes empty ranges', () => {
    const g = generateEvents(config, 10, 10);
    expect(g.length).toBe(0);
    expect(g.bid.length).toBe(0);
  });
});
