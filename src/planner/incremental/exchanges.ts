/**
 * Where a parallel plan exchanges rows between tasks: on each input of a node whose distribution
 * (properties.ts) is `hash` (rows cut by the key group of that input's keys) or `single` (every row
 * to the first task). Stateless nodes (`any`) run in the task their rows are in.
 *
 * An exchange goes on every input of a keyed node, also where the input happens to be spread by the
 * same keys already (a GROUP BY over a GROUP BY of the same columns): knowing that needs the keys
 * followed through projections, which is the next step; the extra exchange costs time, not results.
 */
import { exprToString, type BoundExpr } from '../expr.js';
import type { PhysicalNode } from './physical.js';
import type { PlanProperties } from './properties.js';

export type Exchange =
  | { readonly kind: 'hash'; readonly keys: readonly BoundExpr[] }
  | { readonly kind: 'single' };

/** The parallelism a query runs at: `tasks` tasks over `maxParallelism` key groups. */
export interface Parallelism {
  readonly tasks: number;
  readonly maxParallelism: number;
}

/** The exchange on input `i` of `node`, if any. */
export function inputExchange(node: PhysicalNode, i: number, properties: PlanProperties): Exchange | undefined {
  const d = properties.of(node).distribution;
  switch (d.kind) {
    case 'any': return undefined;
    case 'single': return { kind: 'single' };
    case 'hash': return { kind: 'hash', keys: d.keys[i] ?? d.keys[0]! };
  }
}

/** `Exchange hash(auction) → 2 tasks`: the EXPLAIN line of an exchange. */
export function exchangeText(e: Exchange, p: Parallelism): string {
  return e.kind === 'single'
    ? 'Exchange single → 1 task'
    : `Exchange hash(${e.keys.map(exprToString).join(', ')}) → ${p.tasks} tasks (${p.maxParallelism} key groups)`;
}
