/**
 * The group aggregation operator on its own, through committed and aborted batches: a batch changes
 * the stored state in place (its states, its row emitted, its stored value; the changes logged,
 * state-undo-log.ts), so an aborted batch must leave every group exactly as the last committed batch
 * left it, and a committed one must reach the store's files as it was. Checked against a model that
 * sees only the committed batches, for an append-only input and for one that retracts, with few
 * calls and with more than a borrowed mask holds, over the memory, file and LMDB stores (the last
 * two reopened from disk at the end, as after a restart).
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchToRows, rowsToBatch } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import { RowKind } from '../../../src/connectors/api.js';
import { defaultExprContext } from '../../../src/executor/expr/compile.js';
import { GroupAggregateOperator } from '../../../src/executor/operators/aggregate/group-aggregate.js';
import type { BatchContext } from '../../../src/executor/operators/operator.js';
import type { AggregateNode } from '../../../src/planner/incremental/physical.js';
import type { AggregateCall } from '../../../src/planner/logical/plan.js';
import { MemoryStateStore } from '../../../src/state/memory-state-store.js';
import { FileStateStoreProvider } from '../../../src/state/file-state-store.js';
import { LmdbStateStoreProvider } from '../../../src/state/lmdb-state-store.js';
import type { StateStore, StateStoreProvider } from '../../../src/state/state-store.js';
import { abortOperator, commitOperator } from '../../support/operator-batch.js';
import { fcParams } from '../../support/property.js';

const INPUT: Schema = { columns: [
  { name: 'k', type: T.VARCHAR, nullable: true },
  { name: 'v', type: T.INT, nullable: true },
  { name: 'f', type: T.BOOLEAN, nullable: true },
] };
const V = { kind: 'column', index: 1, name: 'v', type: T.INT } as const;
const F = { kind: 'column', index: 2, name: 'f', type: T.BOOLEAN } as const;
const call = (fn: AggregateCall['fn'], distinct: boolean, filter: boolean, type = T.BIGINT): AggregateCall =>
  ({ fn, arg: fn === 'count_star' ? undefined : V, distinct, filter: filter ? F : undefined, type }) as AggregateCall;

/**
 * count(*), count(*) filter, count(distinct v), count(distinct v) filter, sum(distinct v), max(v)
 * (over a retracting input a nested state: it is copied, not changed in place), max(distinct v)
 * (nested too), sum(v) (a state of two numbers)
 */
const CALLS = [
  call('count_star', false, false), call('count_star', false, true), call('count', true, false),
  call('count', true, true), call('sum', true, false), call('max', false, false, T.INT), call('max', true, false, T.INT),
  call('sum', false, false),
];
const NAMES = ['n', 'nf', 'dv', 'dvf', 'sdv', 'mx', 'mxd', 'sv'];
/** the calls five times over: 40 states, more than a group's borrowed mask holds (recorded when loaded) */
const WIDE = 5;

function node(appendOnly: boolean, copies = 1): AggregateNode {
  const calls = Array.from({ length: copies }, () => CALLS).flat();
  return {
    kind: 'aggregate', operatorId: 0, mode: 'update', appendOnly: false,
    input: { kind: 'source', sourceIndex: 0, columns: [0, 1, 2], schema: INPUT, appendOnly } as never,
    groupBy: [{ kind: 'column', index: 0, name: 'k', type: T.VARCHAR }],
    aggregates: calls,
    schema: { columns: [{ name: 'k', type: T.VARCHAR, nullable: true }, ...calls.map((_, i) =>
      ({ name: columnName(i), type: calls[i]!.type, nullable: true }))] },
  };
}

/** output column `i` (after the key): the call's name, numbered after the first copy */
const columnName = (i: number): string => NAMES[i % NAMES.length]! + (i < NAMES.length ? '' : String(Math.floor(i / NAMES.length)));

