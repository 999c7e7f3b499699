/**
 * A state store's expected contents in model tests: a plain Map changed by the same puts, deletes,
 * commits and aborts as the store under test (test/state/live-entries.test.ts, spill-area.test.ts).
 */
import type { StateStore, StateValue } from '../../src/state/state-store.js';

export type StoreOp =
  | { readonly kind: 'put'; readonly key: string; readonly value: StateValue; readonly spillable?: boolean }
  | { readonly kind: 'delete'; readonly key: string }
  | { readonly kind: 'commit' }
  | { readonly kind: 'abort' };

export class StoreModel {
  /** what the store should hold now */
  live = new Map<string, StateValue>();
  private committed = new Map<string, StateValue>();
  private version = 0;

  /** Apply `op` to the store and to the model. */
  async apply(store: StateStore, op: StoreOp): Promise<void> {
    if (op.kind === 'put') {
      store.put(op.key, op.value, op.spillable);
      this.live.set(op.key, op.value);
    } else if (op.kind === 'delete') {
      store.delete(op.key);
      this.live.delete(op.key);
    } else if (op.kind === 'commit') {
      await store.commit(this.version++);
      this.committed = new Map(this.live);
    } else {
      store.abort();
      this.live = new Map(this.committed);
    }
  }

  /** Commit the store's pending changes (at the end of a run). */
  async commit(store: StateStore): Promise<void> {
    await this.apply(store, { kind: 'commit' });
  }
}
