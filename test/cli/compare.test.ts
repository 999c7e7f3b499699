/**
 * `weir compare` end to end, in-process, over a small out-of-order file whose answer was worked out
 * by hand.
 *
 * 24 rows; row i (file order) has event time E[i] seconds after T0 and amount i + 1. The table's
 * watermark is ts - 2 s and the window TUMBLE 10 s. With --rate 1 row i arrives at T0 + i s
 * (start = the first row's event time, 0), one row per 1 s tick.
 *
 * Event time: a batch runs with the watermark of the rows before it (max E - 2 s).
 *   row 11 (E 12) lifts it to 10 s: [0,10) closes at T0+11 s  → final 1 s after its end
 *   row 12 (E 9, watermark 10) and row 14 (E 8, watermark 11) are late for [0,10)
 *   row 20 (E 22) lifts it to 20 s: [10,20) closes at T0+20 s → final 0 s after its end
 *   row 22 (E 19, watermark 20) is late for [10,20)
 *   [20,30) closes only when the input ends, at T0+23 s
 *   results: [0,10) n=10 total=55; [10,20) n=8 total=127; [20,30) n=3 total=67
 * Processing time (windows by arrival): rows 0–9, 10–19, 20–23:
 *   results: [0,10) n=10 total=55; [10,20) n=10 total=155; [20,30) n=4 total=90
 * Moved: rows 12 and 14 ([0,10) → [10,20)) and row 22 ([10,20) → [20,30)).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CompareReport } from '../../src/cli/compare/report.js';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';

const E = [0, 1, 3, 2, 4, 6, 5, 7, 8, 9, 11, 12, 9, 13, 8, 15, 16, 14, 18, 19, 22, 21, 19, 24];
const T0 = Date.UTC(2024, 0, 1);
const S = 1000;

const CLICKS = (dir: string, extra = '') => `
CREATE TABLE clicks (user_name STRING, amount INT, ts TIMESTAMP(3), arrived TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)
  WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json'${extra});`;

const TUMBLE_SQL = (dir: string) => `${CLICKS(dir)}
CREATE TABLE per_window (window_start TIMESTAMP(3), window_end TIMESTAMP(3), n BIGINT, total BIGINT)
  WITH ('connector' = 'filesystem', 'path' = 'out', 'format' = 'json');
CREATE TABLE totals (user_name STRING, total BIGINT) WITH ('connector' = 'blackhole');
-- a query without a window first: compare skips it
INSERT INTO totals SELECT user_name, SUM(amount) FROM clicks GROUP BY user_name;
INSERT INTO per_window SELECT window_start, window_end, COUNT(*), SUM(amount)
  FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end;
`;

let dir: string;

function row(i: number): Record<string, unknown> {
  return { user_name: i % 2 ? 'ann' : 'bob', amount: i + 1, ts: new Date(T0 + E[i]! * S).toISOString(), arrived: new Date(T0 + i * S).toISOString() };
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const io = {
    stdout: { write: (s: string) => { out += s; return true; } },
    stderr: { write: (s: string) => { err += s; return true; } },
  } as unknown as { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };
  const code = await main(args, io);
  return { code, out, err };
}

function script(name: string, sql: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, sql);
  return file;
}

function readReport(file: string): CompareReport {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as CompareReport;
}

/** The per-window numbers the hand computation above gives, in both arrival modes. */
function expectHandCheckedWindows(r: CompareReport): void {
  const at = (s: number): number => T0 + s * S;
  expect(r.windows.map((w) => ({
    start: w.windowStart, end: w.windowEnd, ev: w.eventTime, pr: w.processingTime, same: w.same,
    out: w.rowsMovedOut, in: w.rowsMovedIn, late: w.lateRows,
    evDelay: w.eventTimeDelayMs, prDelay: w.processingTimeDelayMs, evBy: w.eventTimeClosedBy, prBy: w.processingTimeClosedBy,
  }))).toEqual([
    { start: at(0), end: at(10), ev: { n: 10, total: 55 }, pr: { n: 10, total: 55 }, same: true,
      out: 2, in: 0, late: 2, evDelay: 1 * S, prDelay: 0, evBy: 'watermark', prBy: 'watermark' },
    { start: at(10), end: at(20), ev: { n: 8, total: 127 }, pr: { n: 10, total: 155 }, same: false,
      out: 1, in: 2, late: 1, evDelay: 0, prDelay: 0, evBy: 'watermark', prBy: 'watermark' },
    { start: at(20), end: at(30), ev: { n: 3, total: 67 }, pr: { n: 4, total: 90 }, same: false,
      out: 0, in: 1, late: 0, evDelay: -7 * S, prDelay: -7 * S, evBy: 'end-of-input', prBy: 'end-of-input' },
  ]);
  expect(r.summary).toEqual({
    inputRows: 24, rejectedRows: 0, windows: 3, eventTimeWindows: 3, processingTimeWindows: 3, windowsDiffering: 2,
    rowsMoved: 3, lateRows: 3, lateRowsAttributed: 3,
    eventTimeDelayMs: { median: 500, max: 1000 }, processingTimeDelayMs: { median: 0, max: 0 }, closedByEndOfInput: 1,
  });
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-compare-'));
  fs.mkdirSync(path.join(dir, 'in'));
  fs.writeFileSync(path.join(dir, 'in', 'clicks.json'), E.map((_, i) => JSON.stringify(row(i))).join('\n') + '\n');
  // the same rows shuffled, each with its arrival time: --arrival must put them back in order
  const shuffled = E.map((_, i) => i).sort((a, b) => ((a * 7) % 24) - ((b * 7) % 24));
  fs.mkdirSync(path.join(dir, 'shuffled'));
  fs.writeFileSync(path.join(dir, 'shuffled', 'clicks.json'), shuffled.map((i) => JSON.stringify(row(i))).join('\n') + '\n');
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('weir compare', () => {
  it('compares a bare SELECT that calls a CREATE FUNCTION module (imported when compare plans the query it runs)', async () => {
    fs.writeFileSync(path.join(dir, 'tag.mjs'), "export function tag(s) { return s + '!'; }\ntag.returns = 'STRING';\n");
    const file = script('udf.sql', `CREATE FUNCTION tag AS 'tag.mjs';
${CLICKS('in')}
      SELECT tag(user_name) AS who, window_end, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND))
      GROUP BY window_start, window_end, tag(user_name);`);
    const json = path.join(dir, 'udf.json');
    const { code, err } = await run(['compare', file, '--rate', '1', '--json', json]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const r = readReport(json);
    expect([...new Set(r.windows.map((w) => w.keys.who))].sort()).toEqual(['ann!', 'bob!']);
    expect(r.windows.reduce((sum, w) => sum + Number(w.processingTime?.n ?? 0), 0)).toBe(24);
  });

  it('explains windows final before their end when the replay outruns event time, in human units', async () => {
    const file = script('fast.sql', TUMBLE_SQL('in'));
    const json = path.join(dir, 'fast.json');
    // 10 rows/s: 24 rows of 24 s of event time arrive in 2.3 s, so the watermark passes 10 s at 0.7 s
    const { code, out, err } = await run(['compare', file, '--rate', '10', '--json', json]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const r = readReport(json);
    const first = r.windows[0]!;
    expect(first.eventTimeClosedBy).toBe('watermark');
    expect(first.eventTimeDelayMs).toBeLessThan(0);
    expect(out).toMatch(new RegExp(`00:00:00 – 00:00:10.*\\s${(-first.eventTimeDelayMs! / 1000).toString().replace('.', '\\.')} s early\\s`));
    expect(out).toMatch(/note: \d+ event-time window\(s\) were final before their end on the processing-time clock \("early"\): the replay at 10 rows\/s delivers rows faster than their event time advances/);
    expect(out).toContain('TUMBLE(size 10 s)');
    expect(out).not.toMatch(/\d+ms|\s-\d/);
  });

  it('compares a TUMBLE window per window in both time domains (hand-checked)', async () => {
    const file = script('tumble.sql', TUMBLE_SQL('in'));
    const json = path.join(dir, 'tumble.json');
    const { code, out, err } = await run(['compare', file, '--rate', '1', '--json', json]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const r = readReport(json);
    expectHandCheckedWindows(r);
    expect(r.arrival).toEqual({ kind: 'rate', rowsPerSecond: 1, defaulted: false });
    expect(r.startMs).toBe(T0);
    expect(r.endMs).toBe(T0 + 23 * S);
    expect(r.query).toContain('INSERT INTO per_window');
    expect(r.sources).toEqual([{ table: 'clicks', rowtime: 'ts', watermark: "WATERMARK FOR ts AS ts - INTERVAL '2' SECOND", rows: 24 }]);
    expect(r.valueColumns).toEqual(['n', 'total']);
    // the terminal table: one line per window, side by side, and the summary
    expect(out).toMatch(/00:00:00 – 00:00:10\s+n=10 total=55\s+n=10 total=55\s+2\s+0\s+2\s+1 s\s+0 ms\s*\n/);
    expect(out).toMatch(/00:00:10 – 00:00:20\s+n=8 total=127\s+n=10 total=155\s+1\s+2\s+1\s+0 ms\s+0 ms\s+\*/);
    // the input ran out 7 s before [20, 30) ended: no negative delay, but what happened
    expect(out).toMatch(/00:00:20 – 00:00:30\s+n=3 total=67\s+n=4 total=90\s+0\s+1\s+0\s+input ended 7 s before its end\s+input ended 7 s before its end\s+\*/);
    expect(out).not.toMatch(/\s-\d/);
    expect(out).toContain('rows in another window by arrival than by event time: 3 of 24');
    expect(out).toContain('late rows dropped by the event-time run: 3');
    expect(out).toContain('event time median 500 ms, max 1 s; processing time median 0 ms, max 0 ms');
    // the real sink was never written: the replays run against memory tables
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });

  it('writes a self-contained HTML report with both series per window', async () => {
    const file = script('tumble.sql', TUMBLE_SQL('in'));
    const html = path.join(dir, 'report.html');
    const { code } = await run(['compare', file, '--rate', '1', '--report', html, '--metric', 'total']);
    expect(code).toBe(0);
    const page = fs.readFileSync(html, 'utf8');
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).toContain('<svg');
    expect(page).toContain('total per window');
    // chart bars carry their values: both series, every window
    for (const v of ['55', '127', '67']) expect(page).toContain(`event time ${v}</title>`);
    for (const v of ['55', '155', '90']) expect(page).toContain(`processing time ${v}</title>`);
    // nothing to fetch: no script, no stylesheet or image links
    expect(page).not.toMatch(/<script|<link|<img|src=|href=|@import|url\(/i);
  });

  it('takes arrival times from a column with --arrival, in arrival order whatever the file order', async () => {
    const file = script('shuffled.sql', TUMBLE_SQL('shuffled'));
    const json = path.join(dir, 'arrival.json');
    const { code, err } = await run(['compare', file, '--arrival', 'arrived', '--json', json]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const r = readReport(json);
    expect(r.arrival).toEqual({ kind: 'column', column: 'arrived' });
    expectHandCheckedWindows(r);
  });

  it('compares a bare SELECT with grouping keys and a filter', async () => {
    const file = script('keys.sql', `${CLICKS('in')}
      SELECT user_name, window_end, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND))
      WHERE amount <> 5 GROUP BY window_start, window_end, user_name;`);
    const json = path.join(dir, 'keys.json');
    const { code, err } = await run(['compare', file, '--rate', '1', '--json', json]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const r = readReport(json);
    const bob = r.windows.filter((w) => w.keys.user_name === 'bob').map((w) => [w.eventTime?.n, w.processingTime?.n, w.rowsMovedOut, w.rowsMovedIn, w.lateRows]);
    // bob has the even rows; row 4 (amount 5) is filtered out; rows 12, 14 (late) and 22 are bob's
    expect(bob).toEqual([[4, 4, 2, 0, 2], [3, 5, 1, 2, 1], [1, 2, 0, 1, 0]]);
    const ann = r.windows.filter((w) => w.keys.user_name === 'ann').map((w) => [w.eventTime?.n, w.processingTime?.n, w.rowsMovedOut, w.rowsMovedIn, w.lateRows]);
    expect(ann).toEqual([[5, 5, 0, 0, 0], [5, 5, 0, 0, 0], [2, 2, 0, 0, 0]]);
    // the output has window_end only: the start is derived from the window size
    expect(r.windows[0]!.windowStart).toBe(T0);
    expect(r.summary.inputRows).toBe(24);
  });

  it('refuses a script without a windowed query (exit 1)', async () => {
    const file = script('plain.sql', `${CLICKS('in')} SELECT user_name, COUNT(*) FROM clicks GROUP BY user_name;`);
    const { code, out, err } = await run(['compare', file]);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toContain('no windowed query in the script');
  });

  it('refuses an unbounded table (exit 1, at the table)', async () => {
    const file = script('unbounded.sql', `${CLICKS('in', ", 'source.monitor-interval' = '1 s'")}
      SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end;`);
    const { code, err } = await run(['compare', file]);
    expect(code).toBe(1);
    expect(err).toMatch(/unbounded\.sql:2:1: weir compare: table 'clicks' is unbounded/);
  });

  it('refuses bad options (exit 1)', async () => {
    const file = script('tumble.sql', TUMBLE_SQL('in'));
    const both = await run(['compare', file, '--rate', '2', '--arrival', 'arrived']);
    expect(both.code).toBe(1);
    expect(both.err).toContain('either --rate or --arrival');
    const rate = await run(['compare', file, '--rate', '0']);
    expect(rate.code).toBe(1);
    expect(rate.err).toContain("bad --rate '0'");
    const tick = await run(['compare', file, '--tick', 'soon']);
    expect(tick.code).toBe(1);
    expect(tick.err).toContain("bad --tick 'soon'");
    const metric = await run(['compare', file, '--metric', 'nope']);
    expect(metric.code).toBe(1);
    expect(metric.err).toContain('its result columns: n, total');
    const column = await run(['compare', file, '--arrival', 'nope']);
    expect(column.code).toBe(1);
    expect(column.err).toContain("table 'clicks' has no such column");
  });

  it('defaults the rate to the input\'s average event rate', async () => {
    const file = script('tumble.sql', TUMBLE_SQL('in'));
    const json = path.join(dir, 'default.json');
    expect((await run(['compare', file, '--json', json])).code).toBe(0);
    const r = readReport(json);
    // 24 rows over 24 s of event time: 23 gaps in 24 s
    expect(r.arrival).toEqual({ kind: 'rate', rowsPerSecond: (23 * 1000) / 24000, defaulted: true });
    expect(r.summary.lateRows).toBe(3);
  });
});

describe('ending a memory input', () => {
  it('makes the source bounded: the watermark goes to +infinity, open windows flush and the query ends', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(`
      CREATE TABLE ev (k STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'memory');
      CREATE TABLE w (window_end TIMESTAMP(3), n BIGINT) WITH ('connector' = 'memory');
      INSERT INTO w SELECT window_end, COUNT(*) FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '10' SECOND))
        GROUP BY window_start, window_end;`);
    engine.input('ev').push([{ k: 'a', ts: 1000 }, { k: 'b', ts: 12_000 }]);
    await q!.processAllAvailable();
    expect(engine.output('w').rows()).toEqual([]);
    engine.input('ev').end();
    expect(await q!.awaitTermination(10_000)).toBe(true);
    expect(engine.output('w').rows()).toEqual([{ window_end: 10_000, n: 1 }, { window_end: 20_000, n: 1 }]);
    expect(q!.lastProgress?.eventTime.watermark).toBe('+infinity');
    expect(() => engine.input('ev').push([{ k: 'c', ts: 0 }])).toThrow(/push\(\) after end\(\)/);
  });
});
