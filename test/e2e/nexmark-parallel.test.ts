/**
 * The Nexmark suite at `SET 'parallelism' = '2'`: the queries the suite runs through the Engine
 * (nexmark-suite.test.ts), over fewer events, give DuckDB's result when their rows are exchanged
 * between two tasks by key group and each task holds the state of its key groups only. The plan's
 * EXPLAIN shows the exchanges.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNexmark, NEXMARK_DUCKDB, sideInputCsv } from '../../bench/nexmark-duckdb.js';
import { generateEvents, nexmarkConfig, parseNexmarkOptions } from '../../src/connectors/nexmark/index.js';
import { tempDir } from '../support/cli.js';
import { nexmarkDdl as ddl, nexmarkSettings, runQueryFile } from '../support/nexmark.js';
import { expectSameRows, Oracle } from '../support/oracle.js';

const RATE = 200;
const EVENTS = 4_000;
const BATCH_EVENTS = 500;
const BASE_TIME = '2026-01-01T23:59:30Z';
const Q14_BASE_TIME = '2026-01-01T07:59:00Z';
const WORK = tempDir('weir-nexmark-parallel-');
const SETTINGS: Record<string, string> = { ...nexmarkSettings(EVENTS, RATE), FLINK_HOME: WORK, NEXMARK_DIR: WORK, SUBMIT_TIME: 'suite' };
const streamOptions = (baseTime = BASE_TIME): Record<string, string> => ({ 'base-time': baseTime, 'source.max-events-per-batch': String(BATCH_EVENTS) });

function configFor(options: Record<string, string>): ReturnType<typeof nexmarkConfig> {
  const all = new Map(Object.entries({ ...options, 'first-event.rate': String(RATE), 'next-event.rate': String(RATE) }));
  return parseNexmarkOptions(all, new Map()).config;
}

/** q19's ROW_NUMBER over equal prices has no defined order: compared without it, as in the suite */
const QUERIES = ['q0', 'q1', 'q2', 'q3', 'q5', 'q7', 'q8', 'q9', 'q13', 'q14', 'q18', 'q20', 'q21', 'q22', 'q23'];

const oracles = new Map<string, Oracle>();
beforeAll(async () => {
  mkdirSync(path.join(WORK, 'data'), { recursive: true });
  writeFileSync(path.join(WORK, 'data', 'side_input.txt'), sideInputCsv());
  for (const base of [BASE_TIME, Q14_BASE_TIME]) {
    const o = await Oracle.create();
    await loadNexmark(o.connection, { generateEvents, config: configFor(streamOptions(base)), events: EVENTS, tables: ['person', 'auction', 'bid', 'side_input'] });
    oracles.set(base, o);
  }
});
afterAll(() => { for (const o of oracles.values()) o.close(); });

describe.each([[2, QUERIES], [3, ['q5', 'q7', 'q9', 'q18']]] as const)(`Nexmark over ${EVENTS} events at parallelism %i equals DuckDB`, (tasks, queries) => {
  it.each(queries)('%s', async (q) => {
    const base = q === 'q14' ? Q14_BASE_TIME : BASE_TIME;
    const run = await runQueryFile(q, { ddl: `SET 'parallelism' = '${tasks}';\n${ddl(streamOptions(base))}`, settings: SETTINGS, file: `${q}.sql`, timeoutMs: 60_000 });
    const expected = await oracles.get(base)!.query(NEXMARK_DUCKDB[q]!.sql);
    expect(expected.length).toBeGreaterThan(0);
    expectSameRows(run.rows, expected, q);
    if (['q5', 'q7', 'q9', 'q18'].includes(q)) expect(run.explain).toMatch(new RegExp(`Exchange (hash\\(.*\\) → ${tasks} tasks|single)`));
  });
});

// The full-field generator gives every field of every event; each scan hands on only the fields it
// reads (source-columns.ts), q7's two scans of one read different ones: results must not move.
describe.each([1, 2])('Nexmark with the full-field generator at parallelism %i equals DuckDB', (tasks) => {
  it.each(['q5', 'q7', 'q9'])('%s', async (q) => {
    const run = await runQueryFile(q, { ddl: `SET 'parallelism' = '${tasks}';\n${ddl({ ...streamOptions(), 'generator.mode': 'full' })}`, settings: SETTINGS, file: `${q}.sql`, timeoutMs: 60_000 });
    const expected = await oracles.get(BASE_TIME)!.query(NEXMARK_DUCKDB[q]!.sql);
    expect(expected.length).toBeGreaterThan(0);
    expectSameRows(run.rows, expected, q);
  });
});

describe('EXPLAIN at parallelism 2', () => {
  it('shows an exchange above each input of a keyed node, one line each', async () => {
    const run = await runQueryFile('q18', { ddl: `SET 'parallelism' = '2';\n${ddl(streamOptions())}`, settings: SETTINGS, file: 'q18.sql', timeoutMs: 60_000 });
    expect(run.explain).toContain('  Exchange hash(bidder#1, auction#0) → 2 tasks (128 key groups)\n    Project(');
  });

  it('leaves out the exchange where the input is spread by the same keys: q9\'s Top-N over its join', async () => {
    const run = await runQueryFile('q9', { ddl: `SET 'parallelism' = '2';\n${ddl(streamOptions())}`, settings: SETTINGS, file: 'q9.sql', timeoutMs: 60_000 });
    const plan = run.explain.slice(run.explain.indexOf('== Streaming Plan'));
    // the join's output rows are made in the task owning their auction id, the Top-N's key
    expect(plan).toMatch(/\n {2}TopN\(partition=\[id#0\][^\n]*\n {4}IntervalJoin\(/);
    // the join's own inputs are still exchanged, by the auction id on each side
    expect(plan).toContain('      Exchange hash(id#0) → 2 tasks (128 key groups)\n');
    expect(plan).toContain('      Exchange hash(auction#0) → 2 tasks (128 key groups)\n');
  });
});
