/**
 * How each stateful operator's store entries go to the tasks that own their key groups (the
 * re-split of state-split.ts). Three shapes of entry:
 *
 * - keyed by one key: the store key is the key codec's string of the node's distribution keys (a
 *   group aggregate's group, a process function's partition), or the entry holds the key's values
 *   to encode again (a session window's group keys without its PARTITION BY order). The entry goes
 *   whole to the one task owning that key's group.
 * - rows of many keys, as Arrow blocks (a join's sides, an OVER's rows): a join's block is cut into
 *   one block per task of the live rows it owns, with their expiry and match counts; an OVER's is
 *   copied to every task owning one of its live rows, with the other rows marked dead in its status
 *   entry (its rows are numbered consecutively from the block's first, which a cut would break).
 *   Block ids (and an OVER's arrival numbers) are unique within a store only, so they are numbered
 *   again: each old task's after the one before, which keeps the order within a key (all its rows
 *   come from one old task) and a TTL's storing order (blocks sorted by when they were stored).
 * - one row per entry, as row text (a temporal join's waiting rows and versions, a Top-N's rows), or
 *   one partition's rows packed in one entry (a Top-N's packs): decoded by the batch to find their
 *   keys, renumbered as blocks are.
 *
 * A store holding an entry its operator's layout does not explain is not split
 * (CannotSplit): the replay then rebuilds it from the batches instead of a guess.
 */
import * as arrow from 'apache-arrow';
import { batchFromColumns } from '../../common/columns.js';
import { takeBatch } from '../../common/take.js';
import type { Schema } from '../../common/schema.js';
import { exprToString, type BoundExpr } from '../../planner/expr.js';
import { inputKeys } from '../../planner/incremental/exchanges.js';
import type { PhysicalKind, PhysicalNode } from '../../planner/incremental/physical.js';
import { processFunctionKeys, type PlanProperties } from '../../planner/incremental/properties.js';
import type { StateValue } from '../../state/state-store.js';
import type { ExprContext } from '../expr/compile.js';
import { KeyCodec } from '../keys/key-codec.js';
import { keyGroupOfKey } from '../keys/key-hash.js';
import { blockKey, bytesOf, float64Of, int32Of, statusKey } from '../operators/block-keys.js';
import { pack, unpack } from '../operators/rank/partition-pack.js';
import { RowCodec } from '../operators/rank/row-codec.js';
import { Entry, PACK_PREFIX, TTL_PREFIX } from '../operators/rank/top-n-state.js';
import { partitionKeyColumns } from '../operators/rank/top-n.js';
import { ttlKeyOf } from '../operators/rank/top-n-ttl.js';
import { compileExpr } from '../expr/compile.js';
import { HashExchange, taskOfKeyGroup } from './exchange.js';

export interface SplitContext {
  /** the tasks now, and the key groups (unchanged) */
  readonly tasks: number;
  readonly maxParallelism: number;
  readonly expr: ExprContext;
  readonly properties: PlanProperties;
}

export interface StateSplitter {
  /** One old task's entries (old tasks in order), each put (or cut and put) into the map of the new task owning it. */
  add(oldTask: number, entries: Iterable<[string, StateValue]>, out: readonly Map<string, StateValue>[]): void;
  /** After every old task's entries: what needed them all (renumbered blocks). */
  finish?(out: readonly Map<string, StateValue>[]): void;
}

export type SplitterFactory = (ctx: SplitContext) => StateSplitter;

/** A store this module cannot split with certainty: the caller replays the batches instead. */
export class CannotSplit extends Error {}

type StatefulKind = Extract<PhysicalNode, { operatorId: number }>['kind'];
type NodeOf<K extends PhysicalKind> = Extract<PhysicalNode, { kind: K }>;

const sameExprs = (a: readonly BoundExpr[], b: readonly BoundExpr[]): boolean =>
  a.length === b.length && a.every((e, i) => exprToString(e) === exprToString(b[i]!));

/** The distribution keys of input `i` of a keyed node. */
function distributionKeys(node: PhysicalNode, i: number, properties: PlanProperties): readonly BoundExpr[] {
  const keys = inputKeys(node, i, properties);
  if (keys === undefined) throw new CannotSplit(`${node.kind} is not keyed`);
  return keys;
}

