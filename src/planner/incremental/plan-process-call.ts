/**
 * How a process function runs on a stream (physical ProcessFunctionNode): over an append-only input
 * only (Flink's process table functions take updates only when they declare it; Weir's JS modules
 * have no way to say so yet), emitting append-only rows.
 */
import { WeirError } from '../../common/errors.js';
import type { ProcessCall } from '../logical/plan.js';
import type { JoinPlanningContext } from './plan-join.js';
import type { PhysicalNode, ProcessFunctionNode } from './physical.js';

export function planProcessCall(p: ProcessCall, b: JoinPlanningContext): PhysicalNode {
  const input = b.build(p.input);
  if (!input.appendOnly) {
    throw new WeirError('UNSUPPORTED',
      `process function ${p.fn} over a result that updates (an aggregation, a retracting join or Top-N) is not supported yet: `
      + 'its input must be append-only', p.span);
  }
  return b.register((operatorId): ProcessFunctionNode => ({
    kind: 'processFunction', operatorId, input, fn: p.fn, partitionBy: p.partitionBy, args: p.args, timeColumn: p.timeColumn, rowtime: p.rowtime,
    columns: p.columns, ...(p.span ? { span: p.span } : {}), ...(p.tables ? { tables: p.tables } : {}), schema: p.schema, appendOnly: true,
  }));
}
