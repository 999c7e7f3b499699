/**
 * The values an append-only DISTINCT aggregate has seen, when they are numbers: an open-addressing
 * hash set of numbers (linear probing) in one byte array, outside the JS heap.
 *
 * Why: q16 keeps eight COUNT(DISTINCT) sets for each of 10 000 channel-days; as Maps they were
 * 109 MB of live heap at 2 M events, and V8 lets a heap grow to about three times what it keeps
 * live, so they cost some 300 MB of peak RSS. Here a value costs 8 bytes a slot at a load of at most
 * three quarters (4 bytes for a 32-bit integer), in memory the collector does not scale.
 *
 * It is a Uint8Array so that every state backend stores it as it stores any byte array (the file
 * store's codec, msgpack in LMDB, structured clone); what comes back is a plain Uint8Array of the
 * same bytes, which adopt() makes a set again. A set is narrow (4-byte slots) while every value is a
 * 32-bit integer, as ids are, and wide (8-byte doubles) once one is not. An empty slot holds NaN
 * (wide) or -2^31 (narrow), so those two values are flags instead (all NaNs are one value, as in a
 * Map), and -0 is stored as 0 (a Map's keys make them one value too).
 */
import { InternalError } from '../../../common/errors.js';

/** byte 0: flags; then the size (slot array index 1); slots from byte 16 */
const HEADER_BYTES = 16;
const SIZE = 1;
const HAS_NAN = 1;
const HAS_INT32_MIN = 2;
const WIDE = 4;
const MIN_CAPACITY = 8;
/** an empty slot of a narrow set (the value itself is a flag, as NaN is) */
const EMPTY32 = -2147483648;

/** one double's bits, for hashing a value that is not a 32-bit integer */
const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);

function hashOf(v: number): number {
  let h: number;
  if ((v | 0) === v) h = Math.imul(v, 0x9e3779b1);
  else {
    scratch[0] = v;
    h = Math.imul(scratchWords[0]! ^ Math.imul(scratchWords[1]!, 0x85ebca6b), 0x9e3779b1);
  }
  return h ^ (h >>> 15);
}

/** a value that lives in a flag rather than a slot: NaN (all NaNs are one value) and -2^31 */
const flagOf = (v: number): number => (v !== v ? HAS_NAN : v === EMPTY32 ? HAS_INT32_MIN : 0);
/** a slot holding no value: NaN in a wide set, -2^31 in a narrow one (neither is stored in a slot) */
const emptySlot = (x: number): boolean => x !== x || x === EMPTY32;

export class NumberSet extends Uint8Array {
  /** slice(), subarray() and map() make plain byte arrays, never a half-built set */
  static get [Symbol.species](): Uint8ArrayConstructor {
    return Uint8Array;
  }

  /** the whole buffer as 32-bit integers (narrow: every value a 32-bit integer) or doubles (wide) */
  private readonly slots: Int32Array | Float64Array;
  /** the index of the first slot in `slots` */
  private readonly first: number;
  private readonly mask: number;

  private constructor(buffer: ArrayBuffer, byteOffset: number, byteLength: number, wide: boolean) {
    super(buffer, byteOffset, byteLength);
    this.slots = wide ? new Float64Array(buffer, byteOffset, byteLength / 8) : new Int32Array(buffer, byteOffset, byteLength / 4);
    this.first = HEADER_BYTES / this.slots.BYTES_PER_ELEMENT;
    this.mask = this.slots.length - this.first - 1;
  }

  /** An empty set with `capacity` slots (a power of two), narrow unless `wide`. */
  static empty(capacity = MIN_CAPACITY, wide = false): NumberSet {
    const bytes = HEADER_BYTES + capacity * (wide ? 8 : 4);
    const s = new NumberSet(new ArrayBuffer(bytes), 0, bytes, wide);
    s.slots.fill(wide ? NaN : EMPTY32, s.first);
    s[0] = wide ? WIDE : 0;
    return s;
  }

  /** A set of `values`. */
  static holding(values: Iterable<number>): NumberSet {
    let set = NumberSet.empty();
    for (const v of values) {
      set = set.roomFor(v);
      set.add(v);
    }
    return set;
  }

