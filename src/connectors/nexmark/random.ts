/**
 * The generator's randomness and its fixed vocabularies.
 *
 * Every random draw is a pure function of (seed, eventId, draw number): `eventHash` mixes the seed
 * and the event id into one 32-bit word, `draw(h, j)` gives that event's j-th draw. No state runs from
 * one event to the next, so any split of the event range into batches yields the same data.
 *
 * Strings are never built as JS strings on the hot path: they are byte slices of fixed pseudo-random
 * buffers (`LETTERS`, `TEXT`) or entries of pre-encoded tables (names, cities, channels, URLs).
 */

/** A 32-bit avalanche mix (the "lowbias32" finaliser): a bijection on uint32, well spread. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

const TWO_32 = 4294967296;
const INV_TWO_32 = 1 / TWO_32;

/** The seed as two pre-mixed words, so seeds 0 and 1 give unrelated streams. */
export interface SeedWords {
  readonly lo: number;
  readonly hi: number;
}

export function seedWords(seed: number): SeedWords {
  const hi = Math.floor(seed / TWO_32);
  return { lo: mix32((seed | 0) ^ 0x5bd1e995), hi: mix32((hi | 0) ^ 0x27d4eb2f) };
}

/** The per-event hash all of an event's draws derive from. Exact for ids up to 2^53. */
export function eventHash(s: SeedWords, eventId: number): number {
  const hi = Math.floor(eventId * INV_TWO_32);
  return mix32(((eventId ^ s.lo) + Math.imul(hi ^ s.hi, 0x85ebca6b)) | 0);
}

/** The j-th uint32 draw of an event (counter-based, like splitmix). */
export function draw(h: number, j: number): number {
  return mix32((h + Math.imul(j, 0x9e3779b9)) | 0);
}

/** A uint32 draw mapped to an integer uniform in [0, m). */
export function below(r: number, m: number): number {
  return Math.floor(r * m * INV_TWO_32);
}

/** A uint32 draw mapped to [0, 1). */
export function unit(r: number): number {
  return r * INV_TWO_32;
}

// ---------------------------------------------------------------------------------------------
// Fixed byte buffers that random strings are sliced from.

/** Length of the region a slice may start in; buffers carry `SLICE_PAD` more bytes after it. */
export const SLICE_SPAN = 1 << 16;
export const SLICE_PAD = 1024;

const CH_A = 97;
const CH_SPACE = 32;

/**
 * Byte k of a random text with spaces: the special character with probability 1/13, else a-z, as
 * the reference generator draws names and descriptions (two draws a character). `special` is a byte
 * (≥ 0): a text of letters only is drawn six letters a word by fillLetters, drawText chooses. The
 * tables below hold these bytes precomputed; the full-field mode draws them anew (TextSource).
 */
export function drawnByte(salt: number, special: number, k: number): number {
  const r = draw(salt, k);
  return below(r, 13) === 0 ? special : CH_A + below(mix32(r ^ 0x68e31da4), 26);
}

/** Letters a 32-bit draw gives: 26^6 < 2^32 (the reference's log_26(2^31)). */
const LETTERS_PER_DRAW = 6;

/**
 * Letters [k, k + len) of the letter stream of `salt` into out[o, o + len): letter k is base-26 digit
 * k mod 6 of draw(salt, floor(k / 6)), as the reference generator's `extra` strings take six letters
 * from each random int it draws (its nextExactString). The sixth digit of a draw is a shade less
 * often x, y or z (2^32 / 26^5 = 361.49 is not a whole number of 26s): 13.49, 13 and 13 in 361.49
 * against 14 for a–w.
 */
export function fillLetters(salt: number, out: Uint8Array, o: number, k: number, len: number): void {
  const end = o + len;
  let word = Math.floor(k / LETTERS_PER_DRAW);
  let skip = k - word * LETTERS_PER_DRAW;
  // one draw a word, and no test per letter of whether a new draw is due (6.6 → 3.4 ns a letter).
  // Every statement runs for every word, the first and the last too: V8 compiles the loop while the
  // first long call runs it, and a test that had not run by then (a first or last partial word
  // handled apart) ended every later call in a deoptimization (215 in a 2 M event run)
  while (o < end) {
    let r = draw(salt, word++);
    let letters = LETTERS_PER_DRAW;
    for (; skip > 0; skip--, letters--) r = (r / 26) | 0;
    const stop = Math.min(end, o + letters);
    while (o < stop) {
      const q = (r / 26) | 0;
      out[o++] = CH_A + r - q * 26;
      r = q;
    }
  }
}

/**
 * Bytes [k, k + len) of the random text of `salt` and `special` into out[o, o + len), drawn: letters
 * only (`special` < 0) six from each word (fillLetters), else a character at a time (drawnByte).
 */
export function drawText(salt: number, special: number, out: Uint8Array, o: number, k: number, len: number): void {
  if (special < 0) fillLetters(salt, out, o, k, len);
  else for (let i = 0; i < len; i++) out[o + i] = drawnByte(salt, special, k + i);
}

