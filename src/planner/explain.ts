/**
 * EXPLAIN: the logical plan and, when given, the streaming plan, one line per node in an indented
 * tree. The text is stable (golden tests compare it) and says what each node computes.
 */
import type { BoundExpr } from './expr.js';
import { exprToString } from './expr.js';
import type { AggregateCall, LogicalPlan, OverFrame, RankFunction, RankOrderKey, WindowSpec } from './logical/plan.js';
import { children } from './logical/plan.js';
import type { PhysicalNode, StreamingPlan } from './incremental/physical.js';
import { physicalChildren } from './incremental/physical.js';
import { stateTtlText } from './incremental/state-ttl.js';
import { exchangeText, inputExchange, type Parallelism } from './incremental/exchanges.js';
import { isUnnest, withOrdinality } from './logical/unnest.js';

/** `INTERVAL '10' SECOND`, in the largest unit that divides the milliseconds. */
export function intervalText(ms: number): string {
  for (const [unit, n] of [['DAY', 86_400_000], ['HOUR', 3_600_000], ['MINUTE', 60_000], ['SECOND', 1000]] as const) {
    if (ms !== 0 && ms % n === 0) return `INTERVAL '${ms / n}' ${unit}`;
  }
  return `INTERVAL '${ms}' MILLISECOND`;
}

export function windowText(w: WindowSpec): string {
  const offset = 'offsetMs' in w && w.offsetMs !== 0 ? `, offset=${intervalText(w.offsetMs)}` : '';
  switch (w.kind) {
    case 'tumble': return `TUMBLE(size=${intervalText(w.sizeMs)}${offset})`;
    case 'hop': return `HOP(slide=${intervalText(w.slideMs)}, size=${intervalText(w.sizeMs)}${offset})`;
    case 'cumulate': return `CUMULATE(step=${intervalText(w.stepMs)}, size=${intervalText(w.sizeMs)}${offset})`;
    case 'session': {
      const by = w.partitionBy.length > 0 ? `, partitionBy=[${w.partitionBy.map(exprToString).join(', ')}]` : '';
      return `SESSION(gap=${intervalText(w.gapMs)}${by})`;
    }
  }
}

export function aggCallText(a: AggregateCall): string {
  // a UDAF: its arg is the call itself (binder/user-aggregates.ts)
  if (a.fn === 'udaf' && a.arg) return `${exprToString(a.arg)}${a.filter ? ` FILTER (WHERE ${exprToString(a.filter)})` : ''}`;
  const arg = a.fn === 'count_star' ? '*' : `${a.distinct ? 'DISTINCT ' : ''}${a.arg ? exprToString(a.arg) : ''}`;
  const fn = a.fn === 'count_star' ? 'count' : a.fn;
  const sep = a.separator === undefined ? '' : `, '${a.separator.replaceAll("'", "''")}'`;
  return `${fn}(${arg}${sep})${a.filter ? ` FILTER (WHERE ${exprToString(a.filter)})` : ''}`;
}

/** `partition=[auction#0], order=[price#2 DESC], rows<=10, rank=output`: what a Top-N keeps. */
export function topNText(n: {
  readonly partitionBy: readonly BoundExpr[]; readonly orderBy: readonly RankOrderKey[];
  readonly rankStart: number; readonly rankEnd: number; readonly outputRank: boolean; readonly rankFunction: RankFunction;
}): string {
  const order = n.orderBy.map((k) => {
    // NULLS only when it is not the default for the direction (first for ASC, last for DESC)
    const nulls = k.nullsFirst === !k.descending ? '' : k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST';
    return `${exprToString(k.expr)} ${k.descending ? 'DESC' : 'ASC'}${nulls}`;
  });
  const rowsText = n.rankStart === 1 ? `rows<=${n.rankEnd}` : `rows=${n.rankStart}..${n.rankEnd}`;
  // ROW_NUMBER goes unnamed (the lines golden tests already hold)
  const fn = n.rankFunction === 'ROW_NUMBER' ? '' : `, function=${n.rankFunction}`;
  const rows = n.rankFunction === 'ROW_NUMBER' ? rowsText : rowsText.replace('rows', 'ranks');
  return `partition=[${n.partitionBy.map(exprToString).join(', ')}], order=[${order.join(', ')}], ${rows}, rank=${n.outputRank ? 'output' : 'hidden'}${fn}`;
}

