/**
 * The sinks' byte writers (text-bytes.ts) give exactly the UTF-8 bytes of the string writers'
 * text (text-writers.ts, themselves checked against the row-wise writers in text-writers.test.ts),
 * on random batches (a fresh seed per run, printed; WEIR_SEED replays) of every integer kind and the
 * other types, with NULLs, unicode (and a lone surrogate), quotes, separators, CR/LF, backslashes and
 * control bytes, NaN/±Infinity, decimals, repeated and negative timestamps, integers around 2^53
 * and 2^63, sliced batches (a bitmap offset), changelog markers, and CSV option sets whose delimiter
 * or quote is a digit, a '-' or more than one character.
 */
import type * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { rowsToBatch } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import { DEFAULT_CSV_OPTIONS, type CsvOptions } from '../../../src/connectors/formats/csv.js';
import { ByteWriter, plainRange } from '../../../src/connectors/formats/byte-writer.js';
import { csvBytes, jsonLinesBytes } from '../../../src/connectors/formats/text-bytes.js';
import { writeCsv, writeJsonLines } from '../../../src/connectors/formats/text-writers.js';
import { propertySeed } from '../../support/property.js';
import { lcg, pick } from '../../support/lcg.js';

const schema: Schema = {
  columns: [
    { name: 'b', type: T.BOOLEAN, nullable: true },
    { name: 't', type: T.TINYINT, nullable: true },
    { name: 'sm', type: T.SMALLINT, nullable: true },
    { name: 'i', type: T.INT, nullable: true },
    { name: 'l', type: T.BIGINT, nullable: true },
    { name: 'f', type: T.FLOAT, nullable: true },
    { name: 'd', type: T.DOUBLE, nullable: true },
    { name: 'dec', type: T.decimal(10, 2), nullable: true },
    { name: 'wide', type: T.decimal(30, 4), nullable: true },
    { name: 's', type: T.VARCHAR, nullable: true },
    { name: 'ünï "key"', type: T.VARCHAR, nullable: true },
    { name: 'dt', type: T.DATE, nullable: true },
    { name: 'ts', type: T.TIMESTAMP, nullable: true },
    { name: 'ltz', type: T.TIMESTAMP_LTZ, nullable: true },
    { name: 'iv', type: T.INTERVAL, nullable: true },
    { name: 'r', type: T.row([{ name: 'x', type: T.BIGINT }, { name: 'y', type: T.VARCHAR }]), nullable: true },
  ],
};

const rng = lcg;
const STRINGS = [
  '', 'plain', 'a,b', 'say "hi"', "it's", 'line\nbreak', 'cr\rhere', 'é日本😀', 'lone \ud800 surrogate', 'tab\t', '\\', ';', '|',
  'NULL', '\u0001', '\u007f', '-12', '0', 'x'.repeat(70), `${'y'.repeat(40)},"`, 'a-b0c',
];
const INTS64 = [0, -1, 7, -5, 2 ** 31, 2 ** 32, -(2 ** 32), 2 ** 53 - 1, -(2 ** 53) + 1, 9007199254740992n, 9007199254740993n,
  -9007199254740993n, 9223372036854775807n, -9223372036854775808n, 9223372036854775806n, 123456789, 1e15, 999999999999999];

function randomRows(r: () => number, n: number): Record<string, unknown>[] {
  let ts = Date.UTC(2026, 10, 23, 10, 0, 5, 123);
  return Array.from({ length: n }, () => {
    const nul = (): boolean => r() < 0.15;
    // mostly ascending with repeats, as event times are, sometimes anywhere
    ts += pick(r, [0, 0, 1, 999, -3]);
    return {
      b: nul() ? null : r() < 0.5,
      t: nul() ? null : pick(r, [0, -128, 127, 9, -10]),
      sm: nul() ? null : pick(r, [0, -32768, 32767, 100]),
      i: nul() ? null : pick(r, [0, -1, 2147483647, -2147483648, 42, 1000000]),
      l: nul() ? null : pick(r, INTS64),
      f: nul() ? null : pick(r, [0.1, -0, 1.5, Infinity, -Infinity, NaN, 3.4e38, 1e-45]),
      d: nul() ? null : pick(r, [0.1, -0, 1e21, 1e-7, -Infinity, NaN, 123.456, 2 ** 53 + 2, 5e-324]),
      dec: nul() ? null : pick(r, ['1.50', '-0.01', '12345678.90', '0', '-99999999.99']),
      wide: nul() ? null : pick(r, ['1.5000', '-0.0001', '12345678901234567890123456.7890', '0']),
      s: nul() ? null : pick(r, STRINGS),
      'ünï "key"': nul() ? null : pick(r, STRINGS),
      dt: nul() ? null : pick(r, ['2026-01-01', '1969-12-31', '0001-01-01']),
      ts: nul() ? null : r() < 0.8 ? ts : pick(r, [-1, 0, -62135596800000, 253402300799999]),
      ltz: nul() ? null : ts,
      iv: nul() ? null : pick(r, [0, 1000, -1500, 86400000.5]),
      r: nul() ? null : { x: pick(r, INTS64), y: pick(r, STRINGS) },
    };
  });
}

