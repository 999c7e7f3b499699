/**
 * Calls of user-defined aggregate functions (UDAFs: CREATE FUNCTION modules whose export has kind
 * 'aggregate', engine.registerAggregateFunction).
 *
 * Which calls are aggregates: the catalog says for a function whose module is imported (a query
 * that is about to run imports its modules before it is bound, so the kind is always known then).
 * EXPLAIN never imports user code, so a CREATE FUNCTION module not imported yet has an unknown kind;
 * the rule is: in a query with GROUP BY it is taken as an aggregate where it is called outside the
 * argument of another aggregate, and as a scalar function elsewhere (EXPLAIN's note says its kind is
 * assumed). Inside LATERAL TABLE(…) a call is a table function.
 *
 * A UDAF call is an AggregateCall of fn 'udaf' whose `arg` is a 'udf' node holding the function's
 * name and its arguments: the plan's rewrites (pruning, substitution, folding) treat its arguments as
 * any call's, and the executor (js-accumulator.ts) evaluates them and calls the function's methods.
 */
import { WeirError } from '../../common/errors.js';
import { T } from '../../common/types.js';
import type { CallExpr } from '../../parser/ast.js';
import type { AggregateCall } from '../logical/plan.js';
import type { BoundExpr } from '../expr.js';
import type { UserAggregateTest } from './ast-walk.js';
import type { ExprContext } from './bind-expr.js';
import { bindExpr, requireBoolean } from './bind-expr.js';

/** A CREATE FUNCTION module not imported yet: its kind is unknown. */
function isPendingModule(f: { readonly returns: unknown; readonly functionKind?: unknown; readonly path?: string }): boolean {
  return f.returns === undefined && f.functionKind === undefined && f.path !== undefined;
}

export function userAggregateTest(ctx: ExprContext): UserAggregateTest {
  const pending = ctx.pendingAsAggregate === true && !ctx.inAggregate;
  return (name) => {
    const f = ctx.catalog.getFunction(name);
    if (f === undefined) return false;
    return f.functionKind === 'aggregate' || (pending && isPendingModule(f));
  };
}

/** `wavg(price, qty) FILTER (WHERE …)` as an aggregate call. */
export function bindUserAggregate(call: CallExpr, argCtx: ExprContext): AggregateCall {
  const f = argCtx.catalog.getFunction(call.name.value)!;
  const name = call.name.value.toUpperCase();
  if (call.star) throw new WeirError('TYPE', `${name}(*) is not allowed: '*' is only an argument of COUNT`, call.span);
  if (call.distinct) throw new WeirError('UNSUPPORTED', `DISTINCT in a user-defined aggregate (${name}) is not supported yet`, call.span);
  const args: BoundExpr[] = call.args.map((a) => bindExpr(a, argCtx));
  const filter = call.filter
    ? requireBoolean(bindExpr(call.filter, { ...argCtx, clause: 'FILTER (WHERE ...)' }), 'the FILTER condition', call.filter.span)
    : undefined;
  // a module not imported yet (EXPLAIN): the result type is unknown until run, bound as untyped
  const type = f.returns ?? T.NULL;
  const arg: BoundExpr = { kind: 'udf', name: f.name, args, type, span: call.span };
  return { fn: 'udaf', arg, distinct: false, filter, type, span: call.span };
}