/** `partition=[seller#1], order=dateTime#3, ROWS 10 PRECEDING, aggs=[avg(price#2)]`: an OVER window and its calls. */
export function overAggregateText(n: {
  readonly input: { readonly schema: { readonly columns: readonly { readonly name: string }[] } };
  readonly partitionBy: readonly BoundExpr[]; readonly timeColumn: number; readonly frame: OverFrame;
  readonly calls: readonly AggregateCall[]; readonly sort: boolean;
}): string {
  const order = `${n.input.schema.columns[n.timeColumn]!.name}#${n.timeColumn}`;
  if (n.sort) return `order=${order} ASC`;
  const f = n.frame;
  const frame = f.preceding === Infinity ? `${f.unit} UNBOUNDED PRECEDING`
    : f.unit === 'ROWS' ? `ROWS ${f.preceding} PRECEDING` : `RANGE ${intervalText(f.preceding)} PRECEDING`;
  return `partition=[${n.partitionBy.map(exprToString).join(', ')}], order=${order}, ${frame}, aggs=[${n.calls.map(aggCallText).join(', ')}]`;
}

const named = (names: readonly string[], exprs: readonly BoundExpr[]): string =>
  exprs.map((e, i) => (e.kind === 'column' && e.name === names[i] ? exprToString(e) : `${names[i]}=${exprToString(e)}`)).join(', ');

function logicalLine(p: LogicalPlan): string {
  switch (p.kind) {
    case 'scan': return `Scan(${p.table.name}, columns=[${p.schema.columns.map((c) => c.name).join(', ')}])`;
    case 'watermarkAssigner':
      return `WatermarkAssigner(${p.tableName}, rowtime=${p.schema.columns[p.column]!.name}#${p.column}, watermark=${exprToString(p.expr)})`;
    case 'project': return `Project(${named(p.names, p.exprs)})`;
    case 'filter': return `Filter(${exprToString(p.predicate)})`;
    case 'aggregate': {
      const w = p.window ? `, window=[${p.keyNames[p.window.startKey]}, ${p.keyNames[p.window.endKey]}]` : '';
      return `Aggregate(keys=[${named(p.keyNames, p.groupBy)}], aggs=[${p.aggregates.map((a, i) => `${p.aggNames[i]}=${aggCallText(a)}`).join(', ')}]${w})`;
    }
    case 'union': return `Union(${p.inputs.length} inputs)`;
    case 'windowTvf': return `WindowTvf(${windowText(p.window)}, time=${p.input.schema.columns[p.timeColumn]!.name}#${p.timeColumn})`;
    case 'join': return `Join(${p.joinType}${p.condition ? `, on=${exprToString(p.condition)}` : ''})`;
    case 'lookupJoin': return `LookupJoin(${p.joinType}, table=${p.table.name}, on=${exprToString(p.condition)})`;
    case 'temporalJoin': {
      const lt = p.left.schema.columns[p.leftTime]!.name, rt = p.right.schema.columns[p.rightTime]!.name;
      return `TemporalJoin(${p.joinType}, table=${p.tableName}, as of=${lt}#${p.leftTime}, version=${rt}#${p.rightTime}, on=${exprToString(p.condition)})`;
    }
    case 'rank': return `TopN(${topNText(p)})`;
    case 'correlate':
      if (isUnnest(p.fn)) return unnestText(p.joinType, p.fn, p.args, p.columns.map((c) => c.name));
      return `Correlate(${p.joinType}, ${p.fn}(${p.args.map(exprToString).join(', ')}), columns=[${p.columns.map((c) => c.name).join(', ')}])`;
    case 'over': return `${p.sort ? 'Sort' : 'OverAggregate'}(${overAggregateText(p)})`;
    case 'processCall': return `ProcessFunction(${processCallText(p.fn, p.input, p.partitionBy, p.args, p.timeColumn, p.columns, p.rowtime, p.tables)})`;
    case 'semiJoin': return `${p.anti ? 'AntiJoin' : 'SemiJoin'}(${p.condition ? `on=${exprToString(p.condition)}` : 'on=TRUE'})`;
    case 'singleRow': return 'SingleRow';
  }
}

