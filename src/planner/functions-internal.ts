/**
 * Functions only the planner writes (no SQL name reaches them):
 * - `multiset_of_count(n)`: a MULTISET<INT> holding the element 1 n times (none when n <= 0 or
 *   NULL). INTERSECT ALL and EXCEPT ALL unnest it to repeat a row as many times as the bag
 *   semantics keep it (bind-query.ts), as Flink's ReplicateRows does.
 */
import type { SqlType } from '../common/types.js';
import { isInteger, T } from '../common/types.js';

type Resolution = { readonly args: readonly SqlType[]; readonly returns: SqlType } | string;

const multisetOfCount = (args: readonly SqlType[]): Resolution =>
  (args.length === 1 && isInteger(args[0]!) ? { args: [T.BIGINT], returns: T.multiset(T.INT) } : 'expects one integer');

export const INTERNAL_SIGNATURES = { multiset_of_count: multisetOfCount } as const;
