/**
 * Windows as `weir compare` names them: by the bounds and grouping keys the query outputs. A result
 * row gives its window from its own columns; an input row's windows come from its time (assigned as
 * the window operator assigns them) and its keys, projected onto the same columns, so both meet.
 */
import { alignStart, assignWindows } from '../../executor/operators/window/assign-windows.js';
import type { WindowSpec } from '../../planner/logical/plan.js';
import type { OutputRole } from './plan-shape.js';
import { plainValue, type Placement } from './probe.js';

export interface WindowId {
  readonly id: string;
  /** bounds as the output has them (null when the query does not output that bound) */
  readonly start: number | null;
  readonly end: number | null;
  readonly keys: Readonly<Record<string, unknown>>;
}

export interface Bounds {
  readonly start: number;
  readonly end: number;
}

export class WindowNaming {
  private readonly startCol: number;
  private readonly endCol: number;
  /** output columns holding grouping keys: column position, key index, name */
  private readonly keyCols: readonly { readonly col: number; readonly index: number; readonly name: string }[];
  readonly valueCols: readonly { readonly col: number; readonly name: string }[];

  constructor(roles: readonly OutputRole[], readonly names: readonly string[], readonly spec: WindowSpec) {
    this.startCol = roles.findIndex((r) => r.kind === 'windowStart');
    this.endCol = roles.findIndex((r) => r.kind === 'windowEnd');
    this.keyCols = roles.flatMap((r, col) => (r.kind === 'key' ? [{ col, index: r.index, name: names[col]! }] : []));
    this.valueCols = roles.flatMap((r, col) => (r.kind === 'value' ? [{ col, name: names[col]! }] : []));
  }

  /** True when the output has both bounds (sessions can then be looked up among the results). */
  get hasBothBounds(): boolean {
    return this.startCol >= 0 && this.endCol >= 0;
  }

  private make(start: number | null, end: number | null, keys: readonly unknown[]): WindowId {
    const k: Record<string, unknown> = {};
    this.keyCols.forEach((c, i) => { k[c.name] = keys[i]; });
    return { id: JSON.stringify([start, end, ...keys]), start, end, keys: k };
  }

  /** The window of a result row. */
  ofResult(values: readonly unknown[]): WindowId {
    const num = (c: number): number | null => (c < 0 ? null : (plainValue(values[c]) as number | null));
    return this.make(num(this.startCol), num(this.endCol), this.keyCols.map((c) => plainValue(values[c.col])));
  }

  /** The window with full bounds `b` and the grouping key values `keys` of the window operator. */
  ofBounds(b: Bounds, keys: readonly unknown[]): WindowId {
    return this.make(this.startCol >= 0 ? b.start : null, this.endCol >= 0 ? b.end : null, this.keyCols.map((c) => keys[c.index]));
  }

  /** The key part of an id, to find a row's session among the results with the same keys. */
  keysId(keys: readonly unknown[]): string {
    return JSON.stringify(this.keyCols.map((c) => keys[c.index]));
  }

  resultKeysId(values: readonly unknown[]): string {
    return JSON.stringify(this.keyCols.map((c) => plainValue(values[c.col])));
  }

  /** Bounds the output leaves out, where the window kind determines them. */
  fullBounds(w: WindowId): { start: number | null; end: number | null } {
    const s = this.spec;
    let { start, end } = w;
    if (start === null && end !== null) {
      if (s.kind === 'tumble' || s.kind === 'hop') start = end - s.sizeMs;
      else if (s.kind === 'cumulate') start = alignStart(end - 1, s.sizeMs, s.offsetMs);
    }
    if (end === null && start !== null && (s.kind === 'tumble' || s.kind === 'hop')) end = start + s.sizeMs;
    return { start, end };
  }
}

/** Result sessions by key, sorted by start, to place an input row in the session that took it. */
export type SessionIndex = ReadonlyMap<string, readonly Bounds[]>;

/**
 * The session of `sorted` containing t; of several (a row that came after its neighbour's session
 * closed starts a new one, which may overlap it), the one that started last, as the engine puts the
 * row in the session it opened or extended last.
 */
function findSession(sorted: readonly Bounds[] | undefined, t: number): Bounds | undefined {
  if (!sorted) return undefined;
  let lo = 0, hi = sorted.length; // first index with start > t
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.start <= t) lo = mid + 1;
    else hi = mid;
  }
  // sessions of one key overlap only in that edge case: a few steps back is enough
  for (let i = lo - 1; i >= 0 && i >= lo - 16; i--) if (sorted[i]!.end > t) return sorted[i];
  return undefined;
}

/** The windows a placed row falls in (a session row: the result session containing it, else [t, t + gap)). */
export function windowsOf(spec: WindowSpec, p: Placement, naming: WindowNaming, sessions: SessionIndex): Bounds[] {
  const t = p.time;
  if (t !== t) return [];
  if (spec.kind === 'session') return [findSession(sessions.get(naming.keysId(p.keys)), t) ?? { start: t, end: t + spec.gapMs }];
  const a = assignWindows(spec, Float64Array.of(t));
  const out: Bounds[] = [];
  for (let k = 0; k < a.count; k++) out.push({ start: a.starts[k]!, end: a.ends[k]! });
  return out;
}

/** True when a row in window `b` read with watermark `wm` misses it (the operators' rule). */
export function missedWindow(spec: WindowSpec, time: number, b: Bounds, wm: number): boolean {
  return spec.kind === 'session' ? time + spec.gapMs <= wm : b.end <= wm;
}
