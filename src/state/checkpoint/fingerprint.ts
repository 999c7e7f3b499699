/**
 * What a checkpoint remembers about the query that wrote it, and the rule for which changes a
 * restart may make: anything that does not change the meaning of the saved state (a new filter, a
 * different projection, a new sink option) is allowed; a different set of stateful operators, other
 * grouping keys or aggregates, or other sources (whose offsets the log holds by position) is not,
 * because the saved state or offsets would be read as something they are not.
 */
import type { JsonValue } from './batch-log.js';

export interface OperatorFingerprint {
  /**
   * The operator's id: names its state directory. A query's own plan numbers its operators in plan
   * order; restored from a checkpoint, an operator keeps the id its state was written under.
   */
  readonly id: number;
  /**
   * What identifies the operator across changes to the query: its kind, its state version and what
   * its state holds (hashed), `#2`, `#3`… for equal ones in plan order. Absent in checkpoints
   * written before uids, which are matched by position.
   */
  readonly uid?: string;
  /** the version of its kind's state layout (executor/operators/state-versions.ts) */
  readonly stateVersion?: number;
  /** what a checkpoint written before uids recorded as stateSchema, to match such a checkpoint */
  readonly legacyStateSchema?: JsonValue;
  /** the physical kind (group-aggregate, window-aggregate, session-window, ...) */
  readonly kind: string;
  /** what its state holds: keys, aggregates, window; any change makes the old state unreadable */
  readonly stateSchema: JsonValue;
  /** a readable one-line form, for messages only */
  readonly description?: string;
}

export interface QueryFingerprint {
  /** the stateful operators, in plan order */
  readonly operators: readonly OperatorFingerprint[];
  /** a stable identity of each source (table name and connector), in plan order */
  readonly sources?: readonly string[];
  /** anything else worth remembering (the plan text); differences here are allowed */
  readonly stateless?: JsonValue;
}

const stable = (v: JsonValue | undefined): string => JSON.stringify(sortKeys(v));

function sortKeys(v: JsonValue | undefined): JsonValue | undefined {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => sortKeys(x) ?? null);
  const o = v as { readonly [k: string]: JsonValue };
  const out: Record<string, JsonValue> = {};
  for (const k of Object.keys(o).sort()) out[k] = sortKeys(o[k])!;
  return out;
}

function describeOperator(o: OperatorFingerprint, other: OperatorFingerprint): string {
  // the description alone may not show what changed (same text, other accumulator layout)
  if (o.description !== undefined && o.description !== other.description) return o.description;
  return `${o.kind} ${stable(o.stateSchema)}`;
}

const sameOperator = (a: OperatorFingerprint, b: OperatorFingerprint): boolean =>
  a.kind === b.kind && a.stateVersion === b.stateVersion && stable(a.stateSchema) === stable(b.stateSchema);

/**
 * How a checkpoint's state serves a query: the state id (directory) of each of the query's
 * operators, by its id in the query's plan; or why it cannot.
 */
export type StateMatch = { readonly stateIds: ReadonlyMap<number, number> } | { readonly why: string };

/**
 * Match the operators of a checkpoint written with fingerprint `was` to those of a query with
 * fingerprint `now`: by uid (an operator keeps its state when the query around it changes in ways
 * that do not touch what its state means, and when operators change places), or for a checkpoint
 * written before uids by position, as then.
 */
export function matchState(was: QueryFingerprint, now: QueryFingerprint): StateMatch {
  const sourcesWhy = sourcesDiffer(was, now);
  const legacy = was.operators.some((o) => o.uid === undefined);
  const ops = legacy ? matchByPosition(was, now) : matchByUid(was, now);
  if ('why' in ops) return ops;
  return sourcesWhy === undefined ? ops : { why: sourcesWhy };
}

