/**
 * Incremental planning: the optimized logical plan → the streaming (physical) plan the executor runs.
 *
 * Each logical node maps to one physical node, except that a window TVF under an aggregate grouped
 * by its window bounds becomes one WindowAggregateNode, and identical sub-plans (q5 computes the same
 * HOP aggregation on both sides of its join) become one node with several parents. Sources and stateful operators are numbered
 * in a deterministic post-order walk (children left to right, then the node), so the same query
 * always gives its state the same operator ids across restarts.
 */
import type { SourceSpan } from '../../common/errors.js';
import { InternalError, WeirError } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import { T } from '../../common/types.js';
import { exprType, isDeterministic, type BoundExpr } from '../expr.js';
import type { Aggregate, LogicalPlan } from '../logical/plan.js';
import { children } from '../logical/plan.js';
import { conjunction } from '../rules/filter-pushdown.js';
import { planKey } from '../expr-key.js';
import { physicalLine } from '../explain.js';
import type { AggregationInfo } from './output-mode-check.js';
import { chooseOutputMode } from './output-mode-check.js';
import type { OutputModeName } from './output-mode.js';
import type { PhysicalKind, PhysicalNode, SourceNode, StreamingPlan } from './physical.js';
import { physicalChildren } from './physical.js';
import { planProperties, type PlanProperties } from './properties.js';
import type { WindowAggregateMatch } from './window-match.js';
import { matchWindowAggregate } from './window-match.js';
import { joinRetracts, planJoin } from './plan-join.js';
import { planLookupJoin } from './plan-lookup-join.js';
import { planTemporalJoin } from './plan-temporal-join.js';
import { planTopN, topNKeyColumns, topNUpdates } from './plan-top-n.js';
import { planOver, planUpdates } from './plan-over.js';
import { planProcessCall } from './plan-process-call.js';
import { planSemiJoin, planSingleRow, semiJoinRetracts } from './plan-semi-join.js';

export interface PlanStreamingOptions {
  readonly mode?: OutputModeName;
  /** where the mode was asked for (SET 'output-mode' = ...), for the error when it cannot be honoured */
  readonly modeSpan?: SourceSpan;
  /** SET 'table.exec.state.ttl' in ms (state-ttl.ts); 0 or absent: state kept forever */
  readonly stateTtlMs?: number;
}

function aggregations(p: LogicalPlan, out: AggregationInfo[] = []): AggregationInfo[] {
  for (const c of children(p)) aggregations(c, out);
  if (p.kind === 'join' && joinRetracts(p)) out.push({ kind: 'retractingJoin', watermarked: false });
  if (p.kind === 'semiJoin' && semiJoinRetracts(p)) out.push({ kind: 'retractingJoin', watermarked: false });
  if (p.kind === 'rank' && topNUpdates(p)) out.push({ kind: 'topN', watermarked: false });
  if (p.kind === 'over' && planUpdates(p.input)) out.push({ kind: 'updatingOver', watermarked: false });
  if (p.kind === 'aggregate') {
    const m = matchWindowAggregate(p);
    // a processing-time window closes by the clock: it finalizes as an event-time one with a watermark does
    out.push(m ? { kind: 'windowAggregate', watermarked: m.domain !== undefined } : { kind: 'aggregate', watermarked: false });
  }
  return out;
}

class Builder {
  readonly sources: SourceNode[] = [];
  readonly stateful: { operatorId: number; kind: PhysicalKind; description: string }[] = [];
  /** physical nodes by the logical sub-plan they run: identical sub-plans run once (Flink's sub-plan reuse) */
  private readonly built = new Map<string, PhysicalNode>();

  constructor(private readonly mode: OutputModeName, readonly stateTtlMs = 0) {}

  register<N extends PhysicalNode & { operatorId: number }>(make: (id: number) => N): N {
    const node = make(this.stateful.length);
    this.stateful.push({ operatorId: node.operatorId, kind: node.kind, description: physicalLine(node) });
    return node;
  }

  /** The physical node of `p`, shared with an identical sub-plan built before: the plan is a DAG. */
  build(p: LogicalPlan): PhysicalNode {
    const key = planKey(p);
    const known = this.built.get(key);
    if (known) return known;
    const node = this.buildNew(p);
    this.built.set(key, node);
    return node;
  }