/** A random text: its precomputed bytes, and how to draw byte k of it again (drawText). */
export interface TextSource {
  readonly bytes: Uint8Array;
  readonly salt: number;
  readonly special: number;
}

function textSource(salt: number, special: number): TextSource {
  const bytes = new Uint8Array(SLICE_SPAN + SLICE_PAD);
  drawText(salt, special, bytes, 0, 0, bytes.length);
  return { bytes, salt, special };
}

/** Lower-case letters only: `extra` padding, e-mail parts. */
export const LETTERS_SOURCE: TextSource = textSource(0x1b873593, -1);
/** Letters with a space 1 time in 13: item names and descriptions (trimmed after slicing). */
export const TEXT_SOURCE: TextSource = textSource(0xcc9e2d51, CH_SPACE);
export const LETTERS: Uint8Array = LETTERS_SOURCE.bytes;
export const TEXT: Uint8Array = TEXT_SOURCE.bytes;

// ---------------------------------------------------------------------------------------------
// Pre-encoded vocabularies: one byte buffer and an offset table each.

export interface ByteTable {
  /** the entries' bytes, followed by COPY_PADDING spare bytes */
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** entry k is bytes[offsets[k], offsets[k+1]) */
  readonly offsets: Int32Array;
  readonly size: number;
  readonly maxLength: number;
}

const encoder = new TextEncoder();
/** Spare bytes after a table's entries: copies read a few bytes past a value (builders.ts). */
const COPY_PADDING = 16;

export function byteTable(words: readonly string[]): ByteTable {
  const parts = words.map((w) => encoder.encode(w));
  const offsets = new Int32Array(parts.length + 1);
  let total = 0;
  let maxLength = 0;
  parts.forEach((p, k) => {
    total += p.length;
    offsets[k + 1] = total;
    maxLength = Math.max(maxLength, p.length);
  });
  const bytes = new Uint8Array(total + COPY_PADDING);
  parts.forEach((p, k) => bytes.set(p, offsets[k]!));
  return { bytes, view: new DataView(bytes.buffer), offsets, size: parts.length, maxLength };
}

export const US_STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'] as const;
export const US_CITIES = [
  'Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne',
] as const;
export const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'] as const;
export const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'] as const;
export const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'] as const;
/** Number of `channel-k` channels. */
export const CHANNELS = 10_000;

export const STATE_TABLE = byteTable(US_STATES);
export const CITY_TABLE = byteTable(US_CITIES);
/** All 99 "First Last" names, index = first * 9 + last. */
export const NAME_TABLE = byteTable(FIRST_NAMES.flatMap((f) => LAST_NAMES.map((l) => `${f} ${l}`)));

/** Channel names and their URLs: entries 0..9999 are `channel-k`, 10000..10003 the hot channels. */
export interface ChannelTables {
  readonly names: ByteTable;
  readonly urls: ByteTable;
}

/** Java's Integer.reverse: the 32 bits of k in reverse order, as a signed int. */
export function reverseBits32(k: number): number {
  let x = k >>> 0;
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  return ((x >>> 16) | (x << 16)) | 0;
}

/** A URL path part: 3–4 characters, each a-z or `_` (1 in 13). */
function urlPart(h: number, j: number): string {
  const len = 3 + below(draw(h, j), 2);
  let s = '';
  for (let c = 0; c < len; c++) {
    const r = draw(h, j + 1 + c);
    s += below(r, 13) === 0 ? '_' : String.fromCharCode(CH_A + below(mix32(r ^ 0x68e31da4), 26));
  }
  return s;
}

function baseUrl(h: number): string {
  return `https://www.nexmark.com/${urlPart(h, 0)}/${urlPart(h, 10)}/${urlPart(h, 20)}/item.htm?query=1`;
}

const channelCache = new Map<string, ChannelTables>();

/** The channel tables of a seed (built once per seed: 10 004 short strings). */
export function channelTables(seed: SeedWords): ChannelTables {
  const key = `${seed.lo}:${seed.hi}`;
  const cached = channelCache.get(key);
  if (cached) return cached;
  const names: string[] = [];
  const urls: string[] = [];
  for (let k = 0; k < CHANNELS + HOT_CHANNELS.length; k++) {
    const h = mix32(seed.lo ^ mix32(seed.hi + k * 0x2545f491));
    if (k < CHANNELS) {
      names.push(`channel-${k}`);
      // 9 channels in 10 carry their id in the URL.
      const withId = below(draw(h, 40), 10) > 0;
      urls.push(withId ? `${baseUrl(h)}&channel_id=${Math.abs(reverseBits32(k))}` : baseUrl(h));
    } else {
      names.push(HOT_CHANNELS[k - CHANNELS]!);
      urls.push(baseUrl(h));
    }
  }
  const tables = { names: byteTable(names), urls: byteTable(urls) };
  if (channelCache.size >= 8) channelCache.clear();
  channelCache.set(key, tables);
  return tables;
}
