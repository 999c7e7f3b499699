/**
 * The version of each stateful operator's state layout: what its store's keys and values mean.
 * A checkpoint records it with each operator (engine/checkpoint-identity.ts), so a checkpoint whose
 * state an older layout wrote is refused, naming the operator, instead of misread. Raise a version
 * whenever an operator starts writing its state another way; say why here.
 */
import type { PhysicalNode } from '../../planner/incremental/physical.js';

export type StatefulKind = Extract<PhysicalNode, { operatorId: number }>['kind'];

export const STATE_VERSIONS: { readonly [K in StatefulKind]: number } = {
  // 1: a store entry per group: the key codec's key → accumulator values
  aggregate: 1,
  // 1: a store entry per grouping key: [key values, its open windows], the windows as arrays or (when
  // their accumulators hold numbers only) as one compact string (window-groups-codec.ts); this
  // version reads both, so checkpoints written before the compact form restore as they are
  windowAggregate: 1,
  // 3: each input chunk one Arrow block (IPC bytes) with its rows' status under `<id>:s`; 2 wrote
  // the status under `<id>s`, which is also block 36·id + 28's key (block 64's is block 1's status);
  // 1 was an entry per row
  join: 3,
  // 1: a store entry per kept row (by arrival number: its compact binary string); under
  // table.exec.state.ttl also '@' + partition key → last-write time, which the loader skips
  topN: 1,
  // 2: both sides' rows as the join's blocks (join-state.ts), the left rows' match counts in them;
  // 1 wrote their status under keys that could be another block's (see join)
  semiJoin: 2,
  // 1: one entry, the number of live rows
  singleRow: 1,
  // 2: the held rows as Arrow blocks (over/row-blocks.ts: IPC bytes and first arrival number, alive
  // flags), per partition's accumulators, and the watermark rows were released up to; 1 had an entry
  // per held row (by arrival number: its row text)
  overAggregate: 2,
  // 1: an entry per partition key (the key codec's key): [JSON of its value/list/map states, event timers, processing timers]
  processFunction: 1,
  // 1: an entry per waiting left row and per kept version (by arrival number: its row text)
  temporalJoin: 1,
};
