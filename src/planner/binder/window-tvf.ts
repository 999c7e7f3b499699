/**
 * Window table functions in FROM: `TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), size [, offset]))`, HOP,
 * CUMULATE and SESSION, with positional or named (`DATA =>`, `TIMECOL =>`, …) arguments; and the
 * checks they share with group windows (time column, constant interval sizes).
 */
import type { SourceSpan } from '../../common/errors.js';
import { WeirError } from '../../common/errors.js';
import { typeToString } from '../../common/types.js';
import type { Expr, TableFunctionArg, TableFunctionRef } from '../../parser/ast.js';
import type { Catalog } from '../catalog.js';
import type { BoundExpr, ColumnRef } from '../expr.js';
import { exprType } from '../expr.js';
import type { LogicalPlan, WindowSpec } from '../logical/plan.js';
import { windowTvf } from '../logical/plan.js';
import { foldExpr } from '../rules/fold.js';
import type { BoundRelation } from './bind-from.js';
import { bindNamedRelation } from './bind-from.js';
import { bindExpr } from './bind-expr.js';
import { bindQueryNode } from './bind-query.js';
import type { QueryEnv } from './context.js';
import { lastPart } from './names.js';
import { Scope } from './scope.js';

type TvfKind = 'TUMBLE' | 'HOP' | 'CUMULATE' | 'SESSION';

const PARAMS: Readonly<Record<TvfKind, readonly string[]>> = {
  TUMBLE: ['DATA', 'TIMECOL', 'SIZE', 'OFFSET'],
  HOP: ['DATA', 'TIMECOL', 'SLIDE', 'SIZE', 'OFFSET'],
  CUMULATE: ['DATA', 'TIMECOL', 'STEP', 'SIZE', 'OFFSET'],
  SESSION: ['DATA', 'TIMECOL', 'GAP'],
};

/** Milliseconds as the user would write them, for messages. */
export function showMs(ms: number): string {
  for (const [unit, n] of [['DAY', 86_400_000], ['HOUR', 3_600_000], ['MINUTE', 60_000], ['SECOND', 1000]] as const) {
    if (ms % n === 0 && ms !== 0) return `INTERVAL '${ms / n}' ${unit}`;
  }
  return `INTERVAL '${ms}' MILLISECOND`;
}

/** A time column for windows: a column of type TIMESTAMP(3) or TIMESTAMP_LTZ(3). */
export function checkTimeColumn(e: BoundExpr, owner: string, span: SourceSpan): ColumnRef {
  if (e.kind !== 'column') throw new WeirError('BIND', `the time attribute of ${owner} must be a column`, span);
  const t = exprType(e);
  if (t.kind !== 'TIMESTAMP' || t.precision !== 3) {
    throw new WeirError('TYPE', `the time attribute '${e.name}' of ${owner} must be TIMESTAMP(3) or TIMESTAMP_LTZ(3), got ${typeToString(t)}`, span);
  }
  return e;
}

/** The milliseconds of a constant INTERVAL expression (window sizes, slides, gaps, offsets). */
export function constantInterval(e: Expr, catalog: Catalog, what: string, positive: boolean): number {
  const b = foldExpr(bindExpr(e, { catalog, scope: Scope.empty(), clause: what }));
  const t = exprType(b);
  if (t.kind !== 'INTERVAL') throw new WeirError('TYPE', `${what} must be an INTERVAL, got ${typeToString(t)}`, e.span);
  if (b.kind !== 'literal' || typeof b.value !== 'number') throw new WeirError('TYPE', `${what} must be a constant INTERVAL`, e.span);
  if (positive && b.value <= 0) throw new WeirError('TYPE', `${what} must be a positive INTERVAL, got ${b.value} ms`, e.span);
  return b.value;
}

/** HOP and CUMULATE windows need the size to be a whole number of slides/steps (as Flink). */
export function checkMultiple(kind: string, size: number, part: number, partName: string, span: SourceSpan): void {
  if (size % part !== 0) {
    throw new WeirError('PLAN', `${kind} window size ${showMs(size)} must be an integral multiple of the ${partName} ${showMs(part)}`, span);
  }
}

