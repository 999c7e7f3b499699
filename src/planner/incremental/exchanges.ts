/**
 * Where a parallel plan exchanges rows between tasks: on each input of a node whose distribution
 * (properties.ts) is `hash` (rows cut by the key group of that input's keys) or `single` (every row
 * to the first task). Stateless nodes (`any`) run in the task their rows are in.
 *
 * No exchange goes where the input is spread by the same keys already: a Top-N partitioned by a
 * join's key over that join's output (Nexmark q9), or a join on an aggregation's group key, whose
 * rows were made in the task owning their key (properties.ts `partitionedBy`, followed through
 * filters, projections and table functions). Where that is not known (a session window's output, a
 * key computed rather than a column, a key a user's function computes) the exchange goes in.
 */
import { exprToString, type BoundExpr } from '../expr.js';
import { physicalChildren, type PhysicalNode } from './physical.js';
import type { PlanProperties } from './properties.js';

export type Exchange =
  | { readonly kind: 'hash'; readonly keys: readonly BoundExpr[] }
  | { readonly kind: 'single' };

/** The parallelism a query runs at: `tasks` tasks over `maxParallelism` key groups. */
export interface Parallelism {
  readonly tasks: number;
  readonly maxParallelism: number;
}

/** The keys rows of input `i` of `node` are placed by (a keyed node's own, whether or not an exchange moves them); undefined when not keyed. */
export function inputKeys(node: PhysicalNode, i: number, properties: PlanProperties): readonly BoundExpr[] | undefined {
  const d = properties.of(node).distribution;
  return d.kind === 'hash' ? d.keys[i] ?? d.keys[0]! : undefined;
}

/** The exchange on input `i` of `node`, if any: none where the input is spread by the same key columns already. */
export function inputExchange(node: PhysicalNode, i: number, properties: PlanProperties): Exchange | undefined {
  const d = properties.of(node).distribution;
  switch (d.kind) {
    case 'any': return undefined;
    case 'single': return { kind: 'single' };
    case 'hash': {
      const keys = inputKeys(node, i, properties)!;
      const spread = properties.of(physicalChildren(node)[i]!).partitionedBy;
      const same = spread !== undefined && spread.length === keys.length && keys.every((k, j) => k.kind === 'column' && k.index === spread[j]);
      return same ? undefined : { kind: 'hash', keys };
    }
  }
}

/** `Exchange hash(auction) → 2 tasks`: the EXPLAIN line of an exchange. */
export function exchangeText(e: Exchange, p: Parallelism): string {
  return e.kind === 'single'
    ? 'Exchange single → 1 task'
    : `Exchange hash(${e.keys.map(exprToString).join(', ')}) → ${p.tasks} tasks (${p.maxParallelism} key groups)`;
}