function matchByUid(was: QueryFingerprint, now: QueryFingerprint): StateMatch {
  const byUid = new Map(was.operators.map((o) => [o.uid!, o] as const));
  const stateIds = new Map<number, number>();
  const matched = new Set<OperatorFingerprint>();
  for (let i = 0; i < now.operators.length; i++) {
    const b = now.operators[i]!;
    const a = b.uid === undefined ? undefined : byUid.get(b.uid);
    if (a === undefined || !sameOperator(a, b)) {
      // what it replaces: the operator of its uid, else the one in its place
      const old = a ?? was.operators[i];
      if (old === undefined) return { why: `it had ${was.operators.length} stateful operator(s), now ${now.operators.length}; new: ${b.description ?? b.kind}` };
      return { why: `stateful operator ${i + 1} was ${describeOperator(old, b)}, now ${describeOperator(b, old)}` };
    }
    matched.add(a);
    stateIds.set(b.id, a.id);
  }
  const gone = was.operators.filter((o) => !matched.has(o));
  if (gone.length > 0) {
    return { why: `it had ${was.operators.length} stateful operator(s), now ${now.operators.length}; gone: ${gone.map((o) => o.description ?? o.kind).join(', ')}` };
  }
  return { stateIds };
}

/** A checkpoint written before uids: operators match by position, with the state schema recorded then. */
function matchByPosition(was: QueryFingerprint, now: QueryFingerprint): StateMatch {
  const asThen = (o: OperatorFingerprint): OperatorFingerprint => ({ id: o.id, kind: o.kind, stateSchema: o.legacyStateSchema ?? o.stateSchema, description: o.description });
  const n = Math.min(was.operators.length, now.operators.length);
  const stateIds = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const a = asThen(was.operators[i]!);
    const b = asThen(now.operators[i]!);
    if (a.id !== b.id || !sameOperator(a, b)) return { why: `stateful operator ${i + 1} was ${describeOperator(a, b)}, now ${describeOperator(b, a)}` };
    stateIds.set(b.id, a.id);
  }
  if (was.operators.length !== now.operators.length) {
    const list = (ops: readonly OperatorFingerprint[]): string => ops.map((o) => o.description ?? o.kind).join(', ');
    const extra = was.operators.length > n
      ? `; gone: ${list(was.operators.slice(n))}`
      : `; new: ${list(now.operators.slice(n))}`;
    return { why: `it had ${was.operators.length} stateful operator(s), now ${now.operators.length}${extra}` };
  }
  return { stateIds };
}

function sourcesDiffer(was: QueryFingerprint, now: QueryFingerprint): string | undefined {
  if (!was.sources || !now.sources) return undefined;
  if (was.sources.length !== now.sources.length) {
    return `it read ${was.sources.length} source(s) (${was.sources.join(', ')}), now ${now.sources.length} (${now.sources.join(', ')})`;
  }
  for (let i = 0; i < was.sources.length; i++) {
    if (was.sources[i] !== now.sources[i]) return `source ${i + 1} was ${was.sources[i]}, now ${now.sources[i]}`;
  }
  return undefined;
}

/**
 * Why a checkpoint written with fingerprint `was` cannot serve a query with fingerprint `now`, or
 * undefined when it can.
 */
export function incompatibility(was: QueryFingerprint, now: QueryFingerprint): string | undefined {
  const m = matchState(was, now);
  return 'why' in m ? m.why : undefined;
}

/** `now` with each operator's id the state id the match gave it: what the checkpoint records next. */
export function withStateIds(now: QueryFingerprint, stateIds: ReadonlyMap<number, number>): QueryFingerprint {
  return { ...now, operators: now.operators.map(({ legacyStateSchema: _then, ...o }) => ({ ...o, id: stateIds.get(o.id) ?? o.id })) };
}

/** True when the two fingerprints are the same in every part, stateless ones included. */
export function sameFingerprint(a: QueryFingerprint, b: QueryFingerprint): boolean {
  return stable(a as unknown as JsonValue) === stable(b as unknown as JsonValue);
}