/** An exchange by the keys of input `i` of `node` (whose rows have `schema`): where each decoded row goes now. */
const exchangeOf = (node: PhysicalNode, i: number, schema: Schema, ctx: SplitContext): HashExchange =>
  new HashExchange(distributionKeys(node, i, ctx.properties), schema, ctx.expr, ctx.tasks, ctx.maxParallelism);

const taskOfKey = (ctx: SplitContext, key: string): number =>
  taskOfKeyGroup(keyGroupOfKey(key, ctx.maxParallelism), ctx.tasks, ctx.maxParallelism);

/**
 * Entries keyed by the codec string of `ownKeys`, holding those keys' values at `values[0]`: the
 * store key is the distribution key's string when the two lists are the same; else the distribution
 * key is encoded again from the values (each of its expressions is one of `ownKeys`).
 */
function byGroupKey(node: PhysicalNode, ownKeys: readonly BoundExpr[]): SplitterFactory {
  return (ctx) => {
    const dist = distributionKeys(node, 0, ctx.properties);
    let keyOf: (k: string, v: StateValue) => string = (k) => k;
    if (!sameExprs(ownKeys, dist)) {
      const own = ownKeys.map(exprToString);
      const at = dist.map((e) => own.indexOf(exprToString(e)));
      if (at.some((i) => i < 0)) throw new CannotSplit(`${node.kind}: its state is keyed otherwise than its rows are spread`);
      const codec = new KeyCodec(dist.map((e) => e.type));
      keyOf = (_k, v) => codec.encode(at.map((i) => (v[0] as readonly unknown[])[i] ?? null));
    }
    return {
      add(_t, entries, out) {
        for (const [k, v] of entries) out[taskOfKey(ctx, keyOf(k, v))]!.set(k, v);
      },
    };
  };
}

/** Where a block came from, which orders the new ids (its rows and status are kept apart, cut or not). */
interface BlockOrigin {
  readonly oldTask: number;
  readonly oldId: number;
  /** processing time it was stored (a join under a state TTL), for the order of the new ids */
  readonly writtenAt: number;
}

interface BlockTag {
  readonly tag: string;
  /** the node's input whose rows the blocks hold (its schema, its distribution keys) */
  readonly input: number;
  readonly schema: Schema;
  /** the block entry under its new place: an OVER's first arrival number moves by its old task's offset */
  readonly rewrite?: (v: StateValue, seqBase: number) => StateValue;
  /**
   * a join's block ([IPC, expiry bytes | null, writtenAt?], status [alive, match counts | null]):
   * each task gets a block of just its live rows, with their expiry and match counts, so a task
   * does not hold the other tasks' rows (a regular join's blocks never die)
   */
  readonly cut?: boolean;
}

/** A join block's entry and status cut to rows `idx` (every one alive). */
function cutJoinBlock(batch: arrow.RecordBatch, value: StateValue, status: readonly unknown[], idx: Uint32Array): { value: StateValue; status: StateValue } {
  const ipc = arrow.tableToIPC(new arrow.Table(takeBatch(batch, idx)), 'stream');
  const pick = <T extends Float64Array | Int32Array>(all: T, make: (n: number) => T): T => {
    const out = make(idx.length);
    for (let i = 0; i < idx.length; i++) out[i] = all[idx[i]!]!;
    return out;
  };
  const expiry = value[1] ? bytesOf(pick(float64Of(value[1] as Uint8Array), (n) => new Float64Array(n))) : null;
  const matches = status[1] ? bytesOf(pick(int32Of(status[1] as Uint8Array), (n) => new Int32Array(n))) : null;
  return {
    value: value.length > 2 ? [ipc, expiry, value[2]] : [ipc, expiry],
    status: [new Uint8Array(idx.length).fill(1), matches],
  };
}

/**
 * The blocks of `tags` (join-state.ts, over/row-blocks.ts: `<tag><id>` = [IPC bytes, …], `<tag><id>:s`
 * = [alive flags, …]) cut between the new tasks; `other` takes every other entry (or refuses it).
 * `seqSpan` gives an old block's arrival numbers' end (its first + rows), to offset the next old task's.
 */