/** `keys=[a#0 = b#0], residual=…, left expires=…, left late=ts#3`: a join's plan, side-local column numbers. */
function joinText(n: Extract<PhysicalNode, { kind: 'join' | 'semiJoin' }>): string {
  const parts = [n.kind === 'join' ? n.joinType : n.anti ? 'anti' : 'semi', `keys=[${n.leftKeys.map((k, i) => `${exprToString(k)} = ${exprToString(n.rightKeys[i]!)}`).join(', ')}]`];
  if (n.residual) parts.push(`residual=${exprToString(n.residual)}`);
  for (const [side, b] of [['left', n.leftBound], ['right', n.rightBound]] as const) {
    if (!b) continue;
    const cols = (side === 'left' ? n.left : n.right).schema.columns;
    if (b.expiry.length > 0) parts.push(`${side} expires=${b.expiry.length === 1 ? exprToString(b.expiry[0]!) : `least(${b.expiry.map(exprToString).join(', ')})`}`);
    if (b.lateness.length > 0) parts.push(`${side} late=${b.lateness.map((l) => `${cols[l.column]!.name}#${l.column}${l.chained ? ' (previous watermark)' : ''}`).join(', ')}`);
  }
  return parts.join(', ');
}

/** One line describing a streaming-plan node (without its children). */
export function physicalLine(n: PhysicalNode): string {
  const names = n.schema.columns.map((c) => c.name);
  switch (n.kind) {
    case 'source': return `Source(${n.table.name}, columns=[${names.join(', ')}]) [source ${n.sourceIndex}]`;
    case 'watermark':
      return `Watermark(source ${n.sourceIndex}, rowtime=${names[n.column]}#${n.column}, watermark=${exprToString(n.expr)})`;
    case 'project': return `Project(${named(names, n.exprs)})`;
    case 'filter': return `Filter(${exprToString(n.predicate)})`;
    case 'union': return `Union(${n.inputs.length} inputs)`;
    case 'aggregate': {
      const keys = named(names.slice(0, n.groupBy.length), n.groupBy);
      const aggs = n.aggregates.map((a, i) => `${names[n.groupBy.length + i]}=${aggCallText(a)}`).join(', ');
      const ttl = n.stateTtlMs !== undefined ? `, state ttl ${stateTtlText(n.stateTtlMs)}` : '';
      return `Aggregate(keys=[${keys}], aggs=[${aggs}], mode=${n.mode}${ttl}) [operator ${n.operatorId}]`;
    }
    case 'windowAggregate': {
      const keys = n.keyLayout.map((k, i) => (k.kind === 'key' ? named([names[i]!], [n.groupBy[k.index]!]) : `${names[i]}=${k.kind}`)).join(', ');
      const aggs = n.aggregates.map((a, i) => `${names[n.keyLayout.length + i]}=${aggCallText(a)}`).join(', ');
      const cols = n.input.schema.columns;
      const wc = n.windowColumns;
      const over = wc ? `windows=[${cols[wc.start]!.name}#${wc.start}, ${cols[wc.end]!.name}#${wc.end}]` : `time=${cols[n.timeColumn]!.name}#${n.timeColumn}`;
      return `WindowAggregate(${windowText(n.window)}, ${over}, keys=[${keys}], aggs=[${aggs}], mode=${n.mode}) [operator ${n.operatorId}]`;
    }
    case 'windowAssign':
      return `WindowAssign(${windowText(n.window)}, time=${n.input.schema.columns[n.timeColumn]!.name}#${n.timeColumn})`;
    case 'join': {
      const name = n.strategy === 'interval' ? 'IntervalJoin' : n.strategy === 'window' ? 'WindowJoin' : 'Join';
      const ttl = n.stateTtlMs !== undefined ? `, state ttl ${stateTtlText(n.stateTtlMs)}` : '';
      return `${name}(${joinText(n)}${n.appendOnly ? '' : ', retracting'}${ttl}) [operator ${n.operatorId}]`;
    }
    case 'semiJoin': {
      const name = `${n.strategy === 'interval' ? 'Interval' : n.strategy === 'window' ? 'Window' : ''}${n.anti ? 'AntiJoin' : 'SemiJoin'}`;
      return `${name}(${joinText(n)}${n.nullAware ? ', null-aware' : ''}${n.appendOnly ? '' : ', retracting'}) [operator ${n.operatorId}]`;
    }
    case 'singleRow': return `SingleRow(at most one row, subquery at ${n.span.line}:${n.span.column}) [operator ${n.operatorId}]`;
    case 'lookupJoin': {
      // table keys are over the lookup row (key#0 is the first loaded column of the table)
      const keys = n.probeKeys.map((k, i) => `${exprToString(k)} = ${exprToString(n.tableKeys[i]!)}`).join(', ');
      return `LookupJoin(${n.joinType}, table=${n.table.name}, keys=[${keys}]${n.residual ? `, residual=${exprToString(n.residual)}` : ''})`;
    }
    case 'temporalJoin': {
      // keys: left expressions = the versioned table's primary key (side-local column numbers)
      const keys = n.leftKeys.map((k, i) => `${exprToString(k)} = ${exprToString(n.rightKeys[i]!)}`).join(', ');
      const lt = n.input.schema.columns[n.leftTime]!.name, rt = n.versions.schema.columns[n.rightTime]!.name;
      return `TemporalJoin(${n.joinType}, table=${n.tableName}, keys=[${keys}]${n.residual ? `, residual=${exprToString(n.residual)}` : ''}, ` +
        `as of=${lt}#${n.leftTime}, version=${rt}#${n.rightTime}) [operator ${n.operatorId}]`;
    }
    case 'overAggregate': {
      // which form runs: rows released by the watermark (append), or frames recomputed over a retracting input (update)
      const form = n.form === 'watermark' ? 'emit=watermark, input=append-only'
        : n.form === 'processing' ? 'emit=arrival, input=append-only' : 'emit=recompute, input=retracting';
      return `${n.sort ? 'Sort' : 'OverAggregate'}(${overAggregateText(n)}, ${form}) [operator ${n.operatorId}]`;
    }
    case 'topN':
      if (n.windowEndKey !== undefined) {
        return `WindowTopN(${topNText(n)}, closes=${exprToString(n.partitionBy[n.windowEndKey]!)}${n.tiesToLatest ? ', ties=latest' : ''}) [operator ${n.operatorId}]`;
      }
      // what the state keeps: the top rows of an append-only input, every row of a retracting one
      return `TopN(${topNText(n)}, input=${n.input.appendOnly ? 'append-only' : 'retracting'}, mode=${n.mode === 'complete' ? 'complete' : n.appendOnly ? 'append' : 'update'}` +
        `${n.tiesToLatest ? ', ties=latest' : ''}${n.stateTtlMs !== undefined ? `, state ttl ${stateTtlText(n.stateTtlMs)}` : ''}) [operator ${n.operatorId}]`;
    case 'processFunction':
      return `ProcessFunction(${processCallText(n.fn, n.input, n.partitionBy, n.args, n.timeColumn, n.columns, n.rowtime, n.tables)}, emit=append) [operator ${n.operatorId}]`;
    case 'correlate': {
      if (isUnnest(n.fn)) return unnestText(n.joinType, n.fn, n.args, names.slice(n.input.schema.columns.length));
      const cols = names.slice(n.input.schema.columns.length).join(', ');
      return `Correlate(${n.joinType}, ${n.fn}(${n.args.map(exprToString).join(', ')}), columns=[${cols}])`;
    }
  }
}

/**
 * `f(partitionBy=[card#0], args=[3], time=ts#2, columns=[alert, n])`: a process function call;
 * `f(rowSemantics, …)` without PARTITION BY; `f(tables=[orders, payments], partitionBy=[id#1], …)`
 * over several tables (their union's columns).
 */
export function processCallText(fn: string, input: { readonly schema: LogicalPlan['schema'] }, partitionBy: readonly number[], args: readonly BoundExpr[],
  timeColumn: number | undefined, columns: readonly { readonly name: string }[], rowtime: boolean,
  tables?: { readonly inputs: readonly { readonly name: string }[] }): string {
  const col = (i: number): string => `${input.schema.columns[i]!.name}#${i}`;
  const parts = tables ? [`tables=[${tables.inputs.map((t) => t.name).join(', ')}]`] : [];
  parts.push(partitionBy.length === 0 ? 'rowSemantics' : `partitionBy=[${partitionBy.map(col).join(', ')}]`);
  if (args.length > 0) parts.push(`args=[${args.map(exprToString).join(', ')}]`);
  if (timeColumn !== undefined) parts.push(`time=${col(timeColumn)}`);
  parts.push(`columns=[${[...columns.map((c) => c.name), ...(rowtime ? ['rowtime'] : [])].join(', ')}]`);
  return `${fn}(${parts.join(', ')})`;
}

/** `Unnest(inner, tags#1 WITH ORDINALITY, columns=[tag, n])`: UNNEST's Correlate (logical/unnest.ts). */
function unnestText(joinType: string, fn: string, args: readonly BoundExpr[], columns: readonly string[]): string {
  return `Unnest(${joinType}, ${args.map(exprToString).join(', ')}${withOrdinality(fn) ? ' WITH ORDINALITY' : ''}, columns=[${columns.join(', ')}])`;
}

function tree<N>(root: N, line: (n: N) => string, kids: (n: N) => readonly N[]): string[] {
  const out: string[] = [];
  const walk = (n: N, depth: number): void => {
    out.push(`${'  '.repeat(depth)}${line(n)}`);
    for (const k of kids(n)) walk(k, depth + 1);
  };
  walk(root, 0);
  return out;
}

export function explainLogical(plan: LogicalPlan): string {
  return tree(plan, logicalLine, children).join('\n');
}

/** The streaming plan's lines with an `Exchange` line above each input a parallel query exchanges. */
function parallelTree(streaming: StreamingPlan, p: Parallelism): string[] {
  const out: string[] = [];
  const walk = (n: PhysicalNode, depth: number): void => {
    out.push(`${'  '.repeat(depth)}${physicalLine(n)}`);
    physicalChildren(n).forEach((k, i) => {
      const e = inputExchange(n, i, streaming.properties);
      if (e) out.push(`${'  '.repeat(depth + 1)}${exchangeText(e, p)}`);
      walk(k, depth + (e ? 2 : 1));
    });
  };
  walk(streaming.root, 0);
  return out;
}

export function explain(plan: LogicalPlan, streaming?: StreamingPlan, parallelism?: Parallelism): string {
  const lines = ['== Logical Plan ==', ...tree(plan, logicalLine, children)];
  if (streaming) {
    const streamingLines = parallelism && parallelism.tasks > 1 ? parallelTree(streaming, parallelism) : tree(streaming.root, physicalLine, physicalChildren);
    lines.push(`== Streaming Plan (output mode: ${streaming.mode}) ==`, ...streamingLines);
    if (streaming.keyColumns.length > 0) {
      lines.push(`keys: [${streaming.keyColumns.map((i) => streaming.root.schema.columns[i]!.name).join(', ')}]`);
    }
  }
  return lines.join('\n');
}
