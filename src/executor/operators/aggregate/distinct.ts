/**
 * DISTINCT aggregates (COUNT(DISTINCT x), SUM(DISTINCT x), ...): an inner accumulator that sees each
 * value once, and the values seen, which a batch changes in place, its changes logged (state-undo-log.ts).
 */
import { InternalError } from '../../../common/errors.js';
import type { AccState, Accumulator } from './accumulators.js';
import { NumberSet } from './number-set.js';
import type { Seen, StateUndoLog } from './state-undo-log.js';

/**
 * An append-only DISTINCT aggregate's values: a Map, a NumberSet when they are many numbers (or the
 * bytes of one, as a state backend gives them back), or null before the first value.
 */
type AppendOnlySeen = Seen | Uint8Array | null;

/**
 * COUNT(DISTINCT x), SUM(DISTINCT x), ...: the state is [inner state, Map(value → multiplicity)];
 * a value reaches the inner accumulator only on its first occurrence and leaves on its last. (The
 * Map is keyed by the SQL value itself: numbers and strings never collide, 0 and -0 are one value.)
 *
 * With `log`, copy() shares the value map (the inner state is copied) and every change to the map
 * is recorded in the log, which the caller rolls back when the batch aborts; so is every change to
 * a `flat` inner state (COUNT, SUM, AVG), and a group aggregate then changes the stored state itself
 * (`logged`). A nested inner state (MIN/MAX's [value, count] pairs, LISTAGG's values) would need a
 * deep copy per logged change, so it is copied once per batch instead. Without `log` copy() is deep.
 */
export function distinct(inner: Accumulator, log?: StateUndoLog): Accumulator {
  // an inner state of a few numbers changes in place, its old contents logged; any other is copied
  const inPlace = log !== undefined && inner.flat === true;
  const self: Accumulator = {
    init: () => [inner.init(), new Map()],
    add: (s, v) => {
      const seen = s[1] as Seen;
      const n = seen.get(v) ?? 0;
      log?.record(seen, v, n);
      seen.set(v, n + 1);
      if (n === 0) {
        if (inPlace) log.recordState(s[0] as AccState);
        inner.add(s[0] as AccState, v);
      }
    },
    retract: (s, v) => {
      const seen = s[1] as Seen;
      const n = seen.get(v);
      if (n === undefined) return;
      log?.record(seen, v, n);
      if (n > 1) seen.set(v, n - 1);
      else {
        seen.delete(v);
        if (inPlace) log.recordState(s[0] as AccState);
        inner.retract(s[0] as AccState, v);
      }
    },
    result: (s) => inner.result(s[0] as AccState),
    copy: (s) => [inner.copy(s[0] as AccState), log ? s[1] : new Map(s[1] as Seen)],
    logged: inPlace,
    merge: (s, o) => {
      for (const [v, n] of o[1] as Seen) {
        for (let k = 0; k < n; k++) self.add(s, v);
      }
    },
  };
  return self;
}

/**
 * DISTINCT over an input that never retracts: [inner state, values seen]. A value reaches the inner
 * accumulator when it is new to the values (one hash operation a row; no multiplicities to count).
 * The values are a Map, which becomes a NumberSet (off the JS heap: number-set.ts) once it holds
 * SET_FROM numbers and nothing else, and a Map again if a value that is no number comes; every state
 * backend keeps both as they are. With `log`, copy() shares the values and each new value is
 * logged, so an aborted batch deletes it again; so is replacing the store (the first value, a Map
 * turned set, a set grown or widened, a set turned Map).
 */
export function appendOnlyDistinct(inner: Accumulator, log?: StateUndoLog): Accumulator {
  const inPlace = log !== undefined && inner.flat === true; // as distinct()
  const self: Accumulator = {
    init: () => [inner.init(), null],
    add: (s, v) => {
      if (!addSeen(s, v, log)) return;
      if (inPlace) log.recordState(s[0] as AccState);
      inner.add(s[0] as AccState, v);
    },
    retract: () => { throw new InternalError('a retraction reached an append-only DISTINCT aggregate'); },
    result: (s) => inner.result(s[0] as AccState),
    copy: (s) => [inner.copy(s[0] as AccState), log ? s[1] : copySeen(s[1] as AppendOnlySeen)],
    logged: inPlace,
    merge: (s, o) => { for (const v of seenValues(o[1] as AppendOnlySeen)) self.add(s, v); },
  };
  return self;
}

/**
 * A Map of this many numbers becomes a NumberSet: a set's objects cost some 300 bytes of heap however
 * small it is, a Map about 30 bytes a value, and most groups see few values. (q16's peak RSS at 2 M
 * events moved less than its run-to-run noise between 1, 8 and 32 here: the large sets decide it.)
 */
const SET_FROM = 8;

/** Puts `v` among state `s`'s values (s[1]); true when it is new there. */
function addSeen(s: AccState, v: unknown, log: StateUndoLog | undefined): boolean {
  let seen = s[1] as AppendOnlySeen;
  if (seen === null) {
    seen = new Map();
    replaceSeen(s, seen, log);
  }
  if (seen instanceof Map) {
    const n = seen.size;
    seen.set(v, 1);
    if (seen.size === n) return false;
    log?.record(seen, v, 0);
    if (n + 1 === SET_FROM && everyNumber(seen.keys())) replaceSeen(s, NumberSet.holding(seen.keys() as Iterable<number>), log);
    return true;
  }
  const set = NumberSet.adopt(seen);
  if (typeof v !== 'number') {
    // the first value that is not a number: from now on the values are a Map
    const map: Seen = new Map();
    for (const x of set.members()) map.set(x, 1);
    replaceSeen(s, map, log);
    map.set(v, 1);
    log?.record(map, v, 0);
    return true;
  }
  const room = set.roomFor(v);
  if (room !== seen) replaceSeen(s, room, log);
  if (!room.add(v)) return false;
  log?.record(room, v, 0);
  return true;
}

function everyNumber(xs: Iterable<unknown>): boolean {
  for (const x of xs) if (typeof x !== 'number') return false;
  return true;
}

function replaceSeen(s: AccState, seen: Seen | NumberSet, log: StateUndoLog | undefined): void {
  log?.recordState(s);
  s[1] = seen;
}

function seenValues(seen: AppendOnlySeen): Iterable<unknown> {
  if (seen === null) return [];
  return seen instanceof Map ? seen.keys() : NumberSet.adopt(seen).members();
}

function copySeen(seen: AppendOnlySeen): AppendOnlySeen {
  if (seen === null) return null;
  return seen instanceof Map ? new Map(seen) : NumberSet.adopt(seen).copy();
}