/** the state backends the operator runs over: a fresh provider in `dir` (memory: none) */
const BACKENDS: readonly { name: string; provider?: (dir: string) => StateStoreProvider; runs: number }[] = [
  { name: 'memory', runs: 100 },
  { name: 'file', provider: (dir) => new FileStateStoreProvider(dir, { snapshotEvery: 2, retainVersions: 3 }), runs: 15 },
  { name: 'lmdb', provider: (dir) => new LmdbStateStoreProvider(dir, { cacheEntries: 2 }), runs: 15 },
];

type Row = readonly [k: string, v: number | null, f: boolean, retract: boolean];

/** The rows inserted and not retracted since (a multiset). */
function held(rows: readonly Row[]): Row[] {
  const live: Row[] = [];
  for (const r of rows) {
    if (!r[3]) live.push(r);
    else live.splice(live.findIndex((h) => h[0] === r[0] && h[1] === r[1] && h[2] === r[2]), 1);
  }
  return live;
}

/** The results a model computes from the committed rows of each key. */
function model(rows: readonly Row[]): Map<string, unknown[]> {
  const live = new Map<string, Row[]>();
  for (const r of held(rows)) live.set(r[0], [...(live.get(r[0]) ?? []), r]);
  const out = new Map<string, unknown[]>();
  for (const [k, held] of live) {
    if (held.length === 0) continue;
    const vs = held.map((h) => h[1]).filter((v): v is number => v !== null);
    const fvs = held.filter((h) => h[2]).map((h) => h[1]).filter((v): v is number => v !== null);
    const d = [...new Set(vs)];
    out.set(k, [held.length, held.filter((h) => h[2]).length, d.length, new Set(fvs).size,
      d.length === 0 ? null : d.reduce((a, b) => a + b, 0), vs.length === 0 ? null : Math.max(...vs), d.length === 0 ? null : Math.max(...d),
      vs.length === 0 ? null : vs.reduce((a, b) => a + b, 0)]);
  }
  return out;
}

const ctx = (batchId: number): BatchContext => ({ batchId, watermark: -Infinity, processingTime: 0, expr: defaultExprContext() });

describe('GroupAggregateOperator', () => {
  it('takes back an aborted retraction from MAX(DISTINCT), whose state holds [value, count] pairs', async () => {
    const store = new MemoryStateStore(0);
    const op = new GroupAggregateOperator(node(false), store, INPUT, defaultExprContext());
    const run = (rows: [string, number, number][]) => {
      op.process({ batch: rowsToBatch(INPUT, rows.map(([k, v]) => ({ k, v, f: true }))), kinds: Uint8Array.from(rows.map((r) => r[2])) }, ctx(1));
      return op.finishBatch(ctx(1)).flatMap((ch) => batchToRows(ch.batch).map((r, i) => [ch.kinds![i], r.mxd]));
    };
    expect(run([['a', 5, RowKind.INSERT], ['a', 3, RowKind.INSERT]])).toEqual([[RowKind.INSERT, 5]]);
    await commitOperator(op, store, 1);
    run([['a', 5, RowKind.DELETE]]);
    abortOperator(op, store);
    // the batch again, as after a failure
    expect(run([['a', 5, RowKind.DELETE]])).toEqual([[RowKind.UPDATE_BEFORE, 5], [RowKind.UPDATE_AFTER, 3]]);
  });

  for (const backend of BACKENDS) for (const appendOnly of [true, false]) for (const copies of [1, WIDE]) {
    it(`leaves every group as the last committed batch did when a batch aborts (${backend.name} store, ${appendOnly ? 'append-only' : 'retracting'} input, ${copies * CALLS.length} calls)`, async () => {
      const row = fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.option(fc.integer({ min: 0, max: 5 }), { freq: 6 }), fc.boolean(),
        appendOnly ? fc.constant(false) : fc.boolean());
      await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.array(row, { maxLength: 12 }), fc.boolean()), { minLength: 1, maxLength: 8 }),
        (batches) => withStore(backend, (open) => runBatches(open, appendOnly, copies, batches))), fcParams({ numRuns: backend.runs }));
    });
  }
});

