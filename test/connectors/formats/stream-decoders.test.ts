/**
 * The chunked byte decoders (json-scan.ts, csv-scan.ts through filesystem/read-text.ts) against the
 * whole-text decoders on random files: the same rows, the same rejected records (origin file:line,
 * reason, raw text), whatever the chunk size, so a line split anywhere, a multi-byte character split
 * across reads, a quoted newline across reads, CRLF, blank lines and bytes that are not UTF-8 change
 * nothing. Projected reads are compared with the whole-text decoder given the same columns.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { batchToRows, rowsToBatch } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import { readTextFile } from '../../../src/connectors/filesystem/read-text.js';
import { csvFormat, decodeCsvPiece, DEFAULT_CSV_OPTIONS, newCsvReadState, type CsvOptions } from '../../../src/connectors/formats/csv.js';
import { decodeUtf8, type DecodeResult } from '../../../src/connectors/formats/decoded.js';
import { csvBytes } from '../../../src/connectors/formats/text-bytes.js';
import { decodeJsonLines, jsonFormat } from '../../../src/connectors/formats/json.js';
import { lcg } from '../../support/lcg.js';
import { propertySeed } from '../../support/property.js';

const schema: Schema = {
  columns: [
    { name: 'id', type: T.INT, nullable: false },
    { name: 'price', type: T.BIGINT, nullable: true },
    { name: 'd', type: T.DOUBLE, nullable: true },
    { name: 's', type: T.VARCHAR, nullable: true },
    { name: 'ok', type: T.BOOLEAN, nullable: true },
    { name: 'ts', type: T.TIMESTAMP, nullable: true },
    { name: 'dec', type: T.decimal(10, 2), nullable: true },
  ],
};

const dir = mkdtempSync(path.join(tmpdir(), 'weir-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small seeded generator: the same files every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}
const pick = <T,>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const STRINGS = ['plain', 'é', '日本語', '😀 emoji', '', 'a,b', 'with "quotes"', 'line\nbreak', 'tab\there', '\\', 'NULL'];
/** spellings the byte reader takes (timestamps.ts), near misses it leaves to the string reader, and invalid ones */
const TIMESTAMPS = ['2026-11-23 10:00:05.123', '2026-11-23T10:00:05Z', '2026-11-23t10:00:05,5', '2024-02-29 23:59:59.999999',
  '2026-11-23', '0000-01-01 00:00:00', '1969-12-31 23:59:59.9', '2023-02-29 00:00:00', '2026-13-01 00:00:00',
  '2026-11-23 24:00:00', ' 2026-11-23 10:00:05', '2026-11-23 10:00:05 Z', '2026-11-23 10:00:05+01:00', '2026-11-23 10:00',
  '2026-11-23 10:00:05.', '+2026-11-23 10:00:05', '2026-1-23 10:00:05', '1700000000000', 'nope'];
const NUMBERS = ['0', '-0', '7', '-42', '9007199254740993', '9223372036854775808', '1.5', '1e3', '1e400', '0.1', '123.45',
  '1.00000000000000001', '99999999999999.99', '01', '-', '2147483648', '1.', '12.5e-1'];

function jsonLine(r: () => number): string {
  const parts: string[] = [];
  // keys naming a column in another case, two such spellings of one column, and repeated keys
  const fields = ['id', 'price', 'd', 's', 'ok', 'ts', 'dec', 'extra', 'ID', 'Price', 'pRICE', 'TS', 'Ts', 'S'];
  const n = Math.floor(r() * 7);
  if (r() < 0.9) parts.push(`"id": ${Math.floor(r() * 1000)}`);
  for (let i = 0; i < n; i++) {
    const f = pick(r, fields);
    const kind = r();
    let v: string;
    if (kind < 0.35) v = pick(r, NUMBERS);
    else if (kind < 0.7) v = JSON.stringify(pick(r, STRINGS));
    else if (kind < 0.8) v = pick(r, ['true', 'false', 'null', 'tru', 'nul']);
    else if (kind < 0.9) v = r() < 0.2 ? '1700000000000' : JSON.stringify(pick(r, TIMESTAMPS));
    else v = pick(r, ['{"x": 1}', '[1, 2]', '"\\u00e9"', '"\\ud800"']);
    parts.push(`${JSON.stringify(f)}:${r() < 0.5 ? ' ' : ''}${v}`);
  }
  const body = `{${parts.join(pick(r, [',', ', ', ' , ']))}}`;
  const shape = r();
  if (shape < 0.04) return '';
  if (shape < 0.06) return '   ';
  if (shape < 0.08) return body.slice(0, Math.floor(r() * body.length));
  if (shape < 0.1) return '[1]';
  if (shape < 0.15) return ` ${body} `;
  return body;
}

