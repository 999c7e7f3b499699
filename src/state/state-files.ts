/**
 * The files of one stateful operator's checkpointed state, in `state/<operatorId>/`:
 *
 *   <v>.delta      the keys version v changed: a header line, then `[key,value]` or `[key]` (deleted)
 *   <v>.snapshot   every live key at version v: a header line, then `[key,value]`
 *
 * The header `{"weir":"state","kind":…,"version":v,"entries":n,"sum":"trailer"}` lets a reader
 * tell a whole file from a cut-off one; the trailer line `{"weir":"end","checksum":"sha256:…"}`
 * (checksum.ts, over the entry lines) tells it from one whose bytes changed since. A file without
 * `sum` (written before checksums) is read without the check. Version v is rebuilt from the newest
 * readable snapshot at or below v plus the deltas after it; files above v belong to a batch that
 * never committed and are not read. A file that is cut off or fails its checksum is unreadable, and
 * the rebuild tries an older snapshot; when no chain reaches v, `newestLoadable` says which older
 * version can still be rebuilt, and the micro-batch loop replays the batches after it.
 *
 * Snapshots are built from the files (the previous snapshot plus the deltas), never from live
 * memory, so building one needs no pause of the batch loop: it streams text with awaits between
 * chunks while batches go on.
 */
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { WeirError } from '../common/errors.js';
import { isTempFile, removeStaleTemps, writeLinesAtomic } from './checkpoint/atomic-file.js';
import { RunningChecksum } from './checkpoint/checksum.js';
import { withCheckpointIo } from './checkpoint/io-errors.js';
import { decodeEntry, entryKey } from './state-codec.js';
import type { StateValue } from './state-store.js';

export type StateFileKind = 'delta' | 'snapshot';

interface Header {
  readonly weir: 'state';
  readonly kind: StateFileKind;
  readonly version: number;
  readonly entries: number;
  /** 'trailer': a checksum line follows the entries (absent in files written before checksums) */
  readonly sum?: 'trailer';
}

interface Trailer {
  readonly weir: 'end';
  readonly checksum: string;
}

const FILE_NAME = /^(0|[1-9][0-9]*)\.(delta|snapshot)$/;

export const headerLine = (kind: StateFileKind, version: number, entries: number): string =>
  JSON.stringify({ weir: 'state', kind, version, entries, sum: 'trailer' } satisfies Header) + '\n';

const trailerLine = (checksum: string): string => JSON.stringify({ weir: 'end', checksum } satisfies Trailer) + '\n';

/**
 * Call `onLine` for each line of a text file, streamed (state files can be far larger than one JS
 * string); lines of a chunk are handled synchronously, one await per chunk. Stops early when
 * `onLine` returns false, and then returns false.
 */
async function forEachLine(file: string, onLine: (line: string) => boolean): Promise<boolean> {
  let rest = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = rest + (chunk as string);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      if (!onLine(text.slice(start, nl))) return false;
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  return rest === '' || onLine(rest);
}

/**
 * Read a state file, calling `onLine` for each entry line. False when the file is missing, has no
 * valid header, has fewer lines than its header says (cut off by a crash), or its entries do not
 * match the checksum of its trailer (changed after it was written).
 */
