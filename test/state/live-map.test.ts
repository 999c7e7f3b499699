/**
 * The live entries' map (live-map.ts) against a plain Map: numbered keys (`#` and canonical base
 * 36) live in an array, every other key in a Map, and a numbered key too far past the array's end
 * in the Map as well; whatever the mix, gets, sizes and entries equal the Map's, for values in an
 * array and for numbers in a Float64Array (the spill queue's stamps).
 *
 * Fresh inputs every run (fast-check, seed printed; WEIR_SEED replays).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LiveMap, NumberSlots, numberOf } from '../../src/state/live-map.js';
import { fcParams } from '../support/property.js';

describe('live map', () => {
  it('reads the number of canonical numbered keys only', () => {
    expect(numberOf('#0')).toBe(0);
    expect(numberOf('#z')).toBe(35);
    expect(numberOf('#10')).toBe(36);
    expect(numberOf('#zzzzzz')).toBe(36 ** 6 - 1);
    for (const k of ['#', '#01', '#00', '#A', '#-1', '#1.5', '# 1', '#zzzzzzz', '1', '', 'a#1', '#\u0661', '\u0000#1']) expect(numberOf(k)).toBe(-1);
  });

  for (const [slots, make] of [['values', () => new LiveMap<number>()], ['numbers', () => new LiveMap<number>(new NumberSlots())]] as const) {
    it(`equals a Map through sets and deletes of numbered, near-numbered and other keys (${slots} in an array)`, () => {
      const key = fc.oneof(
        fc.nat(300).map((n) => '#' + n.toString(36)),
        fc.constantFrom('#0', '#01', '#', '#A', 'a', '', '\uD800', '#zzzzzz', '#10000', '#2s0g'),
        fc.integer({ min: 65_000, max: 140_000 }).map((n) => '#' + n.toString(36)), // near and past the gap
      );
      const op = fc.record({ set: fc.boolean(), key, v: fc.nat(1000) });
      fc.assert(fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const m = make();
        const model = new Map<string, number>();
        for (const o of ops) {
          if (o.set) {
            m.set(o.key, o.v);
            model.set(o.key, o.v);
          } else expect(m.delete(o.key)).toBe(model.delete(o.key));
          expect(m.size).toBe(model.size);
          expect(m.get(o.key)).toBe(model.get(o.key));
          expect(m.has(o.key)).toBe(model.has(o.key));
        }
        expect(new Map(m.entries())).toEqual(model);
        expect([...m.entries()].length).toBe(model.size);
      }), fcParams({ numRuns: 200 }));
    });
  }

  it('keeps a far-off number in the Map, and finds it there once the array has grown past it', () => {
    const m = new LiveMap<string>();
    const far = '#' + (200_000).toString(36);
    m.set(far, 'far');
    for (let n = 0; n < 200_010; n++) if (n !== 200_000) m.set('#' + n.toString(36), `v${n}`);
    expect(m.get(far)).toBe('far');
    expect(m.size).toBe(200_010);
    m.set(far, 'moved'); // now within the array: it moves there, once
    expect(m.get(far)).toBe('moved');
    expect(m.size).toBe(200_010);
    expect(m.delete(far)).toBe(true);
    expect(m.get(far)).toBeUndefined();
    expect(m.size).toBe(200_009);
  });
});
