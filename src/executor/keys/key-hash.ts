/**
 * The stable hash of an encoded key, and the key group it falls in.
 *
 * MurmurHash3 (x86, 32-bit) over the key's UTF-16LE bytes: two code units make one 4-byte block
 * (the first the low half), an odd last unit is a 2-byte tail. Written out here with Math.imul and
 * unsigned shifts only, so the value is the same in every process and Node version: it decides which
 * key group (and later which task) owns a key, and checkpoints are split by it.
 */

/** Flink's default maximum parallelism: the number of key groups. */
export const DEFAULT_MAX_PARALLELISM = 128;

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** A 4-byte block k scrambled (also the tail's step). */
function scramble(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

/** One 4-byte block (two UTF-16 units, the first the low half) mixed into the running hash h. */
export function murmurBlock(h: number, k: number): number {
  h ^= scramble(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** The final avalanche over h, for a key of `units` UTF-16 units. */
export function murmurFinish(h: number, units: number): number {
  h ^= units * 2;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function murmur3Utf16(key: string, seed = 0): number {
  let h = seed >>> 0;
  const n = key.length;
  const pairs = n & ~1;
  // the block step written out (murmurBlock): a call here cost a tenth more on short keys
  for (let i = 0; i < pairs; i += 2) {
    let k = (key.charCodeAt(i) | (key.charCodeAt(i + 1) << 16)) >>> 0;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (n & 1) h ^= scramble(key.charCodeAt(n - 1));
  return murmurFinish(h, n);
}

/** The key group of a key hash: hash mod max parallelism (a whole number in [0, maxParallelism)). */
export function keyGroupOf(hash: number, maxParallelism = DEFAULT_MAX_PARALLELISM): number {
  if (!Number.isInteger(maxParallelism) || maxParallelism < 1) throw new RangeError(`max parallelism ${maxParallelism} is not a positive integer`);
  return (hash >>> 0) % maxParallelism;
}

/** The key group of an encoded key. */
export function keyGroupOfKey(key: string, maxParallelism = DEFAULT_MAX_PARALLELISM): number {
  return keyGroupOf(murmur3Utf16(key), maxParallelism);
}
