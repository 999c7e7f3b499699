/**
 * The shortcuts for numbers in the streaming decoders, against the exact ways they stand in for:
 *
 * - an unquoted CSV piece reads an integer cell's digits straight from the bytes (csv-scan.ts
 *   smallInteger) instead of making a string and calling readInteger: the rows and the rejected
 *   records (reason, raw text) must be the whole-text decoder's, for cells that break that shortcut
 *   (signs, -0, leading zeros, 15 and 16 digits, values just past a type's range, blanks, a null
 *   literal that is itself an integer);
 * - a DOUBLE cell of plain decimal digits is read from the bytes too (numbers.ts plainDouble), with
 *   the double readFloat gives its text (-0, leading zeros, 15 and 16 digits, '+', blanks, exponents);
 * - ColumnsCollector keeps numeric columns in a Float64Array (column-builders.ts NumberColumn): the
 *   column must be the one columnOf builds from the same values, NaN, -0, NULLs, bigints beyond 2^53
 *   and fractions included.
 *
 * Fresh inputs every run (fast-check, seed printed; WEIR_SEED replays).
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { batchToRows } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T, type SqlType } from '../../../src/common/types.js';
import { readTextFile } from '../../../src/connectors/filesystem/read-text.js';
import { columnOf, NumberColumn } from '../../../src/connectors/formats/column-builders.js';
import { csvFormat, decodeCsvPiece, DEFAULT_CSV_OPTIONS, newCsvReadState, type CsvOptions } from '../../../src/connectors/formats/csv.js';
import { ColumnsCollector, type DecodeResult } from '../../../src/connectors/formats/decoded.js';
import { fcParams, propertySeed } from '../../support/property.js';

const dir = mkdtempSync(path.join(tmpdir(), 'weir-number-cells-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const schema: Schema = {
  columns: [
    { name: 'tiny', type: T.TINYINT, nullable: true },
    { name: 'small', type: T.SMALLINT, nullable: true },
    { name: 'i', type: T.INT, nullable: false },
    { name: 'big', type: T.BIGINT, nullable: true },
    { name: 'd', type: T.DOUBLE, nullable: true },
    { name: 's', type: T.VARCHAR, nullable: true },
  ],
};

/** Integer texts around every edge of the byte shortcut and of the types' ranges. */
const INTEGER_TEXTS = [
  '0', '-0', '+0', '7', '+7', '-7', '007', '-007', '127', '128', '-128', '-129', '32767', '32768', '-32769',
  '2147483647', '2147483648', '-2147483648', '-2147483649', '999999999999999', '-99999999999999', '1000000000000000',
  '9007199254740991', '9007199254740993', '9223372036854775807', '9223372036854775808', '-9223372036854775809',
  '123456789012345', '+12345678901234', '-', '+', '--1', '1-', ' 5', '5 ', '\t5', '1.0', '1e3', '0x10', '٣', 'NULL', '',
];

// mostly cells every column reads, so that a row's other cells seldom hide a wrong value in one
/** Decimal texts around the edges of the DOUBLE shortcut (plainDouble: at most 15 digits, no '+', no exponent). */
const DECIMAL_TEXTS = ['-0', '-0.0', '0.1', '1.', '.5', '+1.5', '-.5', '1.5 ', '007.25', '123456789012345', '1234567890123456',
  '12345678.1234567', '12345678.12345678',
  // 16 digits whose double arithmetic (m / 10^k) is not Number(text): past the shortcut's reach
  '95443892161.38121', '9.708040562935331', '-907488.3863381863',
  // the shortest texts of random doubles (16-17 digits), and digits past a double's range
  '73.81948567463946', '0.30000000000000004', '-0.0000000000000000001', `1${'0'.repeat(400)}`, `-1${'0'.repeat(309)}.5`, '0.000000000000001', '0.0000000000000001', '9007199254740993.5', '1e3', 'NaN', '-Infinity'];
const decimalArb = fc.tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,9}$/), fc.stringMatching(/^[0-9]{0,9}$/))
  .map(([neg, i, f]) => `${neg ? '-' : ''}${i}${f ? `.${f}` : ''}`);

const cellArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -128, max: 127 }).map(String) },
  { weight: 2, arbitrary: fc.oneof(decimalArb, fc.constantFrom(...DECIMAL_TEXTS)) },
  { weight: 4, arbitrary: fc.constantFrom(...INTEGER_TEXTS) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String) },
  { weight: 1, arbitrary: fc.double({ noDefaultInfinity: true }).map(String) },
);

const lineArb = fc.tuple(cellArb, cellArb, cellArb, cellArb, cellArb, fc.constantFrom('x', 'é', '日本', ''))
  .chain((cells) => fc.constantFrom(cells.join(','), cells.slice(0, 5).join(','), `${cells.join(',')},extra`));

function merged(results: readonly DecodeResult[]): { rows: unknown[]; rejected: unknown[]; records: number } {
  return {
    rows: results.flatMap((x) => batchToRows(x.batch)),
    rejected: results.flatMap((x) => x.rejected),
    records: results.reduce((a, x) => a + x.records, 0),
  };
}

describe('integer cells read from the bytes of an unquoted CSV piece', () => {
  const variants: readonly CsvOptions[] = [
    DEFAULT_CSV_OPTIONS,
    // a null literal that spells an integer: those cells are NULL, not numbers
    { ...DEFAULT_CSV_OPTIONS, nullLiteral: '0' },
    { ...DEFAULT_CSV_OPTIONS, nullLiteral: '-7' },
    { ...DEFAULT_CSV_OPTIONS, nullLiteral: 'NULL' },
  ];
  let file = 0;

  it('gives the rows and rejected records of the whole-text decoder', async () => {
    await fc.assert(fc.asyncProperty(fc.array(lineArb, { minLength: 1, maxLength: 40 }), fc.constantFrom(...variants),
      fc.constantFrom<readonly string[] | undefined>(undefined, ['i', 'big'], ['tiny', 'small', 'd']), async (lines, opts, cols) => {
        const text = `${lines.join('\n')}\n`;
        const f = path.join(dir, `f${file++}.csv`);
        writeFileSync(f, text);
        const read = cols && schema.columns.map((c) => cols.includes(c.name));
        const want = merged([decodeCsvPiece(text, schema, 'f.csv', opts, new Set(), newCsvReadState(schema, read), 1)]);
        const got = merged(await readTextFile(f, csvFormat(opts).streamDecoder(schema, 'f.csv', cols && new Set(cols)), 1 << 20));
        expect(got).toEqual(want);
      }), fcParams({ numRuns: 150 }));
  });

  it('reads the usual cells as numbers, blanks around digits the text way, and refuses the rest with readInteger\'s reasons', async () => {
    const f = path.join(dir, 'fixed.csv');
    writeFileSync(f, ['-0,+7,007,9223372036854775807,1.5,a', '128,1,1,1,1,b', '1,1, 5,1,1,c', '1,1,1,9223372036854775808,1,d', ''].join('\n'));
    const got = merged(await readTextFile(f, csvFormat(DEFAULT_CSV_OPTIONS).streamDecoder(schema, 'fixed.csv'), 1 << 20));
    expect(got.rows).toEqual([
      { tiny: 0, small: 7, i: 7, big: 9223372036854775807n, d: 1.5, s: 'a' },
      // ' 5' is not for the byte shortcut; readInteger trims it
      { tiny: 1, small: 1, i: 5, big: 1, d: 1, s: 'c' },
    ]);
    expect(got.rejected.map((r) => (r as { origin: string }).origin)).toEqual(['fixed.csv:2', 'fixed.csv:4']);
    expect((got.rejected[0] as { reason: string }).reason).toMatch(/^value 128 is out of range for TINYINT/);
  });
});

