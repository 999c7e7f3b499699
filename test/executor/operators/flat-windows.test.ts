/**
 * The window aggregation's flat working memory against the arrays it stands in for:
 *
 * - each flat accumulator (flat-accumulators.ts) ends with exactly the numbers its array accumulator
 *   holds, in the codec's layout, for any sequence of values and retractions (NaN, -0, ±∞, 2^53);
 * - which calls have a flat form (a bigint or a text value must never reach one);
 * - the operator with flat windows emits what the same operator with arrays emits (a twin with one
 *   more call, MAX over text, which has no flat form), batch after batch, with retractions, late
 *   rows, aborted batches and restarts over its store.
 *
 * Fresh inputs every run (fast-check, seed printed; WEIR_SEED replays).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchToRows, rowsToBatch } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T, type SqlType } from '../../../src/common/types.js';
import { defaultExprContext } from '../../../src/executor/expr/compile.js';
import { ACCUMULATORS, APPEND_ONLY_ACCUMULATORS, INTEGER_ACCUMULATORS, type Accumulator } from '../../../src/executor/operators/aggregate/accumulators.js';
import { AggregateFunctions } from '../../../src/executor/operators/aggregate/aggregate-functions.js';
import { FLAT_WORDS, flatApply, flatInit, flatKindOf, type FlatKind } from '../../../src/executor/operators/aggregate/flat-accumulators.js';
import type { BatchContext, Chunk } from '../../../src/executor/operators/operator.js';
import { WindowAggregateOperator } from '../../../src/executor/operators/window/window-aggregate.js';
import type { AggregateCall } from '../../../src/planner/logical/plan.js';
import type { WindowAggregateNode } from '../../../src/planner/incremental/physical.js';
import { MemoryStateStore } from '../../../src/state/memory-state-store.js';
import { abortOperator, commitOperator } from '../../support/operator-batch.js';
import { fcParams } from '../../support/property.js';

const edgeNumber = fc.oneof(
  fc.double(),
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(NaN, -0, 0, Infinity, -Infinity, 2 ** 53 - 1, -(2 ** 53), 0.1, 1e308),
);

/** The array accumulator's state in the codec's layout: its length, then its numbers. */
const laidOut = (s: unknown[]): unknown[] => [s.length, ...s];

describe('flat accumulators', () => {
  const cases: [FlatKind, Accumulator, boolean][] = [
    ['count', ACCUMULATORS.count, true],
    ['sum', ACCUMULATORS.sum, true],
    ['sum', ACCUMULATORS.avg, true],
    ['min', APPEND_ONLY_ACCUMULATORS.min!, false],
    ['max', APPEND_ONLY_ACCUMULATORS.max!, false],
  ];
  for (const [kind, acc, retracts] of cases) {
    it(`${kind} holds the numbers of its array accumulator${retracts ? ', retractions included' : ''}`, () => {
      const op = fc.record({ v: edgeNumber, retract: retracts ? fc.boolean() : fc.constant(false) });
      fc.assert(fc.property(fc.array(op, { maxLength: 12 }), (ops) => {
        const s = acc.init();
        const w = new Float64Array(1 + FLAT_WORDS[kind]).fill(12345);
        flatInit(kind, w, 1);
        for (const { v, retract } of ops) {
          if (retract) acc.retract(s, v); else acc.add(s, v);
          flatApply(kind, w, 1, v, retract);
        }
        const len = w[1]!;
        expect(w[0]).toBe(12345); // nothing written before the state
        // toEqual tells NaN from numbers and -0 from 0 (Object.is)
        expect([...w.subarray(1, 2 + len)]).toEqual(laidOut(s));
      }), fcParams({ numRuns: 200 }));
    });
  }

  it('exist only for states that always hold plain numbers', () => {
    const t = (kind: SqlType['kind']): SqlType => ({ kind } as SqlType);
    expect(flatKindOf(ACCUMULATORS.count, undefined)).toBe('count');
    expect(flatKindOf(ACCUMULATORS.count, T.VARCHAR)).toBe('count');
    expect(flatKindOf(ACCUMULATORS.sum, T.DOUBLE)).toBe('sum');
    expect(flatKindOf(ACCUMULATORS.avg, t('FLOAT'))).toBe('sum');
    expect(flatKindOf(APPEND_ONLY_ACCUMULATORS.max!, T.INT)).toBe('max');
    // exact integer sums become bigints past 2^53; BIGINT and text extremes are not always numbers
    expect(flatKindOf(INTEGER_ACCUMULATORS.sum!, T.BIGINT)).toBeUndefined();
    expect(flatKindOf(APPEND_ONLY_ACCUMULATORS.max!, T.BIGINT)).toBeUndefined();
    expect(flatKindOf(APPEND_ONLY_ACCUMULATORS.min!, T.VARCHAR)).toBeUndefined();
    // retractable MIN/MAX keep every value
    expect(flatKindOf(ACCUMULATORS.max, T.INT)).toBeUndefined();
    expect(flatKindOf(ACCUMULATORS.var_pop, T.DOUBLE)).toBeUndefined();
  });
});