  private buildNew(p: LogicalPlan): PhysicalNode {
    switch (p.kind) {
      case 'scan': {
        const node: SourceNode = {
          kind: 'source', sourceIndex: this.sources.length, table: p.table, columns: p.columns, schema: p.schema, appendOnly: true,
          ...(p.requiredFields ? { requiredFields: p.requiredFields } : {}),
        };
        this.sources.push(node);
        return node;
      }
      case 'watermarkAssigner': {
        const input = this.build(p.input);
        return { kind: 'watermark', input, sourceIndex: soleSource(input).sourceIndex, column: p.column, expr: p.expr, schema: p.schema, appendOnly: input.appendOnly };
      }
      case 'project': {
        const input = this.build(p.input);
        return { kind: 'project', input, exprs: p.exprs, schema: p.schema, appendOnly: input.appendOnly };
      }
      case 'filter': {
        const input = this.build(p.input);
        return { kind: 'filter', input, predicate: p.predicate, schema: p.schema, appendOnly: input.appendOnly };
      }
      case 'union': {
        const inputs = p.inputs.map((i) => this.build(i));
        return { kind: 'union', inputs, schema: p.schema, appendOnly: inputs.every((i) => i.appendOnly) };
      }
      case 'windowTvf': {
        const input = this.build(p.input);
        return { kind: 'windowAssign', input, window: p.window, timeColumn: p.timeColumn, schema: p.schema, appendOnly: input.appendOnly };
      }
      case 'aggregate':
        return this.buildAggregate(p);
      case 'join':
        return planJoin(p, this);
      case 'lookupJoin':
        return planLookupJoin(p, (x) => this.build(x));
      case 'temporalJoin':
        return planTemporalJoin(p, this);
      case 'rank':
        return planTopN(p, this, this.mode);
      case 'correlate': {
        const input = this.build(p.input);
        return {
          kind: 'correlate', input, joinType: p.joinType, fn: p.fn, args: p.args, ...(p.span ? { span: p.span } : {}),
          schema: p.schema, appendOnly: input.appendOnly,
        };
      }
      case 'over':
        return planOver(p, this, this.mode);
      case 'processCall':
        return planProcessCall(p, this);
      case 'semiJoin':
        return planSemiJoin(p, this);
      case 'singleRow':
        return planSingleRow(p, this);
    }
  }

  private buildAggregate(p: Aggregate): PhysicalNode {
    const m = matchWindowAggregate(p);
    if (!m) {
      const { input, keys } = keysComputedOnce(this.build(p.input), p.groupBy);
      return this.register((operatorId) => ({
        kind: 'aggregate' as const, operatorId, input, groupBy: keys, aggregates: p.aggregates, mode: this.mode,
        schema: p.schema, appendOnly: false, ...(this.stateTtlMs > 0 ? { stateTtlMs: this.stateTtlMs } : {}),
      }));
    }
    let input = this.build(m.input);
    if (m.filters.length > 0) {
      input = { kind: 'filter', input, predicate: conjunction(m.filters), schema: input.schema, appendOnly: input.appendOnly };
    }
    const once = keysComputedOnce(input, m.groupBy);
    input = once.input;
    const appendOnly = this.mode === 'append' && input.appendOnly;
    const timeDomain = m.domain === 'processing' ? 'processing' as const : 'event' as const;
    const schema = withoutWindowTime(p.schema, m);
    const node = this.register((operatorId) => ({
      kind: 'windowAggregate' as const, operatorId, input, window: m.window, timeColumn: m.timeColumn,
      ...(m.windowColumns ? { windowColumns: m.windowColumns } : {}),
      groupBy: once.keys, aggregates: m.aggregates, keyLayout: m.keyLayout, mode: this.mode, schema, appendOnly, timeDomain,
    }));
    if (m.windowTimeKeys.length === 0) return node;
    // window_time keys: window_end - 1 ms, computed over the operator's output
    const endCol = m.keyLayout.findIndex((k) => k.kind === 'windowEnd');
    const end: BoundExpr = { kind: 'column', index: endCol, name: schema.columns[endCol]!.name, type: schema.columns[endCol]!.type };
    let next = 0;
    const exprs = p.schema.columns.map((c, i): BoundExpr => {
      if (m.windowTimeKeys.includes(i)) return { kind: 'call', fn: 'subtract', args: [end, { kind: 'literal', value: 1, type: T.INTERVAL }], type: c.type };
      const j = next++;
      return { kind: 'column', index: j, name: schema.columns[j]!.name, type: schema.columns[j]!.type };
    });
    return { kind: 'project', input: node, exprs, schema: p.schema, appendOnly };
  }
}

/** The name of a group key column keysComputedOnce adds (checkpoint-identity.ts reads the key it stands for). */
export const COMPUTED_KEY_PREFIX = '$key';

