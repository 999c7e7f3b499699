/**
 * The bids' `extra` column built with a handful of large copies instead of one copy per row.
 *
 * Bids are about 92 % of all events and their `extra` (54–81 letters) is most of their bytes, so
 * copying it value by value was the generator's largest cost. Here bid number b (0, 1, 2, … over the
 * whole stream) gets the slice [P(b), P(b) + len(b)) of one endless stream of random letters, where
 * len(b) repeats with a period of LENGTH_PERIOD bids and P(b) is the sum of the lengths before it —
 * known in closed form, so any batch split yields the same values. The bids of a batch are
 * consecutive numbers, their values are adjacent in the stream, and the column's bytes are one
 * stretch of it: copied from a ring buffer in one or two `set` calls.
 */
import * as arrow from 'apache-arrow';
import { InternalError } from '../../common/errors.js';
import { below, draw, fillLetters, mix32, type SeedWords } from './random.js';

/** Lengths repeat every this many bids. */
const LENGTH_PERIOD = 1 << 14;
/** The letter stream repeats every this many bytes (1 MiB: about 15 000 bids). */
const RING = 1 << 20;

/** What the bid extras of one seed derive from. */
export interface BidExtraPlan {
  /** len(b) = lengths[b mod LENGTH_PERIOD] */
  readonly lengths: Uint8Array;
  /** prefix[k] = lengths[0] + … + lengths[k-1]; prefix[LENGTH_PERIOD] is one period's bytes */
  readonly prefix: Float64Array;
  /** where bid 0's value starts in the stream */
  readonly origin: number;
}

let ring: Uint8Array | undefined;

/** The letter stream's salt: its period is letters [0, RING) of fillLetters (a–z, as `extra` padding everywhere). */
const RING_SALT = 0x2f6b9c41;

/** The letter stream's one period, precomputed. */
function letterRing(): Uint8Array {
  if (ring === undefined) {
    ring = new Uint8Array(RING);
    fillLetters(RING_SALT, ring, 0, 0, RING);
  }
  return ring;
}

const plans = new Map<string, BidExtraPlan>();

/**
 * The plan for a seed; `minLength + [0, spread)` is the length range (54 + [0, 28) for bids, from the
 * padding rule: an average event of 100 bytes ±20 %).
 */
export function bidExtraPlan(seed: SeedWords, minLength: number, spread: number): BidExtraPlan {
  const key = `${seed.lo}:${seed.hi}:${minLength}:${spread}`;
  let plan = plans.get(key);
  if (plan === undefined) {
    const lengths = new Uint8Array(LENGTH_PERIOD);
    const prefix = new Float64Array(LENGTH_PERIOD + 1);
    const salt = mix32(seed.lo ^ mix32(seed.hi ^ 0x3c6ef372));
    for (let k = 0; k < LENGTH_PERIOD; k++) {
      lengths[k] = minLength + (spread > 0 ? below(draw(salt, k), spread) : 0);
      prefix[k + 1] = prefix[k]! + lengths[k]!;
    }
    plan = { lengths, prefix, origin: below(draw(salt, -1), RING) };
    if (plans.size >= 8) plans.clear();
    plans.set(key, plan);
  }
  return plan;
}

/** Where bid b's value starts in the letter stream (exact: bids up to ~10^14). */
function streamPosition(plan: BidExtraPlan, b: number): number {
  const period = Math.floor(b / LENGTH_PERIOD);
  return plan.origin + period * plan.prefix[LENGTH_PERIOD]! + plan.prefix[b - period * LENGTH_PERIOD]!;
}

/** The Utf8 column of bid extras of a batch: rows are added in order, bids in consecutive order. */
export class BidExtraOut {
  private readonly offsets: Int32Array;
  private pos = 0;
  /** the first row whose start offset is not written yet */
  private next = 0;
  /** the stream position of the first value, -1 before it */
  private first = -1;
  private lastBid = -1;

  /**
   * `full`: the letters drawn anew, six from each 32-bit draw as the reference generator draws its
   * `extra` strings (the full-field mode), the same letters the ring holds; else copied from the ring.
   */
  constructor(private readonly plan: BidExtraPlan, rows: number, private readonly full = false) {
    this.offsets = new Int32Array(rows + 1);
  }

  /** Row i := the extra of bid number b (b is one more than the previous call's). */
  add(i: number, b: number): void {
    if (this.first < 0) this.first = streamPosition(this.plan, b);
    else if (b !== this.lastBid + 1) throw new InternalError(`nexmark: bid ${b} follows bid ${this.lastBid}`);
    this.lastBid = b;
    const off = this.offsets;
    const p = this.pos;
    for (let k = this.next + 1; k <= i; k++) off[k] = p;
    this.pos = p + this.plan.lengths[b & (LENGTH_PERIOD - 1)]!;
    off[i + 1] = this.pos;
    this.next = i + 1;
  }

  /** The column for `rows` rows (rows never added are empty: the struct's null rows). */
  finish(rows: number, bitmap: Uint8Array, nullCount: number): arrow.Data<arrow.Utf8> {
    const off = this.offsets;
    for (let k = this.next + 1; k <= rows; k++) off[k] = this.pos;
    const data = new Uint8Array(this.pos);
    const start = this.first < 0 ? 0 : this.first % RING;
    if (this.full) {
      ringPieces(data.length, start, (done, at, n) => fillLetters(RING_SALT, data, done, at, n));
    } else {
      const letters = letterRing();
      ringPieces(data.length, start, (done, at, n) => data.set(letters.subarray(at, at + n), done));
    }
    return arrow.makeData({
      type: new arrow.Utf8(), length: rows, nullCount, nullBitmap: nullCount === 0 ? undefined : bitmap,
      valueOffsets: off, data,
    });
  }
}

/**
 * The letter stream from ring position `start` on, `length` letters, as the pieces between its wraps
 * at RING (one or two, more for a batch longer than the ring): `each(done, at, n)` fills [done, done + n)
 * from position `at`.
 */
function ringPieces(length: number, start: number, each: (done: number, at: number, n: number) => void): void {
  for (let done = 0, at = start; done < length; at = 0) {
    const n = Math.min(length - done, RING - at);
    each(done, at, n);
    done += n;
  }
}