const INPUT: Schema = { columns: [
  { name: 'item', type: T.VARCHAR, nullable: true },
  { name: 'ts', type: T.TIMESTAMP, nullable: true },
  { name: 'price', type: T.INT, nullable: true },
  { name: 'weight', type: T.DOUBLE, nullable: true },
] };
const col = (index: number): AggregateCall['arg'] => ({ kind: 'column', index, name: INPUT.columns[index]!.name, type: INPUT.columns[index]!.type });
const call = (fn: AggregateCall['fn'], arg: AggregateCall['arg'], type: SqlType, filter?: AggregateCall['filter']): AggregateCall =>
  ({ fn, arg, distinct: false, filter, type });

/** Flat calls (given an append-only input), with NULLs, a FILTER and NaN among their values. */
const FLAT_CALLS: AggregateCall[] = [
  call('count_star', undefined, T.BIGINT),
  call('count', col(3), T.BIGINT),
  call('sum', col(3), T.DOUBLE),
  call('avg', col(3), T.DOUBLE, { kind: 'column', index: 4, name: 'cheap', type: T.BOOLEAN } as never),
  call('max', col(2), T.INT),
  call('min', col(3), T.DOUBLE),
];

function windowNode(calls: readonly AggregateCall[], appendOnly: boolean): WindowAggregateNode {
  const input: Schema = { columns: [...INPUT.columns, { name: 'cheap', type: T.BOOLEAN, nullable: true }] };
  return {
    kind: 'windowAggregate', operatorId: 0, window: { kind: 'hop', slideMs: 5, sizeMs: 15, offsetMs: 0 }, timeColumn: 1,
    mode: 'append', timeDomain: 'event', appendOnly: true,
    input: { kind: 'source', sourceIndex: 0, columns: [0, 1, 2, 3, 4], schema: input, appendOnly } as never,
    groupBy: [{ kind: 'column', index: 0, name: 'item', type: T.VARCHAR }],
    aggregates: calls,
    keyLayout: [{ kind: 'key', index: 0 }, { kind: 'windowStart' }, { kind: 'windowEnd' }],
    schema: { columns: [
      { name: 'item', type: T.VARCHAR, nullable: true }, { name: 'ws', type: T.TIMESTAMP, nullable: false },
      { name: 'we', type: T.TIMESTAMP, nullable: false },
      ...calls.map((c, i) => ({ name: `a${i}`, type: c.type, nullable: true })),
    ] },
  };
}

type Row = { item: string | null; ts: number | null; price: number | null; weight: number | null; cheap: boolean | null };
const rowArb: fc.Arbitrary<Row> = fc.record({
  item: fc.constantFrom('a', 'b', 'é', null),
  ts: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.constant(null)),
  price: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constant(null)),
  weight: fc.oneof(fc.constantFrom(NaN, -0, 0.5, 1e300, -1e300), fc.integer({ min: -2, max: 2 }), fc.constant(null)),
  cheap: fc.oneof(fc.boolean(), fc.constant(null)),
});

/** A step of a run: a batch of rows (each maybe a retraction) under a watermark, aborted or committed, maybe followed by a restart. */
const stepArb = (retracts: boolean) => fc.record({
  rows: fc.array(fc.record({ row: rowArb, retract: retracts ? fc.boolean() : fc.constant(false) }), { maxLength: 8 }),
  advance: fc.integer({ min: 0, max: 12 }),
  abort: fc.boolean(),
  restart: fc.boolean(),
});

