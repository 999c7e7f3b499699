/**
 * Walks over AST expressions: which calls are aggregates, group windows (`TUMBLE(ts, …)` in GROUP BY)
 * or group-window properties (`TUMBLE_START(…)`), and whether an expression contains any of them.
 */
import type { Expr } from '../../parser/ast.js';
import { assertNever } from '../../common/errors.js';
import { SQL_AGGREGATE_NAMES } from '../functions.js';

/** Sub-expressions of `e`, not descending into subqueries (they have their own scope). */
export function astChildren(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'literal': case 'interval': case 'typedLiteral': case 'column': case 'exists': case 'scalarSubquery':
      return [];
    case 'binary': return [e.left, e.right];
    case 'unary': return [e.operand];
    case 'is': return [e.operand];
    case 'between': return [e.operand, e.low, e.high];
    case 'inList': return [e.operand, ...e.list];
    case 'inSubquery': return [e.operand];
    case 'like': return e.escape ? [e.operand, e.pattern, e.escape] : [e.operand, e.pattern];
    case 'case': {
      const out: Expr[] = e.operand ? [e.operand] : [];
      for (const w of e.whens) out.push(w.when, w.then);
      if (e.else) out.push(e.else);
      return out;
    }
    case 'cast': return [e.operand];
    case 'call': return e.filter ? [...e.args, e.filter] : e.args;
    case 'extract': return [e.operand];
    case 'fieldAccess': return [e.operand];
    default: return assertNever(e, 'expression');
  }
}

/** Whether a name is a user-defined aggregate function (a UDAF), by the catalog: see user-aggregates.ts. */
export type UserAggregateTest = (name: string) => boolean;

export function isAggregateCall(e: Expr, user?: UserAggregateTest): boolean {
  return e.kind === 'call' && e.over === undefined
    && (SQL_AGGREGATE_NAMES[e.name.value.toUpperCase()] !== undefined || (user !== undefined && user(e.name.value)));
}

export type GroupWindowKind = 'TUMBLE' | 'HOP' | 'SESSION';
const GROUP_WINDOWS: readonly GroupWindowKind[] = ['TUMBLE', 'HOP', 'SESSION'];

/** `TUMBLE(ts, INTERVAL …)`, `HOP(…)`, `SESSION(…)` written as a call (a group window in GROUP BY). */
export function groupWindowKind(e: Expr): GroupWindowKind | undefined {
  if (e.kind !== 'call' || e.over) return undefined;
  const n = e.name.value.toUpperCase();
  return (GROUP_WINDOWS as readonly string[]).includes(n) ? (n as GroupWindowKind) : undefined;
}

export interface WindowProperty {
  readonly window: GroupWindowKind;
  readonly property: 'START' | 'END' | 'ROWTIME' | 'PROCTIME';
}

/** `TUMBLE_START(…)`, `HOP_END(…)`, `SESSION_ROWTIME(…)`, … */
export function windowProperty(e: Expr): WindowProperty | undefined {
  if (e.kind !== 'call' || e.over) return undefined;
  const m = /^(TUMBLE|HOP|SESSION)_(START|END|ROWTIME|PROCTIME)$/.exec(e.name.value.toUpperCase());
  return m ? { window: m[1] as GroupWindowKind, property: m[2] as WindowProperty['property'] } : undefined;
}

/** Whether evaluating `e` needs the aggregate's output (an aggregate call or a window property). */
/** Whether `e` is GROUPING(...) or GROUPING_ID(...) (grouping-sets.ts). */
export function isGroupingCall(e: Expr): e is Extract<Expr, { kind: 'call' }> {
  if (e.kind !== 'call' || e.over !== undefined) return false;
  const n = e.name.value.toUpperCase();
  return n === 'GROUPING' || n === 'GROUPING_ID';
}

export function needsAggregate(e: Expr, user?: UserAggregateTest): boolean {
  if (isAggregateCall(e, user) || windowProperty(e) || isGroupingCall(e)) return true;
  return astChildren(e).some((x) => needsAggregate(x, user));
}

export function containsAggregate(e: Expr, user?: UserAggregateTest): boolean {
  if (isAggregateCall(e, user)) return true;
  return astChildren(e).some((x) => containsAggregate(x, user));
}