function blockSplitter(node: PhysicalNode, tags: readonly BlockTag[], ctx: SplitContext,
  other?: (oldTask: number, key: string, v: StateValue, out: readonly Map<string, StateValue>[]) => void,
  seqSpan?: (v: StateValue, rows: number) => number): StateSplitter {
  const exchanges = tags.map((t) => exchangeOf(node, t.input, t.schema, ctx));
  // per new task, per tag: the blocks it keeps (a rewritten value, the kept status)
  const kept = Array.from({ length: ctx.tasks }, () => tags.map(() => [] as { origin: BlockOrigin; value: StateValue; status: StateValue }[]));
  let seqBase = 0;
  return {
    add(oldTask, entries, out) {
      const blocks = tags.map(() => new Map<number, { value?: StateValue; status?: StateValue }>());
      for (const [k, v] of entries) {
        const ti = tags.findIndex((t) => k.startsWith(t.tag) && /^[0-9a-z]+(:s)?$/.test(k.slice(t.tag.length)));
        if (ti < 0) {
          if (!other) throw new CannotSplit(`${node.kind}: unexpected state entry ${JSON.stringify(k)}`);
          other(oldTask, k, v, out);
          continue;
        }
        const rest = k.slice(tags[ti]!.tag.length);
        const isStatus = rest.endsWith(':s');
        const id = parseInt(isStatus ? rest.slice(0, -2) : rest, 36);
        const b = blocks[ti]!.get(id) ?? {};
        if (isStatus) b.status = v; else b.value = v;
        blocks[ti]!.set(id, b);
      }
      let seqEnd = seqBase;
      tags.forEach((tag, ti) => {
        for (const [oldId, b] of blocks[ti]!) {
          if (b.value === undefined) throw new CannotSplit(`${node.kind}: the status of block ${tag.tag}${oldId.toString(36)} without its rows`);
          const batch = arrow.tableFromIPC(b.value[0] as Uint8Array).batches[0]!;
          const n = batch.numRows;
          const alive = b.status ? (b.status[0] as Uint8Array) : new Uint8Array(n).fill(1);
          const target = exchanges[ti]!.targets(batch);
          if (seqSpan) seqEnd = Math.max(seqEnd, seqBase + seqSpan(b.value, n));
          const value = tag.rewrite ? tag.rewrite(b.value, seqBase) : b.value;
          const origin: BlockOrigin = { oldTask, oldId, writtenAt: typeof b.value[2] === 'number' ? b.value[2] : -Infinity };
          const status = b.status ?? [];
          for (let t = 0; t < ctx.tasks; t++) {
            const keep = new Uint8Array(n);
            let live = 0;
            for (let i = 0; i < n; i++) if (alive[i] !== 0 && target[i] === t) { keep[i] = 1; live++; }
            // a block none of whose rows the task owns is not written (its load would delete it)
            if (live === 0) continue;
            if (tag.cut) {
              const idx = new Uint32Array(live);
              for (let i = 0, j = 0; i < n; i++) if (keep[i] === 1) idx[j++] = i;
              kept[t]![ti]!.push({ origin, ...cutJoinBlock(batch, value, status, idx) });
            } else {
              kept[t]![ti]!.push({ origin, value, status: [keep, ...status.slice(1)] });
            }
          }
        }
      });
      seqBase = seqEnd;
    },
    finish(out) {
      for (let t = 0; t < ctx.tasks; t++) {
        tags.forEach((tag, ti) => {
          const list = kept[t]![ti]!;
          // new ids in storing order (a TTL expires blocks in id order), then old task, then old id
          list.sort((a, b) => a.origin.writtenAt - b.origin.writtenAt || a.origin.oldTask - b.origin.oldTask || a.origin.oldId - b.origin.oldId);
          list.forEach((b, id) => {
            out[t]!.set(blockKey(tag.tag, id), b.value);
            out[t]!.set(statusKey(tag.tag, id), b.status);
          });
        });
      }
    },
  };
}

const joinSides = (n: NodeOf<'join'> | NodeOf<'semiJoin'>): BlockTag[] =>
  [{ tag: 'L', input: 0, schema: n.left.schema, cut: true }, { tag: 'R', input: 1, schema: n.right.schema, cut: true }];