describe('flat windows', () => {
  for (const retracts of [false, true]) {
    it(`emit what arrays emit${retracts ? ' over an input that retracts' : ''}, through aborts and restarts`, async () => {
      // over an input that retracts MIN/MAX are not flat: the flat operator has only the other calls
      const flatCalls = retracts ? FLAT_CALLS.filter((c) => c.fn !== 'min' && c.fn !== 'max') : FLAT_CALLS;
      const twinCalls = [...flatCalls, call('max', col(0), T.VARCHAR)];
      const flatNode = windowNode(flatCalls, !retracts), twinNode = windowNode(twinCalls, !retracts);
      const schema = flatNode.input.schema;
      expect(new AggregateFunctions(flatCalls, schema, defaultExprContext(), !retracts).flatKinds).toBeDefined();
      expect(new AggregateFunctions(twinCalls, schema, defaultExprContext(), !retracts).flatKinds).toBeUndefined();
      await fc.assert(fc.asyncProperty(fc.array(stepArb(retracts), { minLength: 1, maxLength: 8 }), async (steps) => {
        const stores = [new MemoryStateStore(0), new MemoryStateStore(0)];
        const nodes = [flatNode, twinNode];
        const make = (k: number) => new WindowAggregateOperator(nodes[k]!, stores[k]!, schema, defaultExprContext(), undefined);
        let ops = [make(0), make(1)];
        let watermark = -Infinity, batchId = 0;
        const live: Row[] = []; // rows added and not yet retracted: what a retraction may take back
        for (const step of steps) {
          const liveBefore = [...live];
          const rows: Row[] = [], kinds: number[] = [];
          for (const { row, retract } of step.rows) {
            const back = retract ? live.find((r) => r.item === row.item) : undefined;
            if (back) { rows.push(back); kinds.push(3); live.splice(live.indexOf(back), 1); } else { rows.push(row); kinds.push(0); live.push(row); }
          }
          const next = Math.max(watermark, (watermark === -Infinity ? 0 : watermark) + step.advance);
          const ctx: BatchContext = { batchId, watermark: next, processingTime: 0, expr: defaultExprContext() };
          const chunk: Chunk = { batch: rowsToBatch(schema, rows), ...(retracts ? { kinds: Uint8Array.from(kinds) } : {}) };
          const outs = ops.map((op) => {
            if (rows.length > 0) op.process(chunk, ctx);
            return op.finishBatch!(ctx).flatMap((c) => batchToRows(c.batch));
          });
          // the flat operator's rows are the twin's without its last column (one row per key and window: sorted by those)
          const order = (rs: Record<string, unknown>[]) => rs.sort((x, y) => `${x.item}|${x.we}`.localeCompare(`${y.item}|${y.we}`));
          const twinRows = outs[1]!.map((r) => { const { [`a${twinCalls.length - 1}`]: _, ...rest } = r; return rest; });
          expect(order(outs[0]!)).toEqual(order(twinRows));
          if (step.abort) {
            ops.forEach((op, k) => abortOperator(op, stores[k]!));
            live.splice(0, live.length, ...liveBefore);
            continue;
          }
          for (let k = 0; k < 2; k++) await commitOperator(ops[k]!, stores[k]!, batchId);
          batchId++;
          watermark = next;
          if (step.restart) ops = [make(0), make(1)];
        }
        // the same keys are open in both
        expect([...stores[0]!.entries()].map(([k]) => k).sort()).toEqual([...stores[1]!.entries()].map(([k]) => k).sort());
      }), fcParams({ numRuns: 60 }));
    });
  }

  it('close a window once when retractions emptied it and a later batch made it anew', async () => {
    // found by seed 14871181: the key was listed twice under the window's end, and its compact form
    // still held the window at the second listing, so the window was emitted twice
    const calls = [call('count_star', undefined, T.BIGINT), call('sum', col(2), T.INT)];
    for (const node of [windowNode(calls, false), windowNode([...calls, call('max', col(0), T.VARCHAR)], false)]) {
      const schema = node.input.schema;
      const store = new MemoryStateStore(0);
      const op = new WindowAggregateOperator(node, store, schema, defaultExprContext(), undefined);
      const row = (ts: number, price: number): Row => ({ item: 'é', ts, price, weight: null, cheap: null });
      const batches: { rows: Row[]; kinds: number[]; watermark: number }[] = [
        { rows: [row(5, 1)], kinds: [0], watermark: 0 },
        // retracted: its three windows are empty; the key stays open with another row's windows
        { rows: [row(5, 1), row(0, 4)], kinds: [3, 0], watermark: 0 },
        { rows: [row(6, 2)], kinds: [0], watermark: 0 }, // the first row's windows again
        { rows: [], kinds: [], watermark: 20 },
      ];
      const out: Record<string, unknown>[] = [];
      for (const [batchId, { rows, kinds, watermark }] of batches.entries()) {
        const ctx: BatchContext = { batchId, watermark, processingTime: 0, expr: defaultExprContext() };
        if (rows.length > 0) op.process({ batch: rowsToBatch(schema, rows), kinds: Uint8Array.from(kinds) }, ctx);
        out.push(...op.finishBatch!(ctx).flatMap((c) => batchToRows(c.batch)));
        await commitOperator(op, store, batchId);
      }
      expect(out.map((r) => [r.ws, r.we, r.a0, r.a1])).toEqual([[-10, 5, 1, 4], [-5, 10, 2, 6], [0, 15, 2, 6], [5, 20, 1, 2]]);
    }
  });
});
