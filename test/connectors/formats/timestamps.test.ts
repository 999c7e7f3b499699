/**
 * Text timestamps read by arithmetic (timestamps.ts) against a JS Date, the reading they replace:
 * every date and time, valid or not, at the edges of the Date range (±8.64e15 ms) and of the
 * calendar (leap days, 2100 and 2000, year 0, negative years); the byte reader against the string
 * reader on spellings it takes and on near misses it must leave to the string reader.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { civilMs, parseTimestamp, timestampFromBytes } from '../../../src/connectors/formats/timestamps.js';
import { fcParams } from '../../support/property.js';

/** The Date-based reading timestamps.ts replaced, as the oracle. */
function dateMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  if (date.getUTCDate() !== d) return undefined;
  date.setUTCHours(h, mi, s, ms);
  const t = date.getTime();
  return Number.isNaN(t) ? undefined : t;
}

const pad = (n: number, w: number): string => String(Math.abs(n)).padStart(w, '0');

describe('civilMs', () => {
  it('equals the Date reading for any fields, in and out of range', () => {
    const year = fc.oneof(fc.integer({ min: -300000, max: 300000 }), fc.integer({ min: -2, max: 2500 }),
      fc.constantFrom(-271821, -271822, 275760, 275761, 0, 1900, 2000, 2100, 2400));
    fc.assert(fc.property(year, fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 24 }),
      fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 999 }),
      (y, mo, d, h, mi, s, ms) => {
        expect(civilMs(y, mo, d, h, mi, s, ms)).toBe(dateMs(y, mo, d, h, mi, s, ms));
      }), fcParams({ numRuns: 3000 }));
  });

  it('keeps the Date range to the millisecond at both ends', () => {
    // the first and last instants a Date holds, and the days around them
    expect(civilMs(-271821, 4, 20, 0, 0, 0, 0)).toBe(-8.64e15);
    expect(civilMs(-271821, 4, 19, 23, 59, 59, 999)).toBeUndefined();
    expect(civilMs(275760, 9, 13, 0, 0, 0, 0)).toBe(8.64e15);
    expect(civilMs(275760, 9, 13, 0, 0, 0, 1)).toBeUndefined();
    expect(civilMs(2024, 2, 29, 0, 0, 0, 0)).toBe(Date.UTC(2024, 1, 29));
    expect(civilMs(2100, 2, 29, 0, 0, 0, 0)).toBeUndefined();
    expect(civilMs(2000, 2, 29, 12, 0, 0, 0)).toBe(Date.UTC(2000, 1, 29, 12));
  });
});

describe('timestampFromBytes', () => {
  const bytes = (s: string): Buffer => Buffer.from(`xx${s}yy`, 'utf8');
  const read = (s: string): number | undefined => timestampFromBytes(bytes(s), 2, 2 + Buffer.byteLength(s));

  it('reads the common spellings as parseTimestamp does, and leaves others to it', () => {
    const spelling = fc.record({
      y: fc.integer({ min: 0, max: 9999 }), mo: fc.integer({ min: 0, max: 13 }), d: fc.integer({ min: 0, max: 32 }),
      h: fc.integer({ min: 0, max: 25 }), mi: fc.integer({ min: 0, max: 61 }), s: fc.integer({ min: 0, max: 61 }),
      sep: fc.constantFrom(' ', 'T', 't', '_'), frac: fc.constantFrom('', '.', '.5', '.12', '.123', '.1234567', ',25', '.x'),
      zone: fc.constantFrom('', '', 'Z', 'z', ' Z', '+01:00', '-0530', 'ZZ'), dateOnly: fc.boolean(),
      mangle: fc.constantFrom('none', 'none', 'none', 'lead-blank', 'trail-blank', 'short-month', 'sign', 'drop-seconds', 'digit-char'),
    });
    fc.assert(fc.property(spelling, (p) => {
      const date = `${pad(p.y, 4)}-${pad(p.mo, 2)}-${pad(p.d, 2)}`;
      let text = p.dateOnly ? date : `${date}${p.sep}${pad(p.h, 2)}:${pad(p.mi, 2)}:${pad(p.s, 2)}${p.frac}${p.zone}`;
      if (p.mangle === 'lead-blank') text = ` ${text}`;
      if (p.mangle === 'trail-blank') text = `${text} `;
      if (p.mangle === 'short-month') text = text.replace(/-0(\d)-/, '-$1-');
      if (p.mangle === 'sign') text = `+${text}`;
      if (p.mangle === 'drop-seconds') text = text.slice(0, 16);
      if (p.mangle === 'digit-char') text = `${text.slice(0, 2)}x${text.slice(3)}`;
      const got = read(text);
      // a value read from bytes is always parseTimestamp's; undefined means "not this shape": the string path decides
      if (got !== undefined) expect(got).toBe(parseTimestamp(text));
      else expect(parseTimestamp(text) === undefined || !/^\d{4}-\d\d-\d\d([ Tt]\d\d:\d\d:\d\d([.,]\d+)?[Zz]?)?$/.test(text)).toBe(true);
    }), fcParams({ numRuns: 3000 }));
  });

  it('reads the spellings a file holds, and nothing past the cell', () => {
    expect(read('2026-11-23 10:00:05.123')).toBe(Date.UTC(2026, 10, 23, 10, 0, 5, 123));
    expect(read('2026-11-23T10:00:05Z')).toBe(Date.UTC(2026, 10, 23, 10, 0, 5));
    expect(read('2026-11-23t10:00:05,5')).toBe(Date.UTC(2026, 10, 23, 10, 0, 5, 500));
    expect(read('1969-12-31 23:59:59.9999')).toBe(-1);
    expect(read('2026-11-23')).toBe(Date.UTC(2026, 10, 23));
    expect(read('0000-01-01 00:00:00')).toBe(parseTimestamp('0000-01-01 00:00:00'));
    // shapes left to the string reader
    for (const s of ['2026-11-23 10:00', '2026-11-23 10:00:05+01:00', '2026-11-23 10:00:05.', '2026-11-23Z', '20261123', '']) expect(read(s)).toBeUndefined();
    // invalid dates are not read (the string reader gives the failure)
    expect(read('2023-02-29 00:00:00')).toBeUndefined();
    expect(read('2026-11-23 24:00:00')).toBeUndefined();
  });
});