type Backend = (typeof BACKENDS)[number];
/** Opens the store at a committed version (-1: empty): the memory store is the same one, the others are reopened from their files. */
type OpenStore = (version: number) => Promise<StateStore>;

async function withStore(backend: Backend, check: (open: OpenStore) => Promise<void>): Promise<void> {
  if (!backend.provider) {
    const store = new MemoryStateStore(0);
    return check(async () => store);
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'weir-group-agg-'));
  const provider = backend.provider(dir);
  try {
    await check((version) => provider.open(0, version));
  } finally {
    await provider.close?.();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `batches` (rows, and whether the batch commits or aborts) through a group aggregation over
 * the store, checking every committed output against the model, then a new operator over the store
 * reopened at the last committed version (as after a restart).
 */
async function runBatches(open: OpenStore, appendOnly: boolean, copies: number, batches: readonly [readonly Row[], boolean][]): Promise<void> {
  const names = Array.from({ length: copies * NAMES.length }, (_, i) => columnName(i));
  const store = await open(-1);
  const op = new GroupAggregateOperator(node(appendOnly, copies), store, INPUT, defaultExprContext());
  const committed: Row[] = [];
  const latest = new Map<string, unknown[]>();
  let version = 0;
  for (const [rows, commit] of batches) {
    // a retraction only takes back a row that is there (as an updating input does)
    const ok: Row[] = [];
    for (const r of rows) if (!r[3] || held([...committed, ...ok]).some((h) => h[0] === r[0] && h[1] === r[1] && h[2] === r[2])) ok.push(r);
    const c = ctx(version + 1);
    if (ok.length > 0) {
      op.process({
        batch: rowsToBatch(INPUT, ok.map(([k, v, f]) => ({ k, v, f }))),
        ...(appendOnly ? {} : { kinds: Uint8Array.from(ok.map((r) => (r[3] ? RowKind.DELETE : RowKind.INSERT))) }),
      }, c);
    }
    const out = op.finishBatch(c);
    if (!commit) {
      abortOperator(op, store);
      continue;
    }
    await commitOperator(op, store, ++version);
    committed.push(...ok);
    for (const ch of out) {
      batchToRows(ch.batch).forEach((r, i) => {
        const kind = ch.kinds?.[i] ?? RowKind.INSERT;
        const values = names.map((n) => r[n]);
        // an update-before (or delete) row is the row last sent for the key, however many batches aborted since
        if (kind === RowKind.UPDATE_BEFORE || kind === RowKind.DELETE) expect(values).toEqual(latest.get(r.k as string));
        if (kind === RowKind.DELETE) latest.delete(r.k as string);
        else if (kind !== RowKind.UPDATE_BEFORE) latest.set(r.k as string, values);
      });
    }
  }
  const times = (v: unknown[]): unknown[] => Array.from({ length: copies }, () => v).flat();
  const numbers = (v: unknown[]): unknown[] => v.map((x) => (typeof x === 'bigint' ? Number(x) : x));
  expect(new Map([...latest].map(([k, v]) => [k, numbers(v)]))).toEqual(new Map([...model(committed)].map(([k, v]) => [k, times(v)])));
  // and the stored state says the same: a new operator over it continues from it
  const again = new GroupAggregateOperator(node(appendOnly, copies), await open(version === 0 ? -1 : version), INPUT, defaultExprContext());
  again.process({ batch: rowsToBatch(INPUT, [{ k: 'a', v: 9, f: true }]) }, ctx(version + 1));
  const after = again.finishBatch(ctx(version + 1)).flatMap((ch) => batchToRows(ch.batch).filter((_, i) => ch.kinds?.[i] !== RowKind.UPDATE_BEFORE));
  const a = model([...committed, ['a', 9, true, false]]).get('a')!;
  expect(after.map((r) => numbers(names.map((n) => r[n])))).toEqual([times(a)]);
}