describe('DOUBLE cells read from the bytes of an unquoted CSV piece', () => {
  it('read each decimal text as readFloat does, and leave the rest to it', async () => {
    const texts = [...DECIMAL_TEXTS, ...fc.sample(decimalArb, { numRuns: 200, seed: propertySeed() })];
    const text = `${texts.map((t, k) => `1,1,${k},1,${t},x`).join('\n')}\n`;
    const f = path.join(dir, 'doubles.csv');
    writeFileSync(f, text);
    const want = merged([decodeCsvPiece(text, schema, 'f.csv', DEFAULT_CSV_OPTIONS, new Set(), newCsvReadState(schema), 1)]);
    const got = merged(await readTextFile(f, csvFormat(DEFAULT_CSV_OPTIONS).streamDecoder(schema, 'f.csv'), 1 << 20));
    expect(got).toEqual(want);
    // every plain decimal a double holds is a row, with Number's double (the 16- and 17-digit ones too)
    const plain = texts.filter((t) => /^-?\d+(\.\d+)?$/.test(t) && Number.isFinite(Number(t)));
    expect(plain.length).toBeGreaterThan(200);
    // and the ones past its range are rejected as out of range, as readFloat rejects them
    expect(got.rejected.filter((r) => /out of range for DOUBLE/.test((r as { reason: string }).reason))).toHaveLength(2);
    const byId = new Map(got.rows.map((r) => [(r as { i: number }).i, (r as { d: number }).d]));
    for (const t of plain) expect([t, byId.get(texts.indexOf(t))]).toEqual([t, Number(t)]);
  });
});

describe('NumberColumn', () => {
  const types: readonly SqlType[] = [T.TINYINT, T.SMALLINT, T.INT, T.BIGINT, T.TIMESTAMP, T.DOUBLE];
  const rangeOf: Record<string, [number, number]> = {
    TINYINT: [-128, 127], SMALLINT: [-32768, 32767], INT: [-2147483648, 2147483647],
    BIGINT: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], TIMESTAMP: [-8.64e15, 8.64e15],
  };
  /** Values a decoder may give a column of type t (as convertValue does), NULLs and the odd ones included. */
  const valuesOf = (t: SqlType): fc.Arbitrary<unknown[]> => {
    const [min, max] = rangeOf[t.kind] ?? [0, 0];
    const value: fc.Arbitrary<unknown> = t.kind === 'DOUBLE'
      ? fc.oneof(fc.double(), fc.constantFrom(-0, NaN, Infinity, -Infinity, 0.1, 2 ** 53 + 2))
      : fc.oneof(
        { weight: 8, arbitrary: fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31) }) },
        { weight: 2, arbitrary: fc.constantFrom(min, max, 0, -0) },
        // BIGINT beyond 2^53 comes as a (canonical) bigint; a fraction never comes, but must not be mangled
        ...(t.kind === 'BIGINT' ? [{ weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).filter((b) => b > 2n ** 53n || b < -(2n ** 53n)) }] : []),
        ...(t.kind === 'TIMESTAMP' ? [{ weight: 1, arbitrary: fc.constantFrom(-1.5, 2.5) }] : []),
      );
    return fc.array(fc.oneof({ weight: 5, arbitrary: value }, { weight: 1, arbitrary: fc.constant(null) }), { maxLength: 3000 });
  };

  it('builds the column columnOf builds from the same values', () => {
    fc.assert(fc.property(fc.constantFrom(...types).chain((t) => fc.tuple(fc.constant(t), valuesOf(t))), ([t, values]) => {
      const col = NumberColumn.of(t)!;
      for (const v of values) col.push(v);
      const got = col.finish();
      const want = columnOf(t, values);
      expect(got.length).toBe(want.length);
      expect(got.nullCount).toBe(want.nullCount);
      expect(got.type.toString()).toBe(want.type.toString());
      expect(Array.from(got.values as ArrayLike<unknown>)).toEqual(Array.from(want.values as ArrayLike<unknown>));
      expect(got.nullBitmap ? Array.from(got.nullBitmap) : undefined).toEqual(want.nullBitmap ? Array.from(want.nullBitmap) : undefined);
    }), fcParams({ numRuns: 200 }));
  });

  it('is what ColumnsCollector fills for numeric columns, NOT NULL checks unchanged', () => {
    const c = new ColumnsCollector(schema);
    c.add([1, 2, 3, 2n ** 60n, -0, 'x']);
    c.add([null, null, 4, 5, NaN, null]);
    expect(() => c.add([1, 1, null, 1, 1, 'y'])).toThrow(expect.objectContaining({ reason: expect.stringMatching(/NOT NULL/) }));
    const rows = batchToRows(c.finish());
    expect(rows).toEqual([
      { tiny: 1, small: 2, i: 3, big: 2n ** 60n, d: -0, s: 'x' },
      { tiny: null, small: null, i: 4, big: 5, d: NaN, s: null },
    ]);
  });
});
