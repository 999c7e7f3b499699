import type { Schema } from '../../common/schema.js';
import type { LogicalPlan } from './plan.js';

/** UNION ALL: the rows of every input (the binder has cast them to one schema). */
export interface Union {
  readonly kind: 'union';
  readonly inputs: readonly LogicalPlan[];
  readonly schema: Schema;
}

export function union(inputs: readonly LogicalPlan[], schema?: Schema): Union {
  return { kind: 'union', inputs, schema: schema ?? inputs[0]!.schema };
}
