/**
 * A key's open windows as one compact string, the form the window aggregate keeps between batches.
 *
 * As arrays, one open window of one key is six objects: the window's array and its elements, two
 * boxed doubles (start and end are beyond the small-integer range), the accumulator list and each
 * accumulator's array: about 270 bytes, so a HOP query's 100 000 auctions with five windows each held
 * 190 MB of heap. As one latin1 string of the numbers' raw bytes, the same key is one object of about
 * 220 bytes that the garbage collector never traces into; it goes into the state store as it is (a
 * JSON-serialisable value) and is decoded again only when a batch touches the key.
 *
 * Only windows whose accumulators hold plain numbers have this form (COUNT, SUM and AVG of doubles,
 * MIN/MAX of numbers over an append-only input, the variance family, exact integer sums while they
 * are below 2^53): an accumulator holding text, a bigint, a list of values or a DISTINCT map, and an
 * update-mode window holding the row it last emitted, stay arrays (encode answers undefined).
 *
 * Layout, in little-endian doubles: the number of windows, then per window start, end, live rows,
 * and per accumulator its length and its numbers. Doubles keep every number exactly (NaN, -0, ±∞,
 * integers up to 2^53). The empty string stands for a key with no window left (an encoding never is
 * empty: it starts with the count).
 */
import type { AccState } from '../aggregate/accumulators.js';

/** [start, end, accs, emitted, rows, batch]: window-aggregate.ts's WindowGroup */
export type WindowGroup = [number, number, AccState[], unknown[] | null, number, number];

let bytes = Buffer.from(new ArrayBuffer(1024));
let words = new Float64Array(bytes.buffer);

function ensureWords(n: number): void {
  if (words.length >= n) return;
  let size = words.length;
  while (size < n) size *= 2;
  bytes = Buffer.from(new ArrayBuffer(size * 8));
  words = new Float64Array(bytes.buffer);
}

/** The windows as one string, or undefined when one holds something other than numbers (see above). */
export function encodeWindowGroups(groups: readonly WindowGroup[]): string | undefined {
  let n = 1;
  for (let g = 0; g < groups.length; g++) {
    const w = groups[g]!;
    if (w[3] !== null) return undefined;
    const accs = w[2];
    n += 3;
    for (let a = 0; a < accs.length; a++) {
      const s = accs[a]!;
      n += 1 + s.length;
      for (let k = 0; k < s.length; k++) if (typeof s[k] !== 'number') return undefined;
    }
  }
  ensureWords(n);
  const out = words;
  let at = 0;
  out[at++] = groups.length;
  for (let g = 0; g < groups.length; g++) {
    const w = groups[g]!;
    out[at++] = w[0];
    out[at++] = w[1];
    out[at++] = w[4];
    const accs = w[2];
    for (let a = 0; a < accs.length; a++) {
      const s = accs[a]!;
      out[at++] = s.length;
      for (let k = 0; k < s.length; k++) out[at++] = s[k] as number;
    }
  }
  return bytes.toString('latin1', 0, at * 8);
}

/**
 * The numbers of `text` (encodeWindowGroups' layout) in a scratch array, valid until the next call
 * of this module; '' reads as no windows.
 */
export function wordsOf(text: string): Float64Array {
  ensureWords(text.length / 8 + 1);
  if (text.length === 0) words[0] = 0;
  else bytes.write(text, 0, 'latin1');
  return words;
}

/** A scratch array of at least `n` words to lay out an encoding in, for textOfScratch (valid until the next call of this module). */
export function scratchWords(n: number): Float64Array {
  ensureWords(n);
  return words;
}

/** The first `n` words of scratchWords' array as an encoding. */
export function textOfScratch(n: number): string {
  return bytes.toString('latin1', 0, n * 8);
}

/** The windows of `text` (encodeWindowGroups'), as new arrays marked as copied by batch `batch`. */
export function decodeWindowGroups(text: string, numAccs: number, batch: number): WindowGroup[] {
  const count = wordsOf(text)[0]!;
  const groups: WindowGroup[] = new Array(count);
  readAt = 1;
  for (let g = 0; g < count; g++) groups[g] = readGroup(numAccs, batch);
  return groups;
}

/** where readGroup reads next in `words` */
let readAt = 0;

/** The window at `readAt` in `words`, as new arrays; moves `readAt` past it. */
function readGroup(numAccs: number, batch: number): WindowGroup {
  const w = words;
  let at = readAt;
  const start = w[at++]!, end = w[at++]!, rows = w[at++]!;
  const accs: AccState[] = new Array(numAccs);
  for (let a = 0; a < numAccs; a++) {
    const len = w[at++]!;
    const s: unknown[] = new Array(len);
    for (let k = 0; k < len; k++) s[k] = w[at++]!;
    accs[a] = s;
  }
  readAt = at;
  return [start, end, accs, null, rows, batch];
}

/** The word offset in `words` of the window of `text` ending at `end` (-1: none), `text` copied into `words`. */
function findEnd(text: string, numAccs: number, end: number): number {
  const w = wordsOf(text);
  let at = 0;
  const count = w[at++]!;
  for (let g = 0; g < count; g++) {
    if (w[at + 1] === end) return at;
    at += 3;
    for (let a = 0; a < numAccs; a++) at += 1 + w[at]!;
  }
  return -1;
}

/** Whether `text` holds a window ending at `end`, without decoding the rest. */
export function encodedHasEnd(text: string, numAccs: number, end: number): boolean {
  return findEnd(text, numAccs, end) >= 0;
}

/** The window of `text` ending at `end` (undefined: none), decoded alone. */
export function decodeWindowGroupEnding(text: string, numAccs: number, end: number): WindowGroup | undefined {
  const at = findEnd(text, numAccs, end);
  if (at < 0) return undefined;
  readAt = at;
  return readGroup(numAccs, -1);
}

/**
 * `text` without its windows ending at or before `upTo`, re-encoded straight from the bytes (no
 * arrays: the end of a run closes every window of every key at once); '' when none is left.
 */
export function encodedOpenAfter(text: string, numAccs: number, upTo: number): string {
  const w = wordsOf(text);
  const count = w[0]!;
  // kept windows are moved down over the dropped ones, in place (a kept window never moves up)
  let at = 1, to = 1, kept = 0;
  for (let g = 0; g < count; g++) {
    const from = at;
    at += 3;
    for (let a = 0; a < numAccs; a++) at += 1 + w[at]!;
    if (w[from + 1]! <= upTo) continue;
    if (to !== from) w.copyWithin(to, from, at);
    to += at - from;
    kept++;
  }
  if (kept === 0) return '';
  if (kept === count) return text;
  w[0] = kept;
  return bytes.toString('latin1', 0, to * 8);
}