  /** A set again from its bytes as a state backend gave them back (shared, or copied when misaligned). */
  static adopt(bytes: Uint8Array): NumberSet {
    if (bytes instanceof NumberSet) return bytes;
    const wide = (bytes[0]! & WIDE) !== 0;
    const capacity = (bytes.byteLength - HEADER_BYTES) / (wide ? 8 : 4);
    if (!Number.isInteger(capacity) || capacity < 1 || (capacity & (capacity - 1)) !== 0) {
      throw new InternalError(`a DISTINCT state of ${bytes.byteLength} bytes is not a number set`);
    }
    if (bytes.byteOffset % 8 === 0) return new NumberSet(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength, wide);
    const copy = new ArrayBuffer(bytes.byteLength);
    new Uint8Array(copy).set(bytes);
    return new NumberSet(copy, 0, bytes.byteLength, wide);
  }

  get size(): number {
    return this.slots[SIZE]!;
  }

  /**
   * This set, or a copy that can take `v` (twice the slots when one more value could pass a load of
   * three quarters, doubles when `v` is not a 32-bit integer): add `v` to what it returns.
   */
  roomFor(v: number): NumberSet {
    const wide = (this[0]! & WIDE) !== 0;
    const widen = !wide && (v | 0) !== v && v === v;
    const capacity = this.mask + 1;
    const crowded = (this.size + 1) * 4 > capacity * 3;
    if (!widen && !crowded) return this;
    const next = NumberSet.empty(crowded ? capacity * 2 : capacity, wide || widen);
    for (const x of this.members()) next.add(x); // each fits: the same values in more or wider slots
    return next;
  }

  /** A copy of the same capacity (a deep copy of a state). */
  copy(): NumberSet {
    return NumberSet.adopt(this.slice());
  }

  has(v: number): boolean {
    const flag = flagOf(v);
    if (flag !== 0) return (this[0]! & flag) !== 0;
    return this.probe(v === 0 ? 0 : v) >= 0;
  }

  /** Adds `v` (to what roomFor(v) returned); false when it was already there. */
  add(v: number): boolean {
    const slots = this.slots;
    const flag = flagOf(v);
    if (flag !== 0) {
      if ((this[0]! & flag) !== 0) return false;
      this[0] |= flag;
      slots[SIZE] = slots[SIZE]! + 1;
      return true;
    }
    const x = v === 0 ? 0 : v;
    if (this.slots.BYTES_PER_ELEMENT === 4 && (x | 0) !== x) throw new InternalError(`${x} added to a set of 32-bit integers: roomFor() first`);
    const at = this.probe(x);
    if (at >= 0) return false;
    slots[this.first + ~at] = x;
    slots[SIZE] = slots[SIZE]! + 1;
    return true;
  }

  /** Removes `v` (taking back an aborted batch's additions); false when it was not there. */
  delete(v: number): boolean {
    const slots = this.slots;
    const flag = flagOf(v);
    if (flag !== 0) {
      if ((this[0]! & flag) === 0) return false;
      this[0] &= ~flag;
      slots[SIZE] = slots[SIZE]! - 1;
      return true;
    }
    let hole = this.probe(v === 0 ? 0 : v);
    if (hole < 0) return false;
    // backward-shift deletion: move up each later value of the run whose home is not after the hole
    const mask = this.mask, first = this.first;
    for (let j = (hole + 1) & mask; ; j = (j + 1) & mask) {
      const slot = slots[first + j]!;
      if (emptySlot(slot)) break;
      const home = hashOf(slot) & mask;
      // distances along the probe direction: the value may fill the hole when its home is no
      // nearer to j than the hole is
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        slots[first + hole] = slot;
        hole = j;
      }
    }
    slots[first + hole] = (this[0]! & WIDE) !== 0 ? NaN : EMPTY32;
    slots[SIZE] = slots[SIZE]! - 1;
    return true;
  }

  /** Every value, those held as flags last. */
  members(): number[] {
    const slots = this.slots;
    const out: number[] = [];
    for (let i = this.first; i < slots.length; i++) if (!emptySlot(slots[i]!)) out.push(slots[i]!);
    if ((this[0]! & HAS_INT32_MIN) !== 0) out.push(EMPTY32);
    if ((this[0]! & HAS_NAN) !== 0) out.push(NaN);
    return out;
  }

  /** The slot index of `x` (no flag value, not -0), or when it is absent ~ the empty slot it would take. */
  private probe(x: number): number {
    const slots = this.slots;
    const mask = this.mask, first = this.first;
    for (let i = hashOf(x) & mask; ; i = (i + 1) & mask) {
      const slot = slots[first + i]!;
      if (slot === x) return i;
      if (emptySlot(slot)) return ~i;
    }
  }
}