async function readStateFile(file: string, kind: StateFileKind, version: number, onLine: (line: string) => boolean): Promise<boolean> {
  let header: Header | undefined;
  let n = 0;
  let trailer: Trailer | undefined;
  const sum = new RunningChecksum();
  // lines hashed a few thousand at a time: one native call per line would cost more than the hash
  let unhashed: string[] = [];
  const hashPending = (): void => {
    if (unhashed.length > 0) sum.update(unhashed.join('\n') + '\n');
    unhashed = [];
  };
  try {
    const whole = await forEachLine(file, (line) => {
      if (header === undefined) {
        try {
          header = JSON.parse(line) as Header;
        } catch {
          return false;
        }
        return header?.weir === 'state' && header.kind === kind && header.version === version;
      }
      if (line === '') return true;
      if (trailer !== undefined) return false; // nothing may follow the trailer
      if (header.sum === 'trailer' && n === header.entries) {
        try {
          trailer = JSON.parse(line) as Trailer;
        } catch {
          return false;
        }
        return trailer?.weir === 'end';
      }
      n++;
      if (header.sum === 'trailer') {
        unhashed.push(line);
        if (unhashed.length >= 4096) hashPending();
      }
      return onLine(line);
    });
    if (!whole) return false;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  if (header === undefined || n !== header.entries) return false;
  hashPending();
  return header.sum !== 'trailer' || (trailer !== undefined && trailer.checksum === sum.digest());
}

export class OperatorFiles {
  /** file name → size in bytes, kept current by this object's writes and deletes */
  private readonly sizes = new Map<string, number>();
  /** background work (snapshot builds, purges), run one after another */
  private background: Promise<void> = Promise.resolve();
  private backgroundError: unknown;

  private constructor(readonly dir: string, readonly operatorId: number) {}

  static async open(dir: string, operatorId: number): Promise<OperatorFiles> {
    await withCheckpointIo(dir, async () => {
      await fs.mkdir(dir, { recursive: true });
      await removeStaleTemps(dir);
    });
    const f = new OperatorFiles(dir, operatorId);
    for (const name of await fs.readdir(dir)) {
      if (isTempFile(name) || !FILE_NAME.test(name)) continue;
      f.sizes.set(name, (await fs.stat(path.join(dir, name))).size);
    }
    return f;
  }

  private path(version: number, kind: StateFileKind): string {
    return path.join(this.dir, `${version}.${kind}`);
  }

  /** Versions that have a file of `kind`, ascending. */
  versions(kind: StateFileKind): number[] {
    const out: number[] = [];
    for (const name of this.sizes.keys()) {
      const m = FILE_NAME.exec(name);
      if (m && m[2] === kind) out.push(Number(m[1]));
    }
    return out.sort((a, b) => a - b);
  }

  /** The highest version any file is for. */
  highestVersion(): number {
    return Math.max(-1, ...this.versions('delta'), ...this.versions('snapshot'));
  }

  bytesOnDisk(): number {
    let total = 0;
    for (const s of this.sizes.values()) total += s;
    return total;
  }

  sizeOf(version: number, kind: StateFileKind): number | undefined {
    return this.sizes.get(`${version}.${kind}`);
  }

  /** Write a file of entry lines atomically. */
  async write(kind: StateFileKind, version: number, count: number, body: Iterable<string> | AsyncIterable<string>): Promise<void> {
    async function* all(): AsyncGenerator<string> {
      yield headerLine(kind, version, count);
      const sum = new RunningChecksum();
      for await (const chunk of body) {
        sum.update(chunk);
        yield chunk;
      }
      yield trailerLine(sum.digest());
    }
    const bytes = await withCheckpointIo(this.dir, () => writeLinesAtomic(this.path(version, kind), all()));
    this.sizes.set(`${version}.${kind}`, bytes);
  }

  async remove(version: number, kind: StateFileKind): Promise<void> {
    await fs.rm(this.path(version, kind), { force: true });
    this.sizes.delete(`${version}.${kind}`);
  }

  /** Remove every file for a version of at least `version` (a batch being written again). */
  async removeFrom(version: number): Promise<void> {
    for (const kind of ['delta', 'snapshot'] as const) {
      for (const v of this.versions(kind)) if (v >= version) await this.remove(v, kind);
    }
  }

  /** The live keys of `version`, in the order the files list them. */
  async load(version: number): Promise<Map<string, StateValue>> {
    const live = new Map<string, StateValue>();
    if (version < 0) return live;
    const deltas = new Set(this.versions('delta'));
    const snapshots = this.versions('snapshot').filter((v) => v <= version).reverse();
    const bases = [...snapshots, -1];
    const problems: string[] = [];
    for (const base of bases) {
      let missing = -1;
      for (let v = base + 1; v <= version && missing < 0; v++) if (!deltas.has(v)) missing = v;
      if (missing >= 0) {
        problems.push(`${missing}.delta is missing`);
        continue;
      }
      live.clear();
      if (base >= 0 && !(await this.readInto(live, base, 'snapshot'))) {
        problems.push(`${base}.snapshot is unreadable`);
        continue;
      }
      let ok = true;
      for (let v = base + 1; v <= version && ok; v++) {
        ok = await this.readInto(live, v, 'delta');
        if (!ok) problems.push(`${v}.delta is unreadable`);
      }
      if (ok) return live;
    }
    throw new WeirError('STATE', `cannot rebuild the state of operator ${this.operatorId} at version ${version} from ${this.dir}: ${[...new Set(problems)].join('; ')}`);
  }

  /**
   * The newest version at or below `atMost` whose state can be rebuilt from intact files (-1: the
   * empty state before the first batch, always). For recovery when `atMost` itself cannot be.
   */
  async newestLoadable(atMost: number): Promise<number> {
    for (let v = atMost; v >= 0; v--) {
      try {
        await this.load(v);
        return v;
      } catch (e) {
        if (!(e instanceof WeirError) || e.code !== 'STATE') throw e;
      }
    }
    return -1;
  }

  private readInto(live: Map<string, StateValue>, version: number, kind: StateFileKind): Promise<boolean> {
    return readStateFile(this.path(version, kind), kind, version, (line) => {
      const e = decodeEntry(line);
      if (e === undefined) return false;
      if (e[1] === undefined) live.delete(e[0]);
      else live.set(e[0], e[1]);
      return true;
    });
  }

  /** Queue work after the background work already queued. */
  enqueue(work: () => Promise<void>): void {
    this.background = this.background.then(work).catch((e: unknown) => {
      this.backgroundError ??= e;
    });
  }

  throwIfFailed(): void {
    const e = this.backgroundError;
    if (e !== undefined) {
      this.backgroundError = undefined;
      throw e;
    }
  }

  /** Wait for the queued background work; throws what it failed with. */
  async idle(): Promise<void> {
    await this.background;
    this.throwIfFailed();
  }

  /**
   * Build `<version>.snapshot` from the newest snapshot below it and the deltas up to it. Entry
   * lines are kept as text (only the key is parsed), so values are never decoded and re-encoded.
   */
  async buildSnapshot(version: number): Promise<void> {
    if (this.sizes.has(`${version}.snapshot`)) return;
    const byKey = new Map<string, string>();
    const base = this.versions('snapshot').filter((v) => v < version).pop() ?? -1;
    const apply = (line: string): boolean => {
      const k = entryKey(line);
      if (k === undefined) return false;
      if (k.deleted) byKey.delete(k.key);
      else byKey.set(k.key, line);
      return true;
    };
    if (base >= 0 && !(await readStateFile(this.path(base, 'snapshot'), 'snapshot', base, apply))) {
      throw new WeirError('STATE', `cannot build snapshot ${version} of operator ${this.operatorId}: ${base}.snapshot is unreadable`);
    }
    for (let v = base + 1; v <= version; v++) {
      if (!(await readStateFile(this.path(v, 'delta'), 'delta', v, apply))) {
        throw new WeirError('STATE', `cannot build snapshot ${version} of operator ${this.operatorId}: ${v}.delta is missing or unreadable`);
      }
    }
    await this.write('snapshot', version, byKey.size, (function* () {
      let lines: string[] = [];
      for (const line of byKey.values()) {
        lines.push(line);
        if (lines.length >= 10_000) {
          yield lines.join('\n') + '\n';
          lines = [];
        }
      }
      if (lines.length > 0) yield lines.join('\n') + '\n';
    })());
  }

  /**
   * Delete what is not needed to rebuild the last `retain` versions up to `latest`: keep the newest
   * snapshot at or below the oldest retained version (the base) and every file after it. (Later
   * snapshots stay too: each becomes the base once the retained window passes it.)
   */
  async purge(latest: number, retain: number): Promise<void> {
    const oldest = latest - retain + 1;
    const snapshots = this.versions('snapshot');
    const base = snapshots.filter((v) => v <= oldest).pop();
    if (base === undefined) return;
    for (const v of snapshots) if (v < base) await this.remove(v, 'snapshot');
    for (const v of this.versions('delta')) if (v <= base) await this.remove(v, 'delta');
  }
}
