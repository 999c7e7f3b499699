/**
 * Window queries through `weir run` (in-process), as a user runs them: a directory of JSON files
 * read one file per trigger, out of order with deliberately late rows, into a filesystem sink.
 * - bounded source: every window ends up emitted, equal to DuckDB's answer over the rows the
 *   watermark did not drop;
 * - unbounded source (`source.monitor-interval`) with `--trigger available-now`: append mode emits
 *   each window exactly once, only in a batch whose watermark is at or past its end.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { sortRows, type Row } from '../support/stream-test.js';
import { batchWatermarks, makeBatches, oracleWindows, type EventRow, type OracleWindow } from '../support/window-oracle.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'weir-win-cli-'));
  dirs.push(d);
  return d;
}
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const DELAY = 2000;

async function run(args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const io = {
    stdout: { write: () => true },
    stderr: { write: (s: string) => { err += s; if (process.env.WEIR_DEBUG) process.stdout.write(s); return true; } },
  } as unknown as { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };
  const code = await main(args, io);
  return { code, err };
}

/** One JSON file per batch, named in order; times as ISO-8601 strings. */
function writeInput(batches: readonly (readonly EventRow[])[]): string {
  const dir = tempDir();
  batches.forEach((b, k) => {
    writeFileSync(path.join(dir, `part-${String(k).padStart(3, '0')}.json`),
      b.map((r) => JSON.stringify({ item: r.item, price: r.price, ts: new Date(r.ts).toISOString() })).join('\n') + '\n');
  });
  return dir;
}

/** The committed output, manifest by manifest: batch id → rows (timestamps back to epoch ms). */
function readOutput(dir: string): Map<number, Row[]> {
  const out = new Map<number, Row[]>();
  const manifests = path.join(dir, '_manifest');
  if (!existsSync(manifests)) return out;
  for (const m of readdirSync(manifests).filter((n) => !n.startsWith('.')).sort()) {
    const files = readFileSync(path.join(manifests, m), 'utf8').split('\n').filter(Boolean);
    out.set(Number(m), files.flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean)).map((l) => {
      const r = JSON.parse(l) as Row;
      return { ...r, ws: Date.parse(r.ws as string), we: Date.parse(r.we as string) };
    }));
  }
  return out;
}

/** `batch N: … watermark W` lines of --progress: batch id → watermark (ms; -∞ when none). */
function watermarks(stderr: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of stderr.matchAll(/batch (\d+): .* watermark (\S+)/g)) {
    out.set(Number(m[1]), m[2] === '-' ? -Infinity : m[2] === '+infinity' ? Infinity : Date.parse(m[2]!));
  }
  return out;
}

const tvf = (call: string): string =>
  `SELECT item, window_start, window_end, COUNT(*), SUM(price), MAX(price) FROM TABLE(${call}) GROUP BY item, window_start, window_end`;

const QUERIES: readonly { name: string; window: OracleWindow; select: string }[] = [
  { name: 'TUMBLE', window: { kind: 'tumble', size: 10_000 }, select: tvf("TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND)") },
  { name: 'HOP', window: { kind: 'hop', slide: 5000, size: 15_000 }, select: tvf("HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '15' SECOND)") },
  { name: 'CUMULATE', window: { kind: 'cumulate', step: 5000, size: 20_000 }, select: tvf("CUMULATE(TABLE bids, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '20' SECOND)") },
  { name: 'SESSION TVF', window: { kind: 'session', gap: 901 }, select: tvf("SESSION(TABLE bids PARTITION BY item, DESCRIPTOR(ts), INTERVAL '901' MILLISECOND)") },
  { name: 'SESSION group window', window: { kind: 'session', gap: 901 },
    select: `SELECT item, SESSION_START(ts, INTERVAL '901' MILLISECOND), SESSION_END(ts, INTERVAL '901' MILLISECOND), COUNT(*), SUM(price), MAX(price)
      FROM bids GROUP BY item, SESSION(ts, INTERVAL '901' MILLISECOND)` },
];

function script(input: string, output: string, select: string, unbounded: boolean): string {
  return `
CREATE TABLE bids (item STRING, price INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)
  WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json', 'source.max-files-per-trigger' = '1'
        ${unbounded ? ", 'source.monitor-interval' = '1 s'" : ''});
CREATE TABLE out (item STRING, ws TIMESTAMP(3), we TIMESTAMP(3), n BIGINT, total BIGINT, top INT)
  WITH ('connector' = 'filesystem', 'path' = '${output}', 'format' = 'json');
INSERT INTO out ${select};
`;
}

function dataFor(window: OracleWindow, seed: number): EventRow[][] {
  return makeBatches({
    seed, n: 300, spanMs: 60_000, disorderMs: DELAY, batchCount: 10, items: 3,
    lateCount: 8, lateByMs: window.kind === 'session' ? window.gap : window.size, delay: DELAY,
  });
}

describe('weir run over a directory of JSON files, one file per trigger', () => {
  it.each(QUERIES)('$name: a bounded source ends with every window, equal to DuckDB', async ({ window, select }) => {
    const batches = dataFor(window, 3);
    const input = writeInput(batches);
    const output = tempDir();
    const file = path.join(tempDir(), 'q.sql');
    writeFileSync(file, script(input, output, select, false));
    const { code, err } = await run(['run', file, '--progress']);
    expect(err).not.toMatch(/error/i);
    expect(code).toBe(0);
    const rows = [...readOutput(output).values()].flat();
    expect(sortRows(rows)).toEqual(sortRows(await oracleWindows(batches, DELAY, window)));
  });

  it.each(QUERIES)('$name: an unbounded source with available-now emits each window once, after it closed', async ({ window, select }) => {
    const batches = dataFor(window, 5);
    const input = writeInput(batches);
    const output = tempDir();
    const file = path.join(tempDir(), 'q.sql');
    writeFileSync(file, script(input, output, select, true));
    const { code, err } = await run(['run', file, '--trigger', 'available-now', '--progress']);
    expect(code).toBe(0);
    const wms = watermarks(err);
    const byBatch = readOutput(output);
    const emitted: Row[] = [];
    for (const [batchId, rows] of byBatch) {
      for (const r of rows) {
        // only after it closed: the batch that emitted it ran with a watermark at or past its end
        expect(r.we as number).toBeLessThanOrEqual(wms.get(batchId)!);
        emitted.push(r);
      }
    }
    const keys = emitted.map((r) => `${r.item}|${r.ws}|${r.we}`);
    expect(new Set(keys).size).toBe(keys.length); // exactly once
    // the source never ends, so the watermark stops at the newest time minus the delay: the
    // windows that closed by then are exactly DuckDB's windows ending at or before it
    const finalWm = Math.max(...batchWatermarks([...batches, []], DELAY));
    const expected = (await oracleWindows(batches, DELAY, window)).filter((r) => (r.we as number) <= finalWm);
    expect(expected.length).toBeGreaterThan(5);
    expect(sortRows(emitted)).toEqual(sortRows(expected));
  });
});
