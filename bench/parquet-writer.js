#!/usr/bin/env node
/**
 * The Parquet sink's encode alone, before and after Weir's own writer (issue 12 item 1): bids shaped
 * as Nexmark's (auction, bidder, price, channel, url, dateTime, extra of 54-81 letters) in batches as
 * the sink gets them, encoded by hyparquet-writer (the former path, `encodeParquet(..., false)`) and by
 * Weir's writer, rounds alternating; rows per CPU-second (a loaded machine's wall time counts other
 * processes' turns), the median of each round.
 *
 *   npm run build && node bench/parquet-writer.js [--rows 200000] [--batch 10000] [--rounds 2]
 */
const args = { rows: 200_000, batch: 10_000, rounds: 2 };
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = Number(process.argv[i + 1]);

const { rowsToBatch } = await import('../dist/common/columns.js');
const { T } = await import('../dist/common/types.js');
const { encodeParquet, parquetFormat } = await import('../dist/connectors/formats/parquet.js');
await parquetFormat.load();

const schema = { columns: [
  ...['auction', 'bidder', 'price'].map((name) => ({ name, type: T.BIGINT, nullable: true })),
  { name: 'channel', type: T.VARCHAR, nullable: true }, { name: 'url', type: T.VARCHAR, nullable: true },
  { name: 'dateTime', type: T.TIMESTAMP, nullable: true }, { name: 'extra', type: T.VARCHAR, nullable: true },
] };

let seed = 42;
const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
const letters = (n) => Array.from({ length: n }, () => String.fromCharCode(97 + Math.floor(rand() * 26))).join('');
const channels = ['Google', 'Facebook', 'Baidu', 'Apple'];
const batches = [];
for (let start = 0; start < args.rows; start += args.batch) {
  const rows = [];
  for (let i = start; i < Math.min(args.rows, start + args.batch); i++) {
    const c = rand() < 0.9 ? channels[i % 4] : `channel-${Math.floor(rand() * 10000)}`;
    rows.push({
      auction: 1000 + Math.floor(rand() * 5000), bidder: 1000 + Math.floor(rand() * 50000), price: Math.floor(rand() * 1e7), channel: c,
      url: `https://www.nexmark.com/${letters(5)}/${letters(5)}/${letters(5)}/item.htm?query=1`, dateTime: 1_700_000_000_000 + i * 10,
      extra: letters(54 + Math.floor(rand() * 28)),
    });
  }
  batches.push(rowsToBatch(schema, rows));
}

function rate(own) {
  const times = [];
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    for (const b of batches) encodeParquet(b, schema, undefined, undefined, own);
    const c = process.cpuUsage(c0);
    times.push((c.user + c.system) / 1e6);
  }
  return args.rows / times.sort((a, b) => a - b)[1];
}

const fmt = (x) => `${(x / 1e6).toFixed(2)} M`;
const before = [], after = [];
for (let k = 0; k < args.rounds; k++) {
  before.push(rate(false));
  after.push(rate(true));
}
const bytes = (own) => batches.reduce((a, b) => a + encodeParquet(b, schema, undefined, undefined, own).length, 0);
console.log(`parquet writer: ${args.rows} bids in batches of ${args.batch}, rows per CPU-second (load ${(await import('node:os')).loadavg()[0].toFixed(1)})`);
console.log(`| parquet | ${before.map(fmt).join(', ')} | ${after.map(fmt).join(', ')} |`);
console.log(`file bytes: hyparquet-writer ${bytes(false)}, Weir ${bytes(true)}`);
