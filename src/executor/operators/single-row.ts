/**
 * The input of an uncorrelated scalar subquery (physical SingleRowNode): rows pass through, and the
 * operator counts the live ones (inserts and update-afters add one, update-befores and deletes take
 * one away, in order). A second live row is an error naming the subquery, as a batch engine's
 * "more than one row returned by a subquery used as an expression". The count is the state.
 */
import { WeirError } from '../../common/errors.js';
import { RowKind } from '../../connectors/api.js';
import type { SingleRowNode } from '../../planner/incremental/physical.js';
import type { StateStore } from '../../state/state-store.js';
import type { BatchContext, Chunk, Operator, StateOperatorProgress } from './operator.js';

const COUNT_KEY = 'n';

export class SingleRowOperator implements Operator {
  private live = 0;
  private changed = false;

  constructor(private readonly node: SingleRowNode, private readonly store: StateStore) {
    this.live = this.stored();
  }

  private stored(): number {
    return (this.store.get(COUNT_KEY)?.[0] as number | undefined) ?? 0;
  }

  explain(): string {
    return `SingleRow[${this.node.operatorId}]`;
  }

  process(chunk: Chunk, _ctx: BatchContext): Chunk[] {
    const n = chunk.batch.numRows;
    const kinds = chunk.kinds;
    for (let i = 0; i < n; i++) {
      const k = kinds ? kinds[i]! : RowKind.INSERT;
      this.live += k === RowKind.UPDATE_BEFORE || k === RowKind.DELETE ? -1 : 1;
      if (this.live > 1) {
        throw new WeirError('RUNTIME', 'the scalar subquery returned more than one row: a subquery used as a value must return at most one row '
          + '(aggregate it, or add a condition that keeps one row)', this.node.span);
      }
    }
    if (n > 0) this.changed = true;
    return n > 0 ? [chunk] : [];
  }

  flushState(): void {
    if (this.changed) this.store.put(COUNT_KEY, [this.live]);
    this.changed = false;
  }

  abort(): void {
    this.live = this.stored();
    this.changed = false;
  }

  progress(): StateOperatorProgress {
    return { operatorName: 'singleRow', numRowsTotal: this.live, numRowsUpdated: 0, memoryUsedBytes: 8, numRowsDroppedByWatermark: 0 };
  }
}