function csvLine(r: () => number, sep: string): string {
  const cells = schema.columns.map((c) => {
    const x = r();
    if (x < 0.1) return '';
    if (c.type.kind === 'VARCHAR' || x < 0.15) {
      const s = pick(r, STRINGS);
      return /[",\n;]/.test(s) || r() < 0.1 ? `"${s.replace(/"/g, '""')}"` : s;
    }
    if (c.type.kind === 'BOOLEAN') return pick(r, ['true', 'FALSE', 'x']);
    if (c.type.kind === 'TIMESTAMP') return pick(r, TIMESTAMPS);
    return pick(r, NUMBERS);
  });
  if (r() < 0.05) cells.pop();
  if (r() < 0.03) return '';
  if (r() < 0.01) return `5${sep}"unclosed`;
  return cells.join(sep);
}

/**
 * Lines ending in LF, or all in CRLF (csv-parse takes a file's record delimiter from its first line
 * end, so a file mixing both reads differently whole and in pieces), a few bytes that are not UTF-8,
 * and maybe no final newline.
 */
function fileBytes(lines: readonly string[], r: () => number, crlf: boolean): Buffer {
  const parts: Buffer[] = [];
  lines.forEach((l, i) => {
    let b = Buffer.from(l, 'utf8');
    if (r() < 0.02) b = Buffer.concat([b, Buffer.from([0xff, 0xc3])]);
    parts.push(b);
    if (i < lines.length - 1 || r() < 0.5) parts.push(Buffer.from(crlf ? '\r\n' : '\n'));
  });
  return Buffer.concat(parts);
}

function merged(results: readonly DecodeResult[]): { rows: unknown[]; rejected: unknown[]; records: number } {
  return {
    rows: results.flatMap((x) => batchToRows(x.batch)),
    rejected: results.flatMap((x) => x.rejected),
    records: results.reduce((a, x) => a + x.records, 0),
  };
}

/**
 * CSV `text` decoded whole (the whole-text decoder, columns `cols` or all), then written as file
 * `name` and read in pieces of each size in `chunks`: every read gives the whole decode's rows and
 * rejected records. The whole decode, for the caller's own checks.
 */
async function piecesAsWhole(name: string, text: string, s: Schema, opts: CsvOptions, chunks: readonly number[], cols?: readonly string[]): Promise<ReturnType<typeof merged>> {
  const read = cols && s.columns.map((c) => cols.includes(c.name));
  const want = merged([decodeCsvPiece(text, s, 'f.csv', opts, new Set(), newCsvReadState(s, read), 1)]);
  const file = path.join(dir, name);
  writeFileSync(file, text);
  for (const chunk of chunks) {
    const got = merged(await readTextFile(file, csvFormat(opts).streamDecoder(s, 'f.csv', cols && new Set(cols)), chunk));
    expect({ name, chunk, cols, ...got }).toEqual({ name, chunk, cols, ...want });
  }
  return want;
}

const CHUNKS = [1, 3, 17, 200, 1 << 20];
/** more random files in the long mode (WEIR_LONG_TESTS=1) */
const SEEDS = process.env.WEIR_LONG_TESTS ? 40 : 2;

/**
 * A line whose string values are long enough for the scanner's four-byte steps (json-scan.ts,
 * stringEnd), with a quote, a backslash, a control byte (escaped, or raw: not JSON) or a non-ASCII
 * character at any offset, after keys of any length (so at any alignment).
 */
function longStringLine(r: () => number): string {
  const text = (): string => {
    const n = Math.floor(r() * 40);
    let v = '';
    for (let i = 0; i < n; i++) v += String.fromCharCode(0x61 + Math.floor(r() * 26));
    if (r() < 0.5) {
      const at = Math.floor(r() * (v.length + 1));
      v = v.slice(0, at) + pick(r, ['"', '\\', '\u0001', '\t', 'é', '日', '\u001f', ' ']) + v.slice(at);
    }
    let json = JSON.stringify(v);
    // now and then a raw control byte inside the quotes: not JSON, the line is rejected either way
    if (r() < 0.1 && json.length > 2) {
      const at = 1 + Math.floor(r() * (json.length - 2));
      json = json.slice(0, at) + pick(r, ['\u0001', '\t', '\u001f']) + json.slice(at);
    }
    return json;
  };
  const pad = ' '.repeat(Math.floor(r() * 4));
  return `{"id":${pad}${Math.floor(r() * 100)}, "s":${pad}${text()}, "extra${'x'.repeat(Math.floor(r() * 4))}": ${text()}, "other": ${text()}}`;
}

describe('chunked JSON decoding', () => {
  it('finds where long strings end, at every alignment, as the whole-text decoder does', async () => {
    for (let seed = 1; seed <= 3 * (SEEDS + 1); seed++) {
      const r = rng(1000 + seed);
      const lines = Array.from({ length: 200 }, () => longStringLine(r));
      const bytes = Buffer.from(lines.join('\n') + '\n', 'utf8');
      const file = path.join(dir, `long${seed}.json`);
      writeFileSync(file, bytes);
      const { text, invalidLines } = decodeUtf8(bytes);
      for (const cols of [undefined, ['id'], ['s', 'id']]) {
        const read = cols && schema.columns.map((c) => cols.includes(c.name));
        const want = merged([decodeJsonLines(text, schema, 'f.json', invalidLines, 1, read)]);
        expect(want.rows.length).toBeGreaterThan(100);
        expect(want.rejected.length).toBeGreaterThan(0);
        const got = merged(await readTextFile(file, jsonFormat.streamDecoder(schema, 'f.json', cols && new Set(cols)), 1 << 20));
        expect({ seed, cols, ...got }).toEqual({ seed, cols, ...want });
      }
    }
  });

  it('checks a key guessed from the line before to its closing quote, byte by byte', async () => {
    // lines repeating one key order (the scanner then guesses each key), broken by keys that share a
    // guessed name's first or last bytes, extend it, hold a ':' past it (not JSON), change its case
    // or put spaces around the colon
    const usual = '{"id":1,"price":2,"extra":"x","dec":3.5}';
    const odd = [
      '{"id":1,"pricx":2,"extra":"x","dec":3.5}', '{"id":1,"xrice":2,"extra":"x","dec":3.5}',
      '{"id":1,"prices":2,"extra":"x","dec":3.5}', '{"id":1,"price0:2,"extra":"x","dec":3.5}',
      '{"id":1,"pRICE":2,"extra":"x","dec":3.5}', '{"id" : 1,"price" :2,"extra": "x","dec" : 3.5}',
      '{"i":1,"price":2,"extr":"x","decimal":3.5}', '{"idd":7,"price":2,"extra":"x","dec":3.5}',
      '{"price":9,"id":8,"dec":1.5,"extra":"y"}', '{"id":1,"price":2,"extra":"x","dec":3.5,"id":4}',
    ];
    const lines = odd.flatMap((l) => [usual, usual, l]);
    const bytes = Buffer.from(lines.join('\n') + '\n', 'utf8');
    const file = path.join(dir, 'guessed-keys.json');
    writeFileSync(file, bytes);
    for (const cols of [undefined, ['id', 'price'], ['price']]) {
      const read = cols && schema.columns.map((c) => cols.includes(c.name));
      const want = merged([decodeJsonLines(bytes.toString('utf8'), schema, 'f.json', new Set(), 1, read)]);
      const got = merged(await readTextFile(file, jsonFormat.streamDecoder(schema, 'f.json', cols && new Set(cols)), 1 << 20));
      expect({ cols, ...got }).toEqual({ cols, ...want });
      // the ':' inside a key is not JSON; without an id (NOT NULL) a record is rejected where id is read
      expect(want.rejected.map((x) => (x as { origin: string }).origin)).toEqual(cols?.includes('id') === false ? ['f.json:12'] : ['f.json:12', 'f.json:21', 'f.json:24']);
    }
  });

  it('gives the rows and rejected records of the whole-text decoder, for any chunk size and projection', async () => {
    for (let seed = 1; seed <= SEEDS + 1; seed++) {
      const r = rng(seed);
      const lines = Array.from({ length: 60 }, () => jsonLine(r));
      const bytes = fileBytes(lines, r, seed % 2 === 0);
      const file = path.join(dir, `f${seed}.json`);
      writeFileSync(file, bytes);
      const { text, invalidLines } = decodeUtf8(bytes);
      for (const cols of [undefined, ['price', 'id'], ['s']]) {
        const read = cols && schema.columns.map((c) => cols.includes(c.name));
        const want = merged([decodeJsonLines(text, schema, 'f.json', invalidLines, 1, read)]);
        for (const chunk of CHUNKS) {
          const got = merged(await readTextFile(file, jsonFormat.streamDecoder(schema, 'f.json', cols && new Set(cols)), chunk));
          expect({ seed, chunk, cols, ...got }).toEqual({ seed, chunk, cols, ...want });
        }
      }
    }
  });
});

describe('chunked CSV decoding', () => {
  const variants: readonly CsvOptions[] = [
    DEFAULT_CSV_OPTIONS,
    { ...DEFAULT_CSV_OPTIONS, header: true },
    { ...DEFAULT_CSV_OPTIONS, delimiter: ';', nullLiteral: 'NULL' },
    { ...DEFAULT_CSV_OPTIONS, ignoreFirstLine: true },
  ];
  it('gives the rows and rejected records of the whole-text decoder, for any chunk size and projection', async () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      for (const opts of variants) {
        const r = rng(seed * 31);
        const lines = Array.from({ length: 50 }, () => csvLine(r, opts.delimiter));
        if (opts.header) lines.unshift(['Price', 'id', 's', 'd', 'ok', 'ts', 'dec'].join(opts.delimiter));
        const bytes = fileBytes(lines, r, seed % 2 === 0);
        const file = path.join(dir, `f${seed}.csv`);
        writeFileSync(file, bytes);
        const { text, invalidLines } = decodeUtf8(bytes);
        for (const cols of [undefined, ['price', 'id']]) {
          const read = cols && schema.columns.map((c) => cols.includes(c.name));
          const want = merged([decodeCsvPiece(text, schema, 'f.csv', opts, invalidLines, newCsvReadState(schema, read), 1)]);
          for (const chunk of CHUNKS) {
            const got = merged(await readTextFile(file, csvFormat(opts).streamDecoder(schema, 'f.csv', cols && new Set(cols)), chunk));
            expect({ seed, chunk, cols, opts, ...got }).toEqual({ seed, chunk, cols, opts, ...want });
          }
        }
      }
    }
  });
});

describe('chunked CSV decoding with quotes', () => {
  it('scans the lines between quoted records, and leaves stray quotes to the whole-text decoder', async () => {
    const plain = '1,2,3,x,true,1700000000000,1.5';
    const quoted = ['4,5,6,"a,b",false,,2', '7,8,9,"say ""hi""",true,2026-11-23 10:00:05,3', '10,11,12,"line\nbreak",true,,4'];
    // a quote inside an unquoted field: csv-parse rejects the record where the quote count runs on
    const stray = ['5,x"y,3', '5,x"y,3'];
    // quoted cells of every type, quoted empties ('' for VARCHAR), and quotes csv-parse refuses
    const cells = ['"1","2","3","","true","2026-11-23 10:00:05","1.5"', '1,"",3,"x",,"",', '"7",8,9,"é ""q"" ü",false,,',
      '1,2,3,"a"b,true,,', '1,2,3, "a",true,,', '1,2,3,"a" ,true,,', '"2,3,4,x,true,,'];
    const files = [
      [plain, ...cells.slice(0, 3), plain, ...cells.slice(3, 6), plain],
      [plain, cells[6]!, plain, plain],
      [plain, quoted[0]!, plain, plain, quoted[1]!, quoted[2]!, plain],
      [plain, ...stray, plain, quoted[0]!, plain],
      [...stray, quoted[2]!, plain, ...stray],
      [quoted[1]!, quoted[1]!, plain, plain, plain, quoted[2]!],
    ];
    for (const [k, lines] of files.entries()) {
      for (const eol of ['\n', '\r\n']) {
        const text = lines.map((l) => `${l}${eol}`).join('');
        const file = path.join(dir, `quoted${k}.csv`);
        writeFileSync(file, text);
        const want = merged([decodeCsvPiece(text, schema, 'f.csv', DEFAULT_CSV_OPTIONS, new Set(), newCsvReadState(schema), 1)]);
        expect(want.rows.length).toBeGreaterThan(0);
        for (const chunk of [1, 3, 17, 1 << 20]) {
          const got = merged(await readTextFile(file, csvFormat(DEFAULT_CSV_OPTIONS).streamDecoder(schema, 'f.csv'), chunk));
          expect({ k, eol, chunk, ...got }).toEqual({ k, eol, chunk, ...want });
        }
      }
    }
  });
});

describe('a quote left open to the file\'s end', () => {
  it('rejects its line alone and reads every line after it, whole or in pieces', async () => {
    // text quoted as Python's QUOTE_NONNUMERIC writes it: after the stray quote every line holds an
    // even number of quotes, so the quote count stays open to the file's end
    const line = (i: number): string => `${i},${i * 10},${i % 7}.5,"s ${i}",true,"2026-11-23 10:00:05",1.25`;
    const lines = Array.from({ length: 400 }, (_, i) => line(i));
    lines.splice(37, 0, '5,6,7,"never closed,true,,');
    // a blank line after it (no record), a record of two fields (its line number counts the lines
    // before it) and a last line without its line break
    lines.splice(90, 0, '');
    lines.splice(200, 0, '1,"2"');
    for (const eol of ['\n', '\r\n']) {
      const text = lines.join(eol);
      for (const cols of [undefined, ['id', 's']]) {
        const want = await piecesAsWhole(`open-to-end${eol.length}.csv`, text, schema, DEFAULT_CSV_OPTIONS, [1, 17, 200, 4096, 1 << 20], cols);
        expect(want.rejected).toEqual([
          expect.objectContaining({ origin: 'f.csv:38', reason: 'invalid CSV: a quoted field is not closed', raw: '5,6,7,"never closed,true,,' }),
          expect.objectContaining({ origin: 'f.csv:201', reason: 'expected 7 fields, found 2', raw: '1,"2"' }),
        ]);
        expect(want.rows).toHaveLength(400);
      }
    }
  });

  it('counts a record left open at a piece\'s end on from where that piece ended', () => {
    const decoder = csvFormat(DEFAULT_CSV_OPTIONS).streamDecoder(schema, 'f.csv');
    const first = '1,2,3,x,true,,1.5\n';
    const open = '4,5,6,"multi\n';
    const a = decoder.decode(Buffer.from(first + open), 1, true, false);
    expect([a.batch.numRows, a.consumed, a.lines]).toEqual([1, first.length, 1]);
    // still open: nothing taken, and nothing counted again next time but the bytes after these
    const b = decoder.decode(Buffer.from(`${open}more\n`), 2, false, false);
    expect([b.batch.numRows, b.consumed, b.lines]).toEqual([0, 0, 0]);
    // closed by the next read: the record and the one after it
    const c = decoder.decode(Buffer.from(`${open}more\nend",true,,2\n7,8,9,z,false,,3\n`), 2, false, false);
    expect([c.batch.numRows, c.consumed ?? 'all', c.lines]).toEqual([2, 'all', 4]);
    expect(batchToRows(c.batch).map((r) => r.s)).toEqual(['multi\nmore\nend', 'z']);
  });

  it('takes a line blank but for a quote character that trims away as no record, as the whole-text decoder does', async () => {
    const opts = { ...DEFAULT_CSV_OPTIONS, quote: '\t' };
    const text = ['1,2,3,x,true,,1.5', '\t', '4,5,6,y,false,,2.5', '7,8'].join('\n');
    const want = await piecesAsWhole('tab-quote.csv', text, schema, opts, [1, 5, 1 << 20]);
    expect(want.rejected).toEqual([expect.objectContaining({ origin: 'f.csv:4', reason: 'expected 7 fields, found 2', raw: '7,8' })]);
    expect(want.rows).toHaveLength(2);
  });
});

describe('comments', () => {
  it('reads a file with comments alike whole and in pieces, a quote in a comment or across lines', async () => {
    const opts = { ...DEFAULT_CSV_OPTIONS, allowComments: true };
    const text = ['# a "comment', '1,2,3,"a\nb",true,,1.5', '# "', '4,5,6,x,false,,2', '7,8,9,"y ""q""",true,,3', '5,6,"open'].join('\n');
    const want = await piecesAsWhole('comments.csv', text, schema, opts, [1, 3, 17, 1 << 20]);
    expect(want.rows).toHaveLength(3);
  });
});

describe('another quote character', () => {
  // inside quotes the quote character is doubled, whichever it is ('it''s'), as Flink's CSV format
  // and Python's csv module write and read it; '"' is then an ordinary character. csv-parse and
  // csv-stringify escape with '"' for any quote unless told: the whole-text decoder and the sink
  // tell them, the byte scanners double. Whole and in pieces must read a file alike.
  const three: Schema = { columns: [{ name: 'id', type: T.INT, nullable: true }, { name: 's', type: T.VARCHAR, nullable: true }, { name: 't', type: T.VARCHAR, nullable: true }] };
  const opts = { ...DEFAULT_CSV_OPTIONS, delimiter: ';', quote: "'" };

  it('reads back what the sink wrote, whole or in pieces', async () => {
    const rows = [
      { id: 7, s: "it's", t: 'é' }, { id: 8, s: 'say "hi"', t: 'x;y' }, { id: 9, s: "'", t: '' },
      { id: 10, s: "a\nb's", t: null }, { id: 11, s: 'plain', t: "''" }, { id: 12, s: `"';"`, t: '"' },
    ];
    const text = Buffer.from(csvBytes(rowsToBatch(three, rows), three, opts)).toString('utf8');
    expect(text.split('\n')[0]).toBe("7;'it''s';é");
    const want = await piecesAsWhole('apostrophes.csv', text, three, opts, [1, 3, 1 << 20]);
    expect(want).toEqual({ rows, rejected: [], records: rows.length });
  });

  it('doubles and reads back any quote character, one that means something in a replacement or a pattern too', async () => {
    for (const quote of ['$', '|', '.', '\\', '^', '*', '(', '`']) {
      const o = { ...DEFAULT_CSV_OPTIONS, delimiter: ';', quote };
      const rows = [{ id: 1, s: `it${quote}s`, t: `${quote}${quote}` }, { id: 2, s: `a;b${quote}`, t: '"$&$1$$' }];
      const text = Buffer.from(csvBytes(rowsToBatch(three, rows), three, o)).toString('utf8');
      expect(text.split('\n')[0], quote).toBe(`1;${quote}it${quote}${quote}s${quote};${quote}${quote.repeat(4)}${quote}`);
      const want = await piecesAsWhole(`quote-${quote.charCodeAt(0)}.csv`, text, three, o, [1, 5, 1 << 20]);
      expect(want, quote).toEqual({ rows, rejected: [], records: rows.length });
    }
  });

  it('reads a file quoted and doubled as Python writes it, whole or in pieces', async () => {
    // csv.writer(f, delimiter=';', quotechar="'", quoting=csv.QUOTE_NONNUMERIC, lineterminator='\n')
    const text = "7;'it''s';'say \"hi\"'\n8;'''';'a;b'\n9;'x\"';'''quoted'''\n10;'a\"';'b\"\"'\n";
    const rows = [
      { id: 7, s: "it's", t: 'say "hi"' }, { id: 8, s: "'", t: 'a;b' }, { id: 9, s: 'x"', t: "'quoted'" }, { id: 10, s: 'a"', t: 'b""' },
    ];
    const want = await piecesAsWhole('python.csv', text, three, opts, [1, 3, 7, 1 << 20]);
    expect(want).toEqual({ rows, rejected: [], records: rows.length });
  });
});

describe('blank lines of a one-column schema', () => {
  // a blank line is the one NULL field of a one-column schema (csv.ts), also where a broken record
  // elsewhere makes the whole-text decoder parse record by record (csv-parse alone reads a blank
  // line as no record), and after a header split off the piece, quoted or not
  const one: Schema = { columns: [{ name: 's', type: T.VARCHAR, nullable: true }] };
  const files: readonly (readonly [string, boolean])[] = [
    ['"s"\n\n"a"b\n', true], ['s\n\n"a"b\n', true], ['\n"a"b\n\nx\n', false], ['"s"\r\n\r\n"a"b\r\n', true], ['x\n\n"y"\n', false],
    // a byte order mark before the first blank line (it is no part of the line), a quote left open after
    ['\ufeff\n"', false],
  ];
  it('reads it as a NULL, whole or in pieces, with broken quoting elsewhere or not', async () => {
    for (const [k, [text, header]] of files.entries()) {
      const want = await piecesAsWhole(`blank${k}.csv`, text, one, { ...DEFAULT_CSV_OPTIONS, header }, [1, 3, 1 << 20]);
      expect({ k, nulls: want.rows.filter((r) => (r as { s: unknown }).s === null).length }).toEqual({ k, nulls: k === 2 ? 2 : 1 });
      if (k === 5) expect(want.rejected).toEqual([expect.objectContaining({ origin: 'f.csv:2', reason: 'invalid CSV: a quoted field is not closed' })]);
    }
  });
});

/**
 * Files the byte scanners read themselves, line after line (no quotes, no CR, valid UTF-8, most
 * records valid): every column read from the bytes as the whole-text decoder reads its text, with
 * VARCHAR cells copied as bytes and timestamps read by timestampFromBytes where they can be.
 */
describe('scanned lines', () => {
  const PLAIN = ['plain', 'é', '日本語', '😀 emoji', '', 'tab\there', '\\', 'NULL', 'a'.repeat(40), 'ü'.repeat(20), ' x '];
  const cell = (r: () => number, kind: string): string => {
    switch (kind) {
      case 'INT': return r() < 0.03 ? 'x' : String(Math.floor(r() * 2000) - 1000);
      case 'BIGINT': return pick(r, ['0', '-0', '7', '9007199254740993', '-42', '123', '']);
      case 'DOUBLE': return pick(r, ['1.5', '0.1', '-2', '1e3', '']);
      case 'VARCHAR': return pick(r, PLAIN);
      case 'BOOLEAN': return pick(r, ['true', 'false', '']);
      case 'TIMESTAMP': return pick(r, TIMESTAMPS);
      default: return pick(r, ['1.5', '99999999.99', '-0.01', '7', '']);
    }
  };
  const lines = (r: () => number, json: boolean): string[] => Array.from({ length: 300 }, () => {
    const cells = schema.columns.map((c) => cell(r, c.type.kind));
    if (!json) return cells.join(',');
    const fields = schema.columns.flatMap((c, i) => {
      const v = cells[i]!;
      if (v === '') return r() < 0.5 ? [] : [`"${c.name}": null`];
      const text = c.type.kind === 'VARCHAR' || c.type.kind === 'TIMESTAMP' || !/^-?\d/.test(v) || v === 'true' || v === 'false';
      return [`"${c.name}": ${text && c.type.kind !== 'BOOLEAN' ? JSON.stringify(v) : v}`];
    });
    return `{${fields.join(', ')}}`;
  });

  it('gives the whole-text decoders\' rows and rejected records', async () => {
    for (let seed = 1; seed <= SEEDS + 1; seed++) {
      // CSV also with a header line (its names in another case, read by name) or a first line to
      // ignore, and with CRLF line breaks (not mixed with LF: csv-parse takes a text's line break from
      // its first line, so such a file reads differently whole and in pieces, as fileBytes says)
      const variants: readonly (CsvOptions | 'json')[] = ['json', DEFAULT_CSV_OPTIONS, { ...DEFAULT_CSV_OPTIONS, header: true }, { ...DEFAULT_CSV_OPTIONS, ignoreFirstLine: true }];
      const cases = variants.flatMap((v): (readonly [CsvOptions | 'json', 'lf' | 'crlf'])[] => (v === 'json' ? [[v, 'lf']] : [[v, 'lf'], [v, 'crlf']]));
      for (const [variant, breaks] of cases) {
        const json = variant === 'json';
        const r = rng(seed * 97 + (json ? 1 : 0));
        const first = json ? [] : variant.header ? ['ID,Price,d,S,ok,TS,dec'] : variant.ignoreFirstLine ? ['a first line,of no use'] : [];
        const all = [...first, ...lines(r, json)];
        const text = breaks === 'lf' ? `${all.join('\n')}\n`
          : all.map((l) => `${l}\r\n`).join('');
        const file = path.join(dir, `plain${seed}.${json ? 'json' : 'csv'}`);
        writeFileSync(file, text);
        for (const cols of [undefined, ['s', 'ts']]) {
          const read = cols && schema.columns.map((c) => cols.includes(c.name));
          const want = merged([variant === 'json' ? decodeJsonLines(text, schema, 'f', new Set(), 1, read)
            : decodeCsvPiece(text, schema, 'f', variant, new Set(), newCsvReadState(schema, read), 1)]);
          // most records are read, and their timestamps too
          expect(want.rows.length).toBeGreaterThan(150);
          expect(want.rows.filter((row) => typeof (row as { ts: unknown }).ts === 'number').length).toBeGreaterThan(50);
          for (const chunk of [7, 64, 1 << 20]) {
            const format = variant === 'json' ? jsonFormat : csvFormat(variant);
            const got = merged(await readTextFile(file, format.streamDecoder(schema, 'f', cols && new Set(cols)), chunk));
            expect({ seed, variant, breaks, chunk, cols, ...got }).toEqual({ seed, variant, breaks, chunk, cols, ...want });
          }
        }
      }
    }
  });
});

/**
 * Files that quote every text cell, or every cell, header included (Python's csv module, QUOTE_ALL or
 * QUOTE_NONNUMERIC; its CRLF line breaks, or LF), whose quoted cells hold delimiters, doubled quotes,
 * CRs and line breaks, with now and then a record csv-parse refuses (text after a closing quote, a
 * stray quote, a space before an opening one, in a record or the header) or a quote left open: the
 * scan of quoted lines (csv-scan.ts scanQuotedLine) and the split-off quoted header give the
 * whole-text decoder's rows and rejected records, for any chunk size and projection. A fresh seed
 * each run, printed; WEIR_SEED replays.
 */
describe('files quoting every cell', () => {
  const quoteCell = (v: string): string => `"${v.replace(/"/g, '""')}"`;
  const VALUES: Record<string, readonly string[]> = {
    INT: ['0', '7', '-42', '123'], BIGINT: ['0', '-0', '7', '9007199254740993', '-42'], DOUBLE: ['1.5', '0.1', '-2', '1e3'],
    BOOLEAN: ['true', 'false'], TIMESTAMP: TIMESTAMPS.slice(0, 8), DECIMAL: ['1.5', '7', '-0.01'],
    VARCHAR: [...STRINGS, 'cr\rinside', 'a""b', 'x'.repeat(70)],
  };
  const cell = (r: () => number, kind: string, quoteAll: boolean): string => {
    const x = r();
    if (x < 0.02) return '';
    if (x < 0.035) return pick(r, ['"a"b', 'x"y', ' "a"', '"a" ', '"', '""""']);
    const v = pick(r, VALUES[kind]!);
    return quoteAll || kind === 'VARCHAR' || kind === 'TIMESTAMP' ? quoteCell(v) : v;
  };

  it('gives the whole-text decoder\'s rows and rejected records', async () => {
    const r = lcg(propertySeed());
    for (let file = 0; file < 6; file++) {
      const quoteAll = r() < 0.5;
      const crlf = r() < 0.6;
      const header = r() < 0.7;
      const lines = Array.from({ length: 120 }, () => schema.columns.map((c) => cell(r, c.type.kind, quoteAll)).join(','));
      if (r() < 0.3) lines.push('5,"open');
      // the header quoted too, now and then with broken quoting (csv-parse refuses it, as a record)
      const names = schema.columns.map((c) => (quoteAll || r() < 0.7 ? quoteCell(c.name) : c.name));
      const brokenHeader = header && r() < 0.15;
      if (brokenHeader) names[Math.floor(r() * names.length)] = pick(r, ['"id"x', 'i"d', ' "id"']);
      if (header) lines.unshift(names.join(','));
      const eol = crlf ? '\r\n' : '\n';
      const text = lines.map((l) => `${l}${eol}`).join('');
      const opts = { ...DEFAULT_CSV_OPTIONS, header };
      const name = `quote-${quoteAll ? 'all' : 'text'}${file}-${crlf ? 'crlf' : 'lf'}${header ? '-header' : ''}.csv`;
      for (const cols of [undefined, ['s', 'price']]) {
        const want = await piecesAsWhole(name, text, schema, opts, [1, 7, 64, 1 << 20], cols);
        // a header csv-parse refuses is rejected, and the file's records with it
        if (brokenHeader) expect(want.rejected).toEqual([expect.objectContaining({ reason: expect.stringMatching(/^invalid CSV header/) })]);
        else expect(want.rows.length).toBeGreaterThan(30);
      }
    }
  });
  it('clears a cell\'s quoted mark when the record goes to csv-parse after all', async () => {
    // the first record's quoted empty s is marked quoted ('' rather than NULL) before its stray quote
    // sends it to csv-parse; the next record's empty unquoted s must read as NULL, not ''
    const two: Schema = { columns: [{ name: 's', type: T.VARCHAR, nullable: true }, { name: 't', type: T.VARCHAR, nullable: true }] };
    const want = await piecesAsWhole('marks.csv', '"",x"y"\n,a\n', two, DEFAULT_CSV_OPTIONS, [4, 1 << 20]);
    expect(want.rows).toEqual([{ s: null, t: 'a' }]);
  });
});
