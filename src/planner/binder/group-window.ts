/**
 * Group windows: `GROUP BY TUMBLE(ts, size)`, `HOP(ts, slide, size)`, `SESSION(ts, gap)` (Flink's
 * legacy syntax). The binder rewrites them into a window TVF below the aggregate with the window's
 * bounds as grouping keys, which is what the window TVF syntax means too.
 */
import { WeirError } from '../../common/errors.js';
import type { CallExpr } from '../../parser/ast.js';
import type { BoundExpr } from '../expr.js';
import type { WindowSpec } from '../logical/plan.js';
import { exprKey } from '../expr-key.js';
import type { GroupWindowKind } from './ast-walk.js';
import type { ExprContext } from './bind-expr.js';
import { bindExpr } from './bind-expr.js';
import { checkMultiple, checkTimeColumn, constantInterval } from './window-tvf.js';

export interface GroupWindow {
  readonly kind: GroupWindowKind;
  readonly call: CallExpr;
  readonly timeColumn: number;
  /** the window without SESSION partition keys (those are the other GROUP BY keys) */
  readonly spec: WindowSpec;
  /** identity of the arguments, to check that TUMBLE_START(...) names the same window */
  readonly argsKey: string;
}

const ARITY: Readonly<Record<GroupWindowKind, number>> = { TUMBLE: 2, HOP: 3, SESSION: 2 };
const USAGE: Readonly<Record<GroupWindowKind, string>> = {
  TUMBLE: 'TUMBLE(time_attr, size)', HOP: 'HOP(time_attr, slide, size)', SESSION: 'SESSION(time_attr, gap)',
};

export function argsKeyOf(call: CallExpr, ctx: ExprContext): string {
  return call.args.map((a) => exprKey(bindExpr(a, { ...ctx, agg: undefined }))).join('|');
}

export function bindGroupWindow(call: CallExpr, kind: GroupWindowKind, ctx: ExprContext): GroupWindow {
  if (call.args.length !== ARITY[kind]) {
    throw new WeirError('TYPE', `${kind} expects ${ARITY[kind]} arguments: ${USAGE[kind]}, got ${call.args.length}`, call.span);
  }
  const time: BoundExpr = bindExpr(call.args[0]!, ctx);
  const timeColumn = checkTimeColumn(time, kind, call.args[0]!.span).index;
  const iv = (i: number, what: string): number => constantInterval(call.args[i]!, ctx.catalog, `the ${what} of ${kind}`, true);
  let spec: WindowSpec;
  switch (kind) {
    case 'TUMBLE':
      spec = { kind: 'tumble', sizeMs: iv(1, 'size'), offsetMs: 0 };
      break;
    case 'HOP': {
      const slideMs = iv(1, 'slide');
      const sizeMs = iv(2, 'size');
      checkMultiple('HOP', sizeMs, slideMs, 'slide', call.span);
      spec = { kind: 'hop', slideMs, sizeMs, offsetMs: 0 };
      break;
    }
    case 'SESSION':
      spec = { kind: 'session', gapMs: iv(1, 'gap'), partitionBy: [] };
      break;
  }
  return { kind, call, timeColumn, spec, argsKey: argsKeyOf(call, ctx) };
}