/** An OVER's held rows (blocks 'b', renumbered with their arrival numbers), per-partition accumulators ('a' + key), the watermark released at ('w'). */
function overSplitter(node: NodeOf<'overAggregate'>): SplitterFactory {
  return (ctx) => {
    if (!sameExprs(node.partitionBy, distributionKeys(node, 0, ctx.properties))) throw new CannotSplit('overAggregate: accumulators keyed otherwise');
    // every task is told the same watermark, so each released its rows up to the same time ('w'),
    // or none has released any yet; else a row held in one task would count as pending in another
    const released = new Set<unknown>();
    const tasksReleased = new Set<number>();
    let oldTasks = 0;
    const rewrite = (v: StateValue, seqBase: number): StateValue => [v[0], (v[1] as number) + seqBase, ...v.slice(2)];
    const blocks = blockSplitter(node, [{ tag: 'b', input: 0, schema: node.input.schema, rewrite }], ctx, (oldTask, k, v, out) => {
      if (k.startsWith('a')) {
        out[taskOfKey(ctx, k.slice(1))]!.set(k, v);
      } else if (k === 'w') {
        released.add(v[0]);
        tasksReleased.add(oldTask);
        for (const m of out) m.set(k, v);
      } else {
        throw new CannotSplit(`overAggregate: unexpected state entry ${JSON.stringify(k)} in task ${oldTask}`);
      }
    }, (v, rows) => (v[1] as number) + rows);
    return {
      add(oldTask, entries, out) {
        oldTasks++;
        blocks.add(oldTask, entries, out);
      },
      finish(out) {
        if (released.size > 1 || (tasksReleased.size > 0 && tasksReleased.size < oldTasks)) {
          throw new CannotSplit('overAggregate: the tasks released rows up to different times');
        }
        blocks.finish!(out);
      },
    };
  };
}

/** A temporal join's waiting left rows (`l<seq>`) and versions (`v<seq>`), one row text each. */
function temporalSplitter(node: NodeOf<'temporalJoin'>): SplitterFactory {
  return (ctx) => {
    const sides = [
      { prefix: 'l', schema: node.input.schema, exchange: exchangeOf(node, 0, node.input.schema, ctx) },
      { prefix: 'v', schema: node.versions.schema, exchange: exchangeOf(node, 1, node.versions.schema, ctx) },
    ].map((s) => ({ ...s, codec: new RowCodec(s.schema) }));
    let seqBase = 0;
    return {
      add(_t, entries, out) {
        const rows = sides.map(() => [] as { seq: number; v: StateValue }[]);
        let seqEnd = seqBase;
        for (const [k, v] of entries) {
          if (!/^[lv][0-9a-z]+$/.test(k)) throw new CannotSplit(`temporalJoin: unexpected state entry ${JSON.stringify(k)}`);
          const seq = parseInt(k.slice(1), 36);
          rows[k[0] === 'l' ? 0 : 1]!.push({ seq, v });
          seqEnd = Math.max(seqEnd, seqBase + seq + 1);
        }
        sides.forEach((s, si) => {
          const list = rows[si]!;
          if (list.length === 0) return;
          const batch = batchFromColumns(s.schema, s.codec.decode(list.map((r) => r.v[0] as string)), list.length);
          const target = s.exchange.targets(batch);
          list.forEach((r, i) => out[target[i]!]!.set(s.prefix + (seqBase + r.seq).toString(36), r.v));
        });
        seqBase = seqEnd;
      },
    };
  };
}

/**
 * A Top-N's rows: one entry per row (`<seq>` = [row text]) or one pack per partition (`#<id>` =
 * [pack], partition-pack.ts, which holds its id and its rows' arrival numbers inside). A pack's rows
 * are one partition, so its first row says where it goes; it is packed again under its new id with
 * its arrival numbers moved by its old task's offset. A partition's last-write time (a state TTL,
 * `@<key values>`) goes where the partition's rows go: its key is made from the rows' partition keys
 * as the operator makes it (the key values are not parsed back: a NaN and a NULL both read `null`).
 * A time whose partition has no row left is not kept (the operator reads times of loaded partitions only).
 */
