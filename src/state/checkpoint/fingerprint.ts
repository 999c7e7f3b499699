/**
 * What a checkpoint remembers about the query that wrote it, and the rule for which changes a
 * restart may make: anything that does not change the meaning of the saved state (a new filter, a
 * different projection, a new sink option) is allowed; a different set of stateful operators, other
 * grouping keys or aggregates, or other sources (whose offsets the log holds by position) is not,
 * because the saved state or offsets would be read as something they are not.
 */
import type { JsonValue } from './batch-log.js';

export interface OperatorFingerprint {
  /** the operator's id in the streaming plan (names its state directory) */
  readonly id: number;
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
  a.id === b.id && a.kind === b.kind && stable(a.stateSchema) === stable(b.stateSchema);

/**
 * Why a checkpoint written with fingerprint `was` cannot serve a query with fingerprint `now`, or
 * undefined when it can.
 */
export function incompatibility(was: QueryFingerprint, now: QueryFingerprint): string | undefined {
  const n = Math.min(was.operators.length, now.operators.length);
  for (let i = 0; i < n; i++) {
    const a = was.operators[i]!;
    const b = now.operators[i]!;
    if (!sameOperator(a, b)) return `stateful operator ${i + 1} was ${describeOperator(a, b)}, now ${describeOperator(b, a)}`;
  }
  if (was.operators.length !== now.operators.length) {
    const list = (ops: readonly OperatorFingerprint[]): string => ops.map((o) => o.description ?? o.kind).join(', ');
    const extra = was.operators.length > n
      ? `; gone: ${list(was.operators.slice(n))}`
      : `; new: ${list(now.operators.slice(n))}`;
    return `it had ${was.operators.length} stateful operator(s), now ${now.operators.length}${extra}`;
  }
  if (was.sources && now.sources) {
    if (was.sources.length !== now.sources.length) {
      return `it read ${was.sources.length} source(s) (${was.sources.join(', ')}), now ${now.sources.length} (${now.sources.join(', ')})`;
    }
    for (let i = 0; i < was.sources.length; i++) {
      if (was.sources[i] !== now.sources[i]) return `source ${i + 1} was ${was.sources[i]}, now ${now.sources[i]}`;
    }
  }
  return undefined;
}

/** True when the two fingerprints are the same in every part, stateless ones included. */
export function sameFingerprint(a: QueryFingerprint, b: QueryFingerprint): boolean {
  return stable(a as unknown as JsonValue) === stable(b as unknown as JsonValue);
}
