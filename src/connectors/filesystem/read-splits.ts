/**
 * A batch's file reads cut into pieces for the tasks of a parallel query (SplittableSource: the
 * query's thread cuts, each task reads its piece in its own thread), and a piece as plain JSON.
 *
 * The pieces are contiguous, in take order, of about equal bytes, so task 0 reads the batch's first
 * rows and the tasks' rows in task order are the batch's rows in order. Each read is cut into
 * segments, and each segment goes to the piece its middle byte falls in:
 * - a text file (or its range) at record boundaries near the cuts, found as a file larger than a
 *   batch is cut (partEnd: the last boundary within a share, from a boundary), so a segment reads
 *   the rows and rejected records the whole read gives there, with the same line numbers;
 * - a binary file with parts (Parquet row groups, Arrow record batches) at its parts;
 * - any other file whole.
 * Consecutive segments of one file that land in one piece are read as one.
 */
import { WeirError } from '../../common/errors.js';
import type { Json } from '../api.js';
import type { FilePosition } from './file-parts.js';
import type { FileRange } from './read-text.js';

/** What a batch reads of one file: all of it, a byte range of a text file or some parts of a binary one. */
export interface FileRead {
  readonly file: string;
  readonly range?: FileRange;
  /** parts [from, to) of a binary file (`to` past its last part: to its end) */
  readonly parts?: { readonly from: number; readonly to: number };
}

/** What cutting needs to know of the files. */
export interface SplitFiles {
  readonly binary: boolean;
  /** the file's size (0: removed; its read reports it) */
  size(file: string): Promise<number>;
  /** a binary file's parts' bytes; undefined when it has none to cut at */
  partBytes(file: string): Promise<readonly number[] | undefined>;
  /** the last record boundary of text `file` within `budget` bytes after `from` and before byte `end`; undefined: none */
  boundary(file: string, from: FilePosition, end: number, budget: number): Promise<FilePosition | undefined>;
}

/** A piece of a read: `read` over bytes [a, b) of the batch's reads laid end to end. */
interface Segment {
  readonly read: FileRead;
  readonly a: number;
  readonly b: number;
}

/** `reads` (a batch's, in take order) in `pieces` contiguous pieces of about equal bytes. */
export async function splitReads(reads: readonly FileRead[], pieces: number, files: SplitFiles): Promise<FileRead[][]> {
  const out: FileRead[][] = Array.from({ length: pieces }, () => []);
  const sizes = await Promise.all(reads.map((r) => (r.range && r.range.end !== Number.POSITIVE_INFINITY ? r.range.end : files.size(r.file))));
  const parts = await Promise.all(reads.map((r) => (files.binary ? files.partBytes(r.file).catch(() => undefined) : undefined)));
  const weights = reads.map((r, i) => weight(r, sizes[i]!, parts[i]));
  const total = weights.reduce((x, w) => x + w, 0);
  const cuts = Array.from({ length: pieces - 1 }, (_, k) => Math.floor((total * (k + 1)) / pieces));
  const pieceAt = (s: Segment): number => {
    const middle = (s.a + s.b) / 2;
    let k = 0;
    while (k < cuts.length && cuts[k]! <= middle) k++;
    return k;
  };
  let at = 0;
  for (let i = 0; i < reads.length; i++) {
    const r = reads[i]!;
    const segments = files.binary ? partSegments(r, at, weights[i]!, parts[i]) : await textSegments(r, at, sizes[i]!, cuts, files);
    at += weights[i]!;
    // a read that stays in one piece goes there as it is
    const where = segments.map(pieceAt);
    if (where.every((k) => k === where[0])) {
      out[where[0]!]!.push(r);
      continue;
    }
    for (let s = 0; s < segments.length; s++) {
      const list = out[where[s]!]!;
      const read = segments[s]!.read;
      if (s > 0 && where[s - 1] === where[s]) list[list.length - 1] = joined(list[list.length - 1]!, read);
      else list.push(read);
    }
  }
  return out;
}

function weight(r: FileRead, size: number, parts: readonly number[] | undefined): number {
  if (r.parts && parts) return sum(parts.slice(r.parts.from, Math.min(r.parts.to, parts.length)));
  if (r.range) return Math.max(0, size - r.range.start);
  return size;
}