function topNSplitter(node: NodeOf<'topN'>): SplitterFactory {
  return (ctx) => {
    const schema = node.input.schema;
    const exchange = exchangeOf(node, 0, schema, ctx);
    const codec = new RowCodec(schema);
    const sortKeys = node.orderBy.length;
    const partitionKernels = node.partitionBy.map((e) => compileExpr(e, schema, ctx.expr));
    const keyCodec = new KeyCodec(node.partitionBy.map((e) => e.type));
    const packs = Array.from({ length: ctx.tasks }, () => [] as { oldTask: number; oldId: number; rows: Entry[] }[]);
    let seqBase = 0;
    return {
      add(oldTask, entries, out) {
        const rows: { seq: number; v: StateValue }[] = [];
        const packed: { id: number; rows: Entry[] }[] = [];
        const times: [string, StateValue][] = [];
        let seqEnd = seqBase;
        for (const [k, v] of entries) {
          if (k.startsWith(TTL_PREFIX)) {
            times.push([k, v]);
            continue;
          }
          if (k.startsWith(PACK_PREFIX)) {
            const moved = unpack(v[0] as string, sortKeys).map((e) => new Entry(seqBase + e.seq, e.sort, e.text, -1, -1));
            for (const e of moved) seqEnd = Math.max(seqEnd, e.seq + 1);
            if (moved.length > 0) packed.push({ id: parseInt(k.slice(PACK_PREFIX.length), 36), rows: moved });
          } else if (/^[0-9a-z]+$/.test(k)) {
            const seq = parseInt(k, 36);
            seqEnd = Math.max(seqEnd, seqBase + seq + 1);
            rows.push({ seq, v });
          } else {
            throw new CannotSplit(`topN: unexpected state entry ${JSON.stringify(k)}`);
          }
        }
        const texts = [...rows.map((r) => r.v[0] as string), ...packed.map((p) => p.rows[0]!.text!)];
        if (texts.length > 0) {
          const b = batchFromColumns(schema, codec.decode(texts), texts.length);
          const target = exchange.targets(b);
          rows.forEach((r, i) => out[target[i]!]!.set((seqBase + r.seq).toString(36), r.v));
          packed.forEach((p, j) => packs[target[rows.length + j]!]!.push({ oldTask, oldId: p.id, rows: p.rows }));
          if (times.length > 0) {
            // each partition's time to the task its rows went to, named as the operator names it
            const keys = partitionKeyColumns(partitionKernels, keyCodec, b);
            // a name is one partition's (top-n-ttl.ts); should two ever share one, the time goes to
            // each of their tasks, the newest kept where two meet, as the operator would keep it
            const tasksOfName = new Map<string, Set<number>>();
            for (let i = 0; i < texts.length; i++) {
              const name = ttlKeyOf(keys.map((col) => col[i] ?? null));
              let set = tasksOfName.get(name);
              if (!set) tasksOfName.set(name, set = new Set());
              set.add(target[i]!);
            }
            for (const [k, v] of times) {
              for (const t of tasksOfName.get(k) ?? []) {
                const had = out[t]!.get(k);
                if (had === undefined || (had[0] as number) < (v[0] as number)) out[t]!.set(k, v);
              }
            }
          }
        }
        seqBase = seqEnd;
      },
      finish(out) {
        packs.forEach((list, t) => {
          list.sort((a, b) => a.oldTask - b.oldTask || a.oldId - b.oldId);
          list.forEach((p, id) => out[t]!.set(PACK_PREFIX + id.toString(36), [pack(id, p.rows, sortKeys)]));
        });
      },
    };
  };
}

/**
 * The splitter of each kind of stateful node, or undefined where state is not split by key group
 * (it is replayed). A `single` node never asks: its state stays in task 0.
 */
const SPLITTERS: { [K in StatefulKind]: (n: NodeOf<K>) => SplitterFactory | undefined } = {
  aggregate: (n) => byGroupKey(n, n.groupBy),
  // a window aggregate's and a session's groups: the store key is its GROUP BY's (a session's
  // distribution puts its PARTITION BY first)
  windowAggregate: (n) => byGroupKey(n, n.groupBy),
  processFunction: (n) => byGroupKey(n, processFunctionKeys(n)),
  join: (n) => (ctx) => blockSplitter(n, joinSides(n), ctx),
  semiJoin: (n) => (ctx) => blockSplitter(n, joinSides(n), ctx),
  overAggregate: overSplitter,
  temporalJoin: temporalSplitter,
  topN: topNSplitter,
  // always `single`
  singleRow: () => undefined,
};

export function splitterOf(node: PhysicalNode): SplitterFactory | undefined {
  if (!('operatorId' in node)) return undefined;
  return (SPLITTERS[node.kind] as (n: PhysicalNode) => SplitterFactory | undefined)(node);
}
