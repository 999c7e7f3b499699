/**
 * The spill area (spill-area.ts) and a memory store that spills (live-entries.ts): values come back
 * byte for byte (byte arrays, and long strings of any UTF-16 code units), a segment closes once nothing in it is referenced (so a long run's disk use follows
 * its live state), and puts, deletes, commits and aborts over spilled values equal a Map model and
 * leave nothing referenced once every key is gone.
 *
 * Fresh inputs every run (fast-check, seed printed; WEIR_SEED replays).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SPILL_MIN } from '../../src/state/live-entries.js';
import { MemoryStateStore } from '../../src/state/memory-state-store.js';
import { readBackCopy, SpillArea } from '../../src/state/spill-area.js';
import type { StateValue } from '../../src/state/state-store.js';
import { fcParams } from '../support/property.js';
import { StoreModel, type StoreOp } from '../support/store-model.js';

/** n bytes that differ from other seeds' and lengths' at both ends and in the middle */
function bytes(n: number, seed: number): Uint8Array {
  const a = new Uint8Array(n).fill(seed);
  a[0] = n & 255;
  a[n >> 1] = (seed * 7 + 1) & 255;
  a[n - 1] = (n >> 8) & 255;
  return a;
}

/** Entries with byte arrays as base64 text: compared natively, not element by element. */
const comparable = (entries: Iterable<[string, StateValue]>): Map<string, unknown[]> =>
  new Map([...entries].map(([k, v]) => [k, v.map((x) => (x instanceof Uint8Array ? `u8:${Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64')}` : x))]));

describe('spill area', () => {
  it('names its read-back copies, which their one reader may release, and nothing else', () => {
    const area = new SpillArea(undefined, 1000);
    const written = bytes(600, 1);
    const at = area.write(written);
    const first = area.read(at), second = area.read(at);
    expect(readBackCopy(first) && readBackCopy(second)).toBe(true);
    expect(first.buffer).not.toBe(second.buffer); // each read its own copy
    expect(readBackCopy(written)).toBe(false);
    // a spilling store hands out read-back copies of spilled values only: the held ones are its own
    const store = new MemoryStateStore(0, -1, { area, threshold: SPILL_MIN });
    store.put('a', [bytes(SPILL_MIN, 2)]);
    expect(readBackCopy(store.get('a')![0] as Uint8Array)).toBe(false);
    store.put('b', [bytes(SPILL_MIN, 3)]); // past the threshold: a spills
    expect(readBackCopy(store.get('a')![0] as Uint8Array)).toBe(true);
    expect(readBackCopy(store.get('b')![0] as Uint8Array)).toBe(false);
    area.close();
  });

  it('reads back what it wrote, across segments', () => {
    const area = new SpillArea(undefined, 1000);
    const a = area.write(bytes(600, 1));
    const b = area.write(bytes(600, 2)); // does not fit beside a: a second segment
    const c = area.write(bytes(2500, 3)); // larger than a segment: a segment of its own
    expect(area.segments).toBe(3);
    expect(area.read(a)).toEqual(bytes(600, 1));
    expect(area.read(b)).toEqual(bytes(600, 2));
    expect(area.read(c)).toEqual(bytes(2500, 3));
    expect(area.bytesOnDisk).toBe(3700);
    area.close();
    expect(() => area.write(bytes(1, 0))).toThrow(/closed/);
  });

  it('reads back small values, buffered or written, and large ones written past the buffer', () => {
    const area = new SpillArea(undefined, 4 * 1024 * 1024);
    const small = Array.from({ length: 3000 }, (_, i) => [area.write(bytes(100 + (i % 50), i & 255)), i] as const);
    const big = area.write(bytes(200_000, 9)); // written straight through, after the buffered ones
    const after = area.write(bytes(10, 10));
    for (const [at, i] of small) expect(area.read(at)).toEqual(bytes(100 + (i % 50), i & 255));
    expect(area.read(big)).toEqual(bytes(200_000, 9));
    expect(area.read(after)).toEqual(bytes(10, 10));
    area.close();
  });

  it('gives a released slot to a later write, and refuses a slot released twice', () => {
    const area = new SpillArea(undefined, 1 << 20);
    const slots = Array.from({ length: 3000 }, (_, i) => area.write(bytes(20 + (i % 7), i & 255)));
    for (let i = 0; i < 3000; i += 2) area.release(slots[i]!);
    expect(() => area.release(slots[0]!)).toThrow(/released twice/);
    // the released slots come back, holding the new bytes; the kept ones still hold theirs
    const again = Array.from({ length: 1500 }, (_, i) => area.write(bytes(40, (i * 3) & 255)));
    expect(new Set(again)).toEqual(new Set(slots.filter((_, i) => i % 2 === 0)));
    for (let i = 1; i < 3000; i += 2) expect(area.read(slots[i]!)).toEqual(bytes(20 + (i % 7), i & 255));
    again.forEach((at, i) => expect(area.read(at)).toEqual(bytes(40, (i * 3) & 255)));
    area.close();
  });

  it('refuses, naming the directory and the ways out, when it cannot make its file', () => {
    const area = new SpillArea('/nonexistent-weir-spill-dir');
    expect(() => area.write(bytes(10, 1))).toThrow(/spill file in \/nonexistent-weir-spill-dir: .*ENOENT.*TMPDIR.*'state.spill-threshold' = '0'/);
    area.close();
  });

  it('closes a segment once every value in it is released, never the one being written', () => {
    const area = new SpillArea(undefined, 1000);
    const a = area.write(bytes(400, 1));
    const b = area.write(bytes(400, 2));
    const c = area.write(bytes(400, 3)); // second segment, now the current one
    area.release(a);
    expect(area.segments).toBe(2);
    area.release(b);
    expect(area.segments).toBe(1);
    expect(() => area.read(a)).toThrow(/released/);
    area.release(c);
    expect(area.segments).toBe(1); // still written to
    area.write(bytes(700, 4)); // opens a new segment: the empty current one closes
    expect(area.segments).toBe(1);
    area.close();
    expect(area.segments).toBe(0);
  });
});

