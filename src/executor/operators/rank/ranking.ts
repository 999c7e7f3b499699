/**
 * A Top-N's ranks and its changelog: which kept rows are visible (ranks rankStart..rankEnd; ties
 * share a rank under RANK and DENSE_RANK), and the rows a batch emits for a partition, from what was
 * emitted for it before to its visible rows now (the rules are in top-n.ts's file comment).
 */
import { RowKind } from '../../../connectors/api.js';
import type { TopNNode } from '../../../planner/incremental/physical.js';
import { tiedRanks, type Entry, type Partition, type SortComparator, type SortKey } from './top-n-state.js';

/** The rows a batch emits: their row strings, ranks and kinds. */
export interface Emitted {
  readonly rows: string[];
  readonly ranks: number[];
  readonly kinds: number[];
}

function add(out: Emitted, e: Entry, rank: number, kind: number): void {
  out.rows.push(e.text!);
  out.ranks.push(rank);
  out.kinds.push(kind);
}

export class Ranking {
  constructor(private readonly node: TopNNode, private readonly cmp: SortComparator) {}

  visible(rows: readonly Entry[]): readonly Entry[] {
    return rows.slice(this.node.rankStart - 1, this.node.rankEnd);
  }

  /** The visible rows and their ranks: positions for ROW_NUMBER, shared by ties for RANK and DENSE_RANK. */
  ranked(rows: readonly Entry[]): { entries: readonly Entry[]; ranks: readonly number[] } {
    const { rankStart, rankEnd, rankFunction } = this.node;
    if (rankFunction === 'ROW_NUMBER') {
      const entries = this.visible(rows);
      return { entries, ranks: entries.map((_, r) => rankStart + r) };
    }
    const all = tiedRanks(rows, this.cmp, rankFunction === 'DENSE_RANK', rankEnd);
    const entries: Entry[] = [], ranks: number[] = [];
    all.forEach((r, i) => {
      if (r >= rankStart && r <= rankEnd) { entries.push(rows[i]!); ranks.push(r); }
    });
    return { entries, ranks };
  }

  /** RANK / DENSE_RANK over an append-only input: whether a row with key `sort` would rank past rankEnd (ranks only grow as rows come). */
  beyondLast(p: Partition, sort: SortKey): boolean {
    const rows = p.rows;
    if (rows.length === 0 || this.cmp(sort, rows[rows.length - 1]!.sort) <= 0) return false;
    const ranks = tiedRanks(rows, this.cmp, this.node.rankFunction === 'DENSE_RANK');
    const next = this.node.rankFunction === 'DENSE_RANK' ? ranks[ranks.length - 1]! + 1 : rows.length + 1;
    return next > this.node.rankEnd;
  }

  /** RANK / DENSE_RANK over an append-only input: drop the rows now ranked past rankEnd (they can never rise again). */
  trimTied(rows: Entry[], leave: (e: Entry) => void): void {
    const ranks = tiedRanks(rows, this.cmp, this.node.rankFunction === 'DENSE_RANK', this.node.rankEnd);
    let keep = ranks.length;
    while (keep > 0 && ranks[keep - 1]! > this.node.rankEnd) keep--;
    while (rows.length > keep) leave(rows.pop()!);
  }

  /** The changelog from the rows emitted for a partition (`before`) to its visible rows now (`after`), see the file comment. */
  emitChanges(out: Emitted, before: readonly Entry[], after: readonly Entry[]): void {
    const start = this.node.rankStart;
    if (this.node.outputRank || start === this.node.rankEnd) {
      // per rank position (with the rank hidden there is just one)
      const len = Math.max(before.length, after.length);
      for (let r = 0; r < len; r++) {
        const o = before[r], e = after[r];
        if (o === e) continue;
        if (o !== undefined && e !== undefined) {
          if (o.text === e.text) continue; // an equal row: nothing changed at this rank
          add(out, o, start + r, RowKind.UPDATE_BEFORE);
          add(out, e, start + r, RowKind.UPDATE_AFTER);
        } else if (o !== undefined) add(out, o, start + r, RowKind.DELETE);
        else add(out, e!, start + r, RowKind.INSERT);
      }
      return;
    }
    const now = new Set(after);
    const was = new Set(before);
    for (const o of before) if (!now.has(o)) add(out, o, 0, RowKind.DELETE);
    for (const e of after) if (!was.has(e)) add(out, e, 0, RowKind.INSERT);
  }

  /**
   * RANK / DENSE_RANK: ties share a rank, so (partition, rank) is no key and the changelog is a
   * multiset's: a row that left, or whose rank changed, is deleted at its old rank; a row that
   * entered, or moved, is inserted at its new one. With the rank hidden only entering and leaving count.
   */
  emitTiedChanges(out: Emitted, before: readonly Entry[], beforeRanks: readonly number[],
    after: { entries: readonly Entry[]; ranks: readonly number[] }): void {
    const withRank = this.node.outputRank;
    const now = new Map<Entry, number>(), was = new Map<Entry, number>();
    after.entries.forEach((e, i) => now.set(e, after.ranks[i]!));
    before.forEach((e, i) => was.set(e, beforeRanks[i]!));
    before.forEach((o, i) => {
      const r = now.get(o);
      if (r === undefined || (withRank && r !== beforeRanks[i])) add(out, o, beforeRanks[i]!, RowKind.DELETE);
    });
    after.entries.forEach((e, i) => {
      const r = was.get(e);
      if (r === undefined || (withRank && r !== after.ranks[i])) add(out, e, after.ranks[i]!, RowKind.INSERT);
    });
  }

  addAll(out: Emitted, v: { entries: readonly Entry[]; ranks: readonly number[] }): void {
    v.entries.forEach((e, i) => add(out, e, v.ranks[i]!, RowKind.INSERT));
  }
}
