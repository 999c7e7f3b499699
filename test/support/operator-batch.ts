/**
 * Ending a micro-batch of an operator driven by hand, as the execution ends it: the operator puts
 * what it holds in memory into its store, the store commits the version, the operator finishes the
 * batch; or, for a failed batch, the store rolls back before the operator does.
 */
import type { Operator } from '../../src/executor/operators/operator.js';
import type { StateStore } from '../../src/state/state-store.js';

export async function commitOperator(op: Operator, store: StateStore, version: number): Promise<void> {
  op.flushState?.();
  await store.commit(version);
  await op.checkpoint?.(version);
}

export function abortOperator(op: Operator, store: StateStore): void {
  store.abort();
  op.abort?.();
}