/** the batch, and a slice of it (bitmaps read through an offset) */
function batches(r: () => number, n: number): arrow.RecordBatch[] {
  const batch = rowsToBatch(schema, randomRows(r, n));
  return [batch, batch.slice(3, n - 5)];
}

const text = (s: string): string => s;
const asText = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

describe('byte writers', () => {
  const seed = propertySeed();

  it('write the bytes of the JSON lines text', () => {
    for (let run = 0; run < 30; run++) {
      const r = rng(seed + run);
      for (const batch of batches(r, 60)) {
        const ops = run % 2 === 0 ? Array.from({ length: batch.numRows }, () => (r() < 0.3 ? pick(r, ['delete', 'ü"']) : '')) : undefined;
        const expected = Buffer.from(writeJsonLines(batch, schema, ops), 'utf8');
        const got = jsonLinesBytes(batch, schema, ops);
        // compared as text first for a readable difference, then byte for byte
        expect(asText(got), `seed ${seed + run}`).toBe(text(expected.toString('utf8')));
        expect(Buffer.compare(Buffer.from(got), expected), `seed ${seed + run}`).toBe(0);
      }
    }
  });

  it('write the bytes of the CSV text, for each option set', () => {
    const variants: CsvOptions[] = [
      DEFAULT_CSV_OPTIONS,
      { ...DEFAULT_CSV_OPTIONS, header: true },
      { ...DEFAULT_CSV_OPTIONS, delimiter: ';', quote: "'", nullLiteral: 'NULL' },
      { ...DEFAULT_CSV_OPTIONS, delimiter: '\t', nullLiteral: '' },
      { ...DEFAULT_CSV_OPTIONS, delimiter: '-', header: true },
      { ...DEFAULT_CSV_OPTIONS, delimiter: '0', quote: '|' },
      { ...DEFAULT_CSV_OPTIONS, delimiter: '||' },
    ];
    for (let run = 0; run < 20; run++) {
      for (const opts of variants) {
        const r = rng(seed + run);
        for (const batch of batches(r, 40)) {
          const ops = run % 2 === 0 ? Array.from({ length: batch.numRows }, () => (r() < 0.3 ? 'delete' : '')) : undefined;
          const expected = Buffer.from(writeCsv(batch, schema, opts, ops), 'utf8');
          const got = csvBytes(batch, schema, opts, ops);
          expect(asText(got), `seed ${seed + run} ${JSON.stringify(opts)}`).toBe(expected.toString('utf8'));
          expect(Buffer.compare(Buffer.from(got), expected), `seed ${seed + run}`).toBe(0);
        }
      }
    }
  });

  it('grow past their first guess (long strings, many rows)', () => {
    const s1: Schema = { columns: [{ name: 's', type: T.VARCHAR, nullable: false }] };
    const batch = rowsToBatch(s1, Array.from({ length: 300 }, (_, i) => ({ s: 'z'.repeat(i * 7) })));
    expect(Buffer.compare(Buffer.from(jsonLinesBytes(batch, s1)), Buffer.from(writeJsonLines(batch, s1), 'utf8'))).toBe(0);
    expect(Buffer.compare(Buffer.from(csvBytes(batch, s1, DEFAULT_CSV_OPTIONS)), Buffer.from(writeCsv(batch, s1, DEFAULT_CSV_OPTIONS), 'utf8'))).toBe(0);
  });

  it('copy whole string columns when no value needs escaping, and find the one that does at any place', () => {
    // strings of characters no format escapes, so a batch is often plain as a whole; then now and
    // then one value with a byte that must be escaped or quoted, at a random row and offset
    const PLAIN = ['', 'plain', 'https://www.nexmark.com/a/b/item.htm?query=1', 'x'.repeat(70), 'channel-42', ' spaced out ', '~!@#$%^&*()_+=-'];
    const SPECIAL = ['"', '\\', '\n', '\r', '\t', '\u0001', '\u001f', ',', ';', 'é', '😀'];
    const s2: Schema = { columns: [{ name: 'id', type: T.INT, nullable: false }, { name: 's', type: T.VARCHAR, nullable: true }, { name: 'u', type: T.VARCHAR, nullable: true }] };
    const csvOpts = [DEFAULT_CSV_OPTIONS, { ...DEFAULT_CSV_OPTIONS, delimiter: ';' }];
    for (let run = 0; run < 200; run++) {
      const r = rng(seed + run);
      const n = 1 + Math.floor(r() * 40);
      const rows = Array.from({ length: n }, (_, i) => ({ id: i, s: r() < 0.1 ? null : pick(r, PLAIN), u: pick(r, PLAIN) }));
      if (run % 3 !== 0) {
        const row = rows[Math.floor(r() * n)]!;
        const v = pick(r, PLAIN);
        const at = Math.floor(r() * (v.length + 1));
        row.s = v.slice(0, at) + pick(r, SPECIAL) + v.slice(at);
      }
      const batch = rowsToBatch(s2, rows);
      for (const b of n > 4 ? [batch, batch.slice(1, n - 2)] : [batch]) {
        expect(asText(jsonLinesBytes(b, s2)), `seed ${seed + run}`).toBe(writeJsonLines(b, s2));
        for (const o of csvOpts) expect(asText(csvBytes(b, s2, o)), `seed ${seed + run} ${o.delimiter}`).toBe(writeCsv(b, s2, o));
      }
    }
  });

  it('plainRange: one special byte anywhere in a range, at every alignment', () => {
    const stops = [0x22, 0x5c];
    for (let len = 1; len <= 24; len++) {
      for (let offset = 0; offset < 8; offset++) {
        const buf = new Uint8Array(offset + len + 8).fill(0x61);
        // bytes just outside the range are never looked at
        buf[offset - 1 < 0 ? 0 : offset - 1] = offset > 0 ? 0x01 : 0x61;
        buf[offset + len] = 0x22;
        expect(plainRange(buf, offset, offset + len, stops, true), `len ${len} offset ${offset}`).toBe(true);
        for (let pos = 0; pos < len; pos++) {
          for (const special of [0x00, 0x01, 0x1f, 0x22, 0x5c, 0x80, 0xc3, 0xff]) {
            const b = buf.slice();
            b[offset + pos] = special;
            expect(plainRange(b, offset, offset + len, stops, true), `byte ${special} at ${pos} of ${len}, offset ${offset}`).toBe(false);
          }
          for (const fine of [0x20, 0x21, 0x23, 0x5b, 0x7f]) {
            const b = buf.slice();
            b[offset + pos] = fine;
            expect(plainRange(b, offset, offset + len, stops, true)).toBe(true);
          }
          // without the control check (CSV), a control byte is plain and a stop is not
          const b = buf.slice();
          b[offset + pos] = 0x01;
          expect(plainRange(b, offset, offset + len, [0x2c], false)).toBe(true);
          b[offset + pos] = 0x2c;
          expect(plainRange(b, offset, offset + len, [0x2c], false)).toBe(false);
        }
      }
    }
  });

  it('ByteWriter.int: the digits String() writes, for every length, both sides of 2^31, and random safe integers', () => {
    const r = lcg(seed);
    const values: number[] = [0, 9, 10, 99, 100, 101, 999, 1000, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32, 2 ** 53 - 1];
    for (let k = 1; k < 16; k++) values.push(10 ** k - 1, 10 ** k, 10 ** k + 1, 10 ** k + 99);
    for (let i = 0; i < 2000; i++) values.push(Math.floor(r() * 10 ** (1 + Math.floor(r() * 15))));
    const all = [...values, ...values.map((v) => -v)];
    const w = new ByteWriter(16);
    for (const v of all) { w.int(v); w.short(Uint8Array.of(0x2c)); }
    expect(Buffer.from(w.bytes()).toString('latin1')).toBe(all.map((v) => `${String(v)},`).join(''));
  });
});
