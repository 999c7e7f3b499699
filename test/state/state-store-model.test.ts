/**
 * Both checkpointing stores against a plain Map model: any sequence of puts, deletes, commits,
 * aborts and crashes (including a crash after the store committed a version the checkpoint never
 * recorded) leaves the store, reopened at the last recorded version, equal to the model.
 */
import * as fc from 'fast-check';
import { fcParams } from '../support/property.js';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStateStoreProvider } from '../../src/state/file-state-store.js';
import { SPILL_MIN } from '../../src/state/live-entries.js';
import { LmdbStateStoreProvider } from '../../src/state/lmdb-state-store.js';
import type { StateStore, StateStoreProvider, StateValue } from '../../src/state/state-store.js';

type Op =
  | { readonly kind: 'put'; readonly key: string; readonly value: StateValue }
  | { readonly kind: 'delete'; readonly key: string }
  | { readonly kind: 'commit' }
  | { readonly kind: 'abort' }
  /** the process dies with uncommitted changes */
  | { readonly kind: 'crash' }
  /** the store commits the next version, then the process dies before the checkpoint records it */
  | { readonly kind: 'crash-after-store-commit' };

// short and long keys, and the awkward ones: numbered ('#' and base 36, kept in an array: live-map.ts), empty (an aggregation without keys), NUL inside, a
// lone surrogate, non-ASCII
const LONG = 'x'.repeat(1200);
const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'h', '', LONG, 'a\u0000b', '\u0000#' + 'f'.repeat(64), '\uD800', 'ключ', '#0', '#1z', '#01');
// one string alone is held as the string (live-entries.ts): a Top-N pack, a window key's numbers
const value: fc.Arbitrary<StateValue> = fc.oneof(
  fc.array(fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 })), { maxLength: 4 }),
  fc.string({ unit: 'binary' }).map((s) => [s]),
);
// a join block's rows: a byte array large enough to spill (live-entries.ts SPILL_MIN)
const spillable: fc.Arbitrary<StateValue> = fc.tuple(fc.nat(255), fc.nat(300)).map(([b, extra]) => {
  const a = new Uint8Array(SPILL_MIN + extra).fill(b);
  a[0] = extra & 255;
  return [a, null, b];
});
const opOf = (value: fc.Arbitrary<StateValue>): fc.Arbitrary<Op> => fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('put' as const), key, value }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
  { weight: 4, arbitrary: fc.constant({ kind: 'commit' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'abort' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'crash-after-store-commit' as const }) },
);

const sortedEntries = (it: Iterable<[string, StateValue]>) => [...it].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));

function expectEqual(store: StateStore, model: Map<string, StateValue>): void {
  expect(sortedEntries(store.entries())).toEqual(sortedEntries(model.entries()));
  expect(store.size).toBe(model.size);
  for (const k of ['a', 'h', LONG, '\uD800', 'a\u0000b', 'zz', '#1z', '#01']) expect(store.get(k)).toEqual(model.get(k));
}

interface Backend {
  readonly name: string;
  provider(dir: string): StateStoreProvider;
  readonly op: fc.Arbitrary<Op>;
  readonly runs: number;
}

const backends: Backend[] = [
  { name: 'file', provider: (dir) => new FileStateStoreProvider(dir, { snapshotEvery: 2, retainVersions: 3 }), op: opOf(value), runs: 100 },
  { name: 'lmdb', provider: (dir) => new LmdbStateStoreProvider(dir, { retainVersions: 3, cacheEntries: 3 }), op: opOf(value), runs: 100 },
  // values spilled to a temporary file past two of them, read back for the delta files and restarts
  { name: 'file (spilling)', provider: (dir) => new FileStateStoreProvider(dir, { snapshotEvery: 2, retainVersions: 3, spillThreshold: 2 * SPILL_MIN + 1000 }),
    op: opOf(fc.oneof(value, spillable, spillable)), runs: 40 },
];

let root: string;
beforeAll(async () => { root = await fs.mkdtemp(path.join(os.tmpdir(), 'weir-model-')); });
afterAll(async () => { await fs.rm(root, { recursive: true, force: true }); });

describe.each(backends)('$name state store against a Map model', (backend) => {
  let run = 0;
  it('reloads exactly the committed state after any sequence of changes and crashes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(backend.op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const dir = path.join(root, `${backend.name}-${run++}`);
        let provider = backend.provider(dir);
        let store = await provider.open(4, -1);
        let version = -1;
        const recorded = new Map<number, Map<string, StateValue>>([[-1, new Map()]]);
        let live = new Map<string, StateValue>();
        const restart = async (): Promise<void> => {
          await provider.close?.();
          provider = backend.provider(dir);
          store = await provider.open(4, version);
          live = new Map(recorded.get(version));
          expectEqual(store, live);
        };
        try {
          for (const o of ops) {
            switch (o.kind) {
              case 'put': store.put(o.key, o.value); live.set(o.key, o.value); break;
              case 'delete': store.delete(o.key); live.delete(o.key); break;
              case 'commit':
                await store.commit(++version);
                recorded.set(version, new Map(live));
                break;
              case 'abort': store.abort(); live = new Map(recorded.get(version)); break;
              case 'crash': await restart(); break;
              case 'crash-after-store-commit': await store.commit(version + 1); await restart(); break;
            }
            expect(store.size).toBe(live.size);
          }
          expectEqual(store, live);
          await restart();
        } finally {
          await provider.close?.();
        }
      }),
      fcParams({ numRuns: backend.runs }),
    );
  });
});
