/**
 * The window aggregation's working memory for the keys a batch touches, when every aggregate call
 * has a flat form (aggregate/flat-accumulators.ts): one Float64Array for all of them instead of
 * arrays per window and accumulator.
 *
 * Between batches a key's windows are one compact string (window-groups-codec.ts). The first row of a
 * batch that touches the key copies the string's numbers into this arena, one fixed-width group per
 * window, chained per key; rows add into the groups in place; the end of the batch writes each
 * touched key's groups back as a new string and empties the arena. So a batch makes one string per
 * touched key, where the array form made and promoted a handful of arrays per window (the garbage
 * that set q5's and `hop`'s peak memory).
 *
 * A group: [start, end, live rows, then per call its state as the codec lays it out (length word,
 * numbers, padded to the kind's most)].
 */
import { callInput, type BoundArgs } from '../aggregate/aggregate-functions.js';
import { FLAT_WORDS, flatApply, flatInit, type FlatKind } from '../aggregate/flat-accumulators.js';
import { InternalError } from '../../../common/errors.js';
import { scratchWords, textOfScratch, wordsOf } from './window-groups-codec.js';

const START = 0, END = 1, ROWS = 2;

export class FlatWindows {
  /** words per group */
  private readonly width: number;
  /** each call's state offset in a group */
  private readonly offsets: number[] = [];
  private arena = new Float64Array(0);
  /** the next group of the same key, -1 after its last */
  private next = new Int32Array(0);
  private used = 0;

  constructor(private readonly kinds: readonly FlatKind[]) {
    let w = 3;
    for (const k of kinds) {
      this.offsets.push(w);
      w += FLAT_WORDS[k];
    }
    this.width = w;
    this.grow(256);
  }

  private grow(groups: number): void {
    const arena = new Float64Array(groups * this.width);
    arena.set(this.arena);
    const next = new Int32Array(groups);
    next.set(this.next);
    this.arena = arena;
    this.next = next;
  }

  private alloc(): number {
    if (this.used === this.next.length) this.grow(this.next.length * 2);
    this.next[this.used] = -1;
    return this.used++;
  }

  /** Copy the windows of compact string `text` into the arena; their first group (-1: none). */
  load(text: string | undefined): number {
    if (text === undefined) return -1;
    const src = wordsOf(text);
    const count = src[0]!;
    let at = 1, head = -1, prev = -1;
    for (let g = 0; g < count; g++) {
      const grp = this.alloc();
      const w = this.arena, base = grp * this.width;
      w[base + START] = src[at++]!;
      w[base + END] = src[at++]!;
      w[base + ROWS] = src[at++]!;
      for (let a = 0; a < this.kinds.length; a++) {
        const len = src[at++]!;
        const o = base + this.offsets[a]!;
        w[o] = len;
        for (let k = 1; k <= len; k++) w[o + k] = src[at++]!;
      }
      if (prev < 0) head = grp; else this.next[prev] = grp;
      prev = grp;
    }
    return head;
  }

  /** The group ending at `end` in the chain from `head` (-1: none). */
  find(head: number, end: number): number {
    for (let g = head; g >= 0; g = this.next[g]!) if (this.arena[g * this.width + END] === end) return g;
    return -1;
  }

  /** A fresh group for window [start, end) at the end of the chain from `head` (-1: it starts a chain). */
  append(head: number, start: number, end: number): number {
    let tail = head;
    if (tail >= 0) while (this.next[tail]! >= 0) tail = this.next[tail]!;
    const g = this.alloc();
    const w = this.arena, base = g * this.width;
    w[base + START] = start;
    w[base + END] = end;
    w[base + ROWS] = 0;
    for (let a = 0; a < this.kinds.length; a++) flatInit(this.kinds[a]!, w, base + this.offsets[a]!);
    if (tail >= 0) this.next[tail] = g;
    return g;
  }

  /** Add (or retract) row `i` into group `g`, as AggregateFunctions.applyToAccs does into arrays. */
  apply(g: number, bound: BoundArgs, i: number, retract: boolean): void {
    const w = this.arena, base = g * this.width;
    for (let a = 0; a < this.kinds.length; a++) {
      const v = callInput(bound, a, i);
      if (v === null) continue;
      const kind = this.kinds[a]!;
      if (typeof v !== 'number' && kind !== 'count') throw new InternalError(`a flat ${kind} state got a ${typeof v} value`);
      flatApply(kind, w, base + this.offsets[a]!, v as number, retract);
    }
    w[base + ROWS] += retract ? -1 : 1;
  }

  /** The chain from `head` as a compact string, leaving out groups whose rows were all retracted; '' when none is left. */
  encode(head: number): string {
    let n = 1, count = 0;
    for (let g = head; g >= 0; g = this.next[g]!) n += this.width;
    const out = scratchWords(n);
    const w = this.arena;
    let at = 1;
    for (let g = head; g >= 0; g = this.next[g]!) {
      const base = g * this.width;
      if (w[base + ROWS]! <= 0) continue;
      out[at++] = w[base + START]!;
      out[at++] = w[base + END]!;
      out[at++] = w[base + ROWS]!;
      for (let a = 0; a < this.kinds.length; a++) {
        const o = base + this.offsets[a]!;
        const len = w[o]!;
        out[at++] = len;
        for (let k = 1; k <= len; k++) out[at++] = w[o + k]!;
      }
      count++;
    }
    if (count === 0) return '';
    out[0] = count;
    return textOfScratch(at);
  }

  /** Forget every group (the end of a batch, or an abort). */
  reset(): void {
    this.used = 0;
  }
}