/**
 * Group keys that are not deterministic (RAND(), a function registered by the user, the clock)
 * computed once, as columns a projection appends to the input (whose columns keep their places). At
 * parallelism N the exchange below an aggregation and the aggregation each compute its keys: two
 * draws of RAND() could place a row by one value and group it by another, and the same group would
 * then come out of two tasks.
 */
function keysComputedOnce(input: PhysicalNode, keys: readonly BoundExpr[]): { input: PhysicalNode; keys: readonly BoundExpr[] } {
  if (keys.every(isDeterministic)) return { input, keys };
  const columns = [...input.schema.columns];
  const exprs: BoundExpr[] = columns.map((c, index) => ({ kind: 'column', index, name: c.name, type: c.type }));
  const out = keys.map((k, j): BoundExpr => {
    if (isDeterministic(k)) return k;
    const column = { name: `${COMPUTED_KEY_PREFIX}${j}`, type: exprType(k), nullable: true };
    const index = columns.length;
    columns.push(column);
    exprs.push(k);
    return { kind: 'column', index, name: column.name, type: column.type };
  });
  return { input: { kind: 'project', input, exprs, schema: { columns }, appendOnly: input.appendOnly }, keys: out };
}

/** The aggregate's output without its window_time keys: what the window operator itself produces. */
function withoutWindowTime(s: Schema, m: WindowAggregateMatch): Schema {
  return m.windowTimeKeys.length === 0 ? s : { columns: s.columns.filter((_, i) => !m.windowTimeKeys.includes(i)) };
}

/**
 * Complete mode re-sends the whole result of an aggregation every batch, as inserts: an aggregation
 * fed by another would count those rows again each batch. Refused, as Spark does.
 */
function checkChainedComplete(root: PhysicalNode, properties: PlanProperties, mode: OutputModeName, span: SourceSpan | undefined): void {
  if (mode !== 'complete') return;
  const walk = (n: PhysicalNode): void => {
    if (properties.of(n).restatesBelow && (n.kind === 'aggregate' || n.kind === 'windowAggregate')) {
      throw new WeirError('PLAN',
        'complete output mode is not supported for an aggregation fed by another aggregation: each batch would count ' +
        "the upstream's whole result again; use append or update", span);
    }
    if (properties.of(n).restatesBelow && n.kind === 'topN') {
      throw new WeirError('PLAN',
        'complete output mode is not supported for a Top-N fed by an aggregation or another Top-N: each batch would ' +
        "rank the upstream's whole result again, as new rows; use update", span);
    }
    physicalChildren(n).forEach(walk);
  };
  walk(root);
}

function soleSource(n: PhysicalNode): SourceNode {
  const found: SourceNode[] = [];
  const walk = (x: PhysicalNode): void => {
    if (x.kind === 'source') found.push(x);
    physicalChildren(x).forEach(walk);
  };
  walk(n);
  if (found.length !== 1) throw new InternalError(`a watermark assigner must sit over exactly one source, found ${found.length}`);
  return found[0]!;
}

/**
 * Where the grouping keys of the aggregate (or the upsert key of the Top-N, plan-top-n.ts) at the top
 * of the plan are in the result (through projections and filters): what identifies a row in update
 * and complete mode. Empty when there is no aggregate on top, or when a key is not in the result
 * (then rows cannot be told apart).
 */
function keyColumnsOf(p: LogicalPlan): number[] | undefined {
  switch (p.kind) {
    case 'aggregate': return p.groupBy.map((_, i) => i);
    case 'filter': return keyColumnsOf(p.input);
    case 'rank': return topNKeyColumns(p);
    case 'project': {
      const inner = keyColumnsOf(p.input);
      if (!inner) return undefined;
      const out = inner.map((k) => p.exprs.findIndex((e) => e.kind === 'column' && e.index === k));
      return out.every((i) => i >= 0) ? out : undefined;
    }
    default: return undefined;
  }
}

export function planStreaming(plan: LogicalPlan, options: PlanStreamingOptions = {}): StreamingPlan {
  const mode = chooseOutputMode(aggregations(plan), options.mode, options.modeSpan);
  const b = new Builder(mode, options.stateTtlMs);
  const root = b.build(plan);
  const properties = planProperties(root);
  checkChainedComplete(root, properties, mode, options.modeSpan);
  const keyColumns = mode === 'append' ? [] : keyColumnsOf(plan) ?? [];
  return { root, mode, properties, sources: b.sources, statefulOperators: b.stateful, keyColumns };
}