type Op = StoreOp;

// '#' and base 36: numbered keys, held in an array (live-map.ts)
const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', '#0', '#1z');
// large byte arrays (they spill), small ones and plain values (they stay), mixed in one value
const large = fc.tuple(fc.integer({ min: 0, max: 2000 }), fc.nat(255)).map(([extra, seed]) => bytes(SPILL_MIN + extra, seed));
// a Top-N pack: one string, of characters below 256 (as packs are; spilled one byte each) or of any
// UTF-16 code units (lone surrogates included); it spills when put as spillable
const text = fc.tuple(fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 40 })),
  fc.integer({ min: 1, max: 3000 }), fc.boolean())
  .map(([t, n, surrogate]) => [t.repeat(Math.ceil(n / t.length)).slice(0, n) + (surrogate ? '\uD800' : '')]);
const value: fc.Arbitrary<StateValue> = fc.oneof(
  text,
  fc.tuple(large, fc.oneof(fc.constant(null), large, fc.nat(255).map((s) => bytes(7, s)))).map(([x, y]) => [x, y]),
  fc.tuple(large, fc.integer()).map(([x, n]) => [x, null, n]),
  fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 2 }),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('put' as const), key, value, spillable: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'commit' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'abort' as const }) },
);

describe('a memory store that spills', () => {
  it('spills a restored string once its operator marks it spillable: one byte a character below 256, else two', async () => {
    const area = new SpillArea();
    const store = new MemoryStateStore(0, -1, { area, threshold: 10 });
    const oneByte = 'a pack of rows \u00ff\u0000', twoBytes = 'a pack of rows \uD800';
    store.put('#1', [oneByte], false);
    store.put('#2', [twoBytes], false);
    await store.commit(0);
    expect(area.bytesOnDisk).toBe(0);
    store.markSpillable('#1');
    expect(area.bytesOnDisk).toBe(1 + oneByte.length);
    store.markSpillable('#2');
    expect(area.bytesOnDisk).toBe(1 + oneByte.length + 1 + 2 * twoBytes.length);
    expect(store.get('#1')).toEqual([oneByte]);
    expect(store.get('#2')).toEqual([twoBytes]);
    area.close();
  });

  it('equals a Map model, keeps at most its threshold in memory, and releases every spilled value', async () => {
    await fc.assert(fc.asyncProperty(fc.array(op, { maxLength: 50 }), fc.integer({ min: 0, max: 3 }), async (ops, within) => {
      // segments of a few values each, so that releases close segments
      const area = new SpillArea(undefined, 3 * SPILL_MIN);
      const threshold = within * SPILL_MIN;
      const store = new MemoryStateStore(0, -1, { area, threshold });
      const m = new StoreModel();
      for (const o of ops) {
        await m.apply(store, o);
        const model = m.live;
        expect(comparable(store.entries())).toEqual(comparable(model.entries()));
        for (const k of ['a', 'e', 'zz']) expect(comparable(store.get(k) ? [[k, store.get(k)!]] : [])).toEqual(comparable(model.has(k) ? [[k, model.get(k)!]] : []));
        // what stays in memory: the newest large arrays and spillable strings, up to the threshold
        expect(store.memoryUsedBytes()).toBeLessThan(threshold + 4096);
        // a string put spillable spills past the threshold: gone from memory, read back from the file
        if (o.kind === 'put' && o.spillable && within === 0 && o.value.length === 1 && typeof o.value[0] === 'string') {
          expect(area.bytesOnDisk).toBeGreaterThanOrEqual((o.value[0] as string).length);
        }
      }
      for (const k of [...m.live.keys()]) await m.apply(store, { kind: 'delete', key: k });
      await m.commit(store);
      // every spilled value released: no segment but (at most) the one being written
      expect(area.segments).toBeLessThanOrEqual(1);
      area.close();
    }), fcParams({ numRuns: 100 }));
  });
});