function assignArgs(item: TableFunctionRef, kind: TvfKind): Map<string, TableFunctionArg> {
  const params = PARAMS[kind];
  const out = new Map<string, TableFunctionArg>();
  let named = false;
  item.args.forEach((a, i) => {
    let p: string;
    if (a.name) {
      named = true;
      p = a.name.value.toUpperCase();
      if (!params.includes(p)) {
        throw new WeirError('BIND', `${kind} has no parameter '${a.name.value}'; its parameters are ${params.join(', ')}`, a.name.span);
      }
    } else {
      if (named) throw new WeirError('BIND', `a positional argument cannot follow named arguments in ${kind}`, a.span);
      if (i >= params.length) throw new WeirError('BIND', `${kind} takes at most ${params.length} arguments, got ${item.args.length}`, a.span);
      p = params[i]!;
    }
    if (out.has(p)) throw new WeirError('BIND', `${kind} argument ${p} is given twice`, a.span);
    out.set(p, a);
  });
  for (const p of params) {
    if (p !== 'OFFSET' && !out.has(p)) throw new WeirError('BIND', `${kind} is missing its ${p} argument`, item.span);
  }
  return out;
}

export function bindWindowTvf(item: TableFunctionRef, env: QueryEnv): BoundRelation {
  const kind = item.name.value.toUpperCase();
  if (!(kind in PARAMS)) throw new WeirError('BIND', `table function '${item.name.value}' not found; window functions are TUMBLE, HOP, CUMULATE and SESSION`, item.name.span);
  const k = kind as TvfKind;
  const args = assignArgs(item, k);

  const dataArg = args.get('DATA')!;
  if (dataArg.kind !== 'tableArg') throw new WeirError('BIND', `the DATA argument of ${k} must be TABLE name or a subquery`, dataArg.span);
  let data: LogicalPlan;
  let dataName: string | undefined;
  if (dataArg.table) {
    data = bindNamedRelation(dataArg.table, env);
    dataName = lastPart(dataArg.table).value;
  } else {
    data = bindQueryNode(dataArg.query!, env).plan;
  }
  const scope = Scope.single(dataName, data.schema.columns);
  if (dataArg.partitionBy.length > 0 && k !== 'SESSION') {
    throw new WeirError('BIND', `PARTITION BY is only allowed in SESSION windows, not in ${k}`, dataArg.partitionBy[0]!.span);
  }

  const timeArg = args.get('TIMECOL')!;
  if (timeArg.kind !== 'descriptorArg') throw new WeirError('BIND', `the TIMECOL argument of ${k} must be DESCRIPTOR(column)`, timeArg.span);
  if (timeArg.columns.length !== 1) throw new WeirError('BIND', `DESCRIPTOR of ${k} must name exactly one time column`, timeArg.span);
  const timeCol = checkTimeColumn(scope.resolve([timeArg.columns[0]!]), k, timeArg.columns[0]!.span);

  const interval = (p: string, positive: boolean): number => {
    const a = args.get(p)!;
    if (a.kind !== 'exprArg') throw new WeirError('BIND', `the ${p} argument of ${k} must be an INTERVAL`, a.span);
    return constantInterval(a.expr, env.catalog, `the ${p} of ${k}`, positive);
  };
  const offset = args.has('OFFSET') ? interval('OFFSET', false) : 0;
  let spec: WindowSpec;
  switch (k) {
    case 'TUMBLE':
      spec = { kind: 'tumble', sizeMs: interval('SIZE', true), offsetMs: offset };
      break;
    case 'HOP': {
      const slideMs = interval('SLIDE', true);
      const sizeMs = interval('SIZE', true);
      checkMultiple('HOP', sizeMs, slideMs, 'slide', item.span);
      spec = { kind: 'hop', slideMs, sizeMs, offsetMs: offset };
      break;
    }
    case 'CUMULATE': {
      const stepMs = interval('STEP', true);
      const sizeMs = interval('SIZE', true);
      checkMultiple('CUMULATE', sizeMs, stepMs, 'step', item.span);
      spec = { kind: 'cumulate', stepMs, sizeMs, offsetMs: offset };
      break;
    }
    case 'SESSION': {
      const partitionBy = dataArg.partitionBy.map((e) => bindExpr(e, { catalog: env.catalog, scope, clause: 'PARTITION BY' }));
      spec = { kind: 'session', gapMs: interval('GAP', true), partitionBy };
      break;
    }
  }
  const plan = windowTvf(data, spec, timeCol.index, item.span);
  return { plan, scope: Scope.single(item.alias?.value, plan.schema.columns) };
}