/** A binary read as its parts (one segment when it has none). */
function partSegments(r: FileRead, at: number, bytes: number, parts: readonly number[] | undefined): Segment[] {
  if (!parts) return [{ read: r, a: at, b: at + bytes }];
  const from = r.parts?.from ?? 0;
  const to = Math.min(r.parts?.to ?? Number.POSITIVE_INFINITY, parts.length);
  const out: Segment[] = [];
  for (let p = from; p < to; p++) {
    // the last part reads to the file's end, as the read it comes from does
    out.push({ read: { file: r.file, parts: { from: p, to: p + 1 === to ? (r.parts?.to ?? Number.POSITIVE_INFINITY) : p + 1 } }, a: at, b: at + parts[p]! });
    at += parts[p]!;
  }
  return out.length > 0 ? out : [{ read: r, a: at, b: at }];
}

/** A text read cut at the record boundaries nearest before the cuts that fall in it. */
async function textSegments(r: FileRead, at: number, size: number, cuts: readonly number[], files: SplitFiles): Promise<Segment[]> {
  const end = r.range?.end ?? Number.POSITIVE_INFINITY;
  let from: FilePosition = r.range ? { bytes: r.range.start, line: r.range.line } : { bytes: 0, line: 1 };
  const base = at - from.bytes;
  const out: Segment[] = [];
  for (const cut of cuts) {
    const budget = cut - (base + from.bytes);
    if (budget <= 0) continue;
    if (base + size <= cut) break;
    const next = await files.boundary(r.file, from, Math.min(end, size), budget);
    if (next === undefined || next.bytes <= from.bytes) break;
    out.push({ read: { file: r.file, range: { start: from.bytes, end: next.bytes, line: from.line } }, a: base + from.bytes, b: base + next.bytes });
    from = next;
  }
  if (out.length === 0) return [{ read: r, a: at, b: base + size }];
  out.push({ read: { file: r.file, range: { start: from.bytes, end, line: from.line } }, a: base + from.bytes, b: base + size });
  return out;
}

/** Two neighbouring segments of one file as one read. */
function joined(x: FileRead, y: FileRead): FileRead {
  if (x.parts && y.parts) return { file: x.file, parts: { from: x.parts.from, to: y.parts.to } };
  if (x.range && y.range) return { file: x.file, range: { start: x.range.start, end: y.range.end, line: x.range.line } };
  throw new Error(`segments of '${x.file}' of two kinds`);
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

/** A piece as JSON: `[{"file", "range"?: [start, end | null, line], "parts"?: [from, to | null]}]` (null: to the file's end). */
export function pieceToJson(reads: readonly FileRead[]): Json {
  const end = (x: number): number | null => (x === Number.POSITIVE_INFINITY ? null : x);
  return reads.map((r) => ({
    file: r.file,
    ...(r.range ? { range: [r.range.start, end(r.range.end), r.range.line] } : {}),
    ...(r.parts ? { parts: [r.parts.from, end(r.parts.to)] } : {}),
  }));
}

export function pieceFromJson(piece: Json): FileRead[] {
  const bad = (): WeirError => new WeirError('STATE', `not a piece of a filesystem batch: ${JSON.stringify(piece)}`);
  if (!Array.isArray(piece)) throw bad();
  const count = (x: unknown): number => {
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) throw bad();
    return x;
  };
  const end = (x: unknown): number => (x === null ? Number.POSITIVE_INFINITY : count(x));
  return piece.map((p): FileRead => {
    const { file, range, parts } = (p ?? {}) as { file?: unknown; range?: unknown; parts?: unknown };
    if (typeof file !== 'string') throw bad();
    if (Array.isArray(range) && range.length === 3) return { file, range: { start: count(range[0]), end: end(range[1]), line: count(range[2]) } };
    if (Array.isArray(parts) && parts.length === 2) return { file, parts: { from: count(parts[0]), to: end(parts[1]) } };
    if (range !== undefined || parts !== undefined) throw bad();
    return { file };
  });
}
