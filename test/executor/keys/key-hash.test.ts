import { describe, expect, it } from 'vitest';
import { T } from '../../../src/common/types.js';
import { KeyCodec } from '../../../src/executor/keys/key-codec.js';
import { DEFAULT_MAX_PARALLELISM, keyGroupOf, keyGroupOfKey, murmur3Utf16 } from '../../../src/executor/keys/key-hash.js';

/** MurmurHash3 x86_32 over bytes, written straight from the reference: the oracle for the UTF-16 form. */
function murmur3Bytes(bytes: Uint8Array, seed: number): number {
  let h = seed >>> 0;
  const n = bytes.length;
  const blocks = n - (n % 4);
  const mix = (k: number): number => Math.imul(((Math.imul(k, 0xcc9e2d51) << 15) | (Math.imul(k, 0xcc9e2d51) >>> 17)), 0x1b873593);
  for (let i = 0; i < blocks; i += 4) {
    const k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    h ^= mix(k);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = n & 3;
  if (rest > 0) {
    let t = 0;
    if (rest === 3) t ^= bytes[blocks + 2]! << 16;
    if (rest >= 2) t ^= bytes[blocks + 1]! << 8;
    t ^= bytes[blocks]!;
    h ^= mix(t);
  }
  h ^= n;
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

describe('key hash', () => {
  it('the byte oracle gives the published MurmurHash3 x86_32 vectors', () => {
    const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
    expect(murmur3Bytes(ascii(''), 0)).toBe(0);
    expect(murmur3Bytes(ascii(''), 1)).toBe(0x514e28b7);
    expect(murmur3Bytes(new Uint8Array(4), 0)).toBe(0x2362f9de);
    expect(murmur3Bytes(ascii('Hello, world!'), 0x9747b28c)).toBe(0x24884cba);
    expect(murmur3Bytes(ascii('The quick brown fox jumps over the lazy dog'), 0x9747b28c)).toBe(0x2fa826cd);
  });

  it('is MurmurHash3 of the key\'s UTF-16LE bytes', () => {
    for (const s of ['', 'a', 'ab', 'abc', '\u0000\u0001', 'é\uD800\uFFFF', 'x'.repeat(101)]) {
      expect(murmur3Utf16(s)).toBe(murmur3Bytes(new Uint8Array(Buffer.from(s, 'utf16le')), 0));
      expect(murmur3Utf16(s, 42)).toBe(murmur3Bytes(new Uint8Array(Buffer.from(s, 'utf16le')), 42));
    }
  });

  it('gives golden values for encoded keys (a change here moves keys between key groups)', () => {
    const c = new KeyCodec([T.BIGINT, T.VARCHAR]);
    expect(murmur3Utf16(c.encode([1, 'a']))).toBe(GOLDEN.a);
    expect(murmur3Utf16(c.encode([2n ** 53n + 1n, null]))).toBe(GOLDEN.b);
    expect(keyGroupOfKey(c.encode([1000, 'bidder']))).toBe(GOLDEN.group);
  });

  it('spreads sequential keys evenly over the key groups', () => {
    const c = new KeyCodec([T.BIGINT]);
    const counts = new Array<number>(DEFAULT_MAX_PARALLELISM).fill(0);
    const n = 128_000;
    for (let i = 0; i < n; i++) counts[keyGroupOfKey(c.encode([i]))]!++;
    const mean = n / DEFAULT_MAX_PARALLELISM;
    // a uniform hash puts ~1000 ± 32 in each group; allow 20 %
    expect(Math.min(...counts)).toBeGreaterThan(mean * 0.8);
    expect(Math.max(...counts)).toBeLessThan(mean * 1.2);
  });

  it('keyGroupOf is the hash mod max parallelism and refuses a bad parallelism', () => {
    expect(keyGroupOf(0xffffffff, 128)).toBe(127);
    expect(keyGroupOf(1000, 7)).toBe(1000 % 7);
    expect(() => keyGroupOf(1, 0)).toThrow(RangeError);
  });
});

// computed once by this implementation, which the tests above check against the reference byte form
const GOLDEN = { a: 1340359140, b: 3530345098, group: 23 };
