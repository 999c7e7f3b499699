/**
 * The filesystem source's offset, and where a file larger than a batch is cut.
 *
 * Offset: `{"files": [...], "partial"?: {"file", "bytes", "line"} | {"file", "part"}}`. `files` are
 * the relative names of the files taken whole so far, in take order. `partial`, when present, is a
 * text file taken up to byte `bytes` (exclusive), a record boundary, where line `line` starts, or a
 * binary file taken up to its part `part` (exclusive; Parquet: a row group, BinaryFormat.partsOf):
 * the next batch goes on from there, and the file joins `files` with its last part. Offsets written
 * before parts existed (`{"files": [...]}`) read as before.
 *
 * A part ends at a record boundary found when the batch is planned, so the offset written ahead of
 * the batch (the offset log) names it, and a batch run again reads the same records. The boundary is
 * the decoder's (StreamDecoder.partCut: any line break for JSON lines; for CSV, a line break outside
 * quotes past any broken quoting, csv-bytes.ts), the last in the window of
 * `source.max-bytes-per-trigger` bytes after the part's start: a part read as a whole file gives
 * the rows and rejected records the file gives there read whole (test/connectors/filesystem/
 * file-parts.test.ts checks this over random files and caps). The planning reads each window once
 * more than decoding does: 18 ms a 32 MiB part of the files bench's CSV in one file.
 */
import { promises as fsp } from 'node:fs';
import { WeirError } from '../../common/errors.js';
import type { Json } from '../api.js';
import type { StreamDecoder } from '../formats/decoded.js';
import { countNewlines } from '../formats/csv-bytes.js';

/** Where a partly read file stands: the next part starts at byte `bytes`, on line `line`. */
export interface FilePosition {
  readonly bytes: number;
  readonly line: number;
}

/** A partly read file: a text file up to a byte position, or a binary file up to one of its parts. */
export type PartialFile = { readonly file: string } & (FilePosition | { readonly part: number });

export interface FilesOffset {
  readonly files: readonly string[];
  readonly partial?: PartialFile;
}

/**
 * The buffer partEnd reads a window into, kept from one part to the next: a fresh 32 MiB buffer a
 * part cost as much as reading into it (16 ms a part of the files bench's CSV, in one file).
 */
export class WindowBuffer {
  private buffer: Buffer | undefined;

  take(size: number): Buffer {
    if (this.buffer === undefined || this.buffer.length < size) this.buffer = Buffer.allocUnsafe(size);
    return this.buffer;
  }
}

/** The offset's parts; undefined (before the first batch) is nothing taken. */
export function parseOffset(o: Json | undefined): FilesOffset {
  if (o === undefined || o === null) return { files: [] };
  const bad = (): WeirError => new WeirError('STATE', `not a filesystem source offset: ${JSON.stringify(o)}`);
  if (typeof o !== 'object' || Array.isArray(o)) throw bad();
  const { files, partial } = o as { files?: unknown; partial?: unknown };
  if (!Array.isArray(files) || !files.every((f) => typeof f === 'string')) throw bad();
  if (partial === undefined) return { files: files as string[] };
  const p = partial as Partial<Record<'file' | 'bytes' | 'line' | 'part', unknown>> | null;
  if (p === null || typeof p !== 'object' || typeof p.file !== 'string') throw bad();
  if ('part' in p) {
    if (!isCount(p.part) || 'bytes' in p || 'line' in p) throw bad();
    return { files: files as string[], partial: { file: p.file, part: p.part } };
  }
  if (!isCount(p.bytes) || !isCount(p.line) || p.line < 1) throw bad();
  return { files: files as string[], partial: { file: p.file, bytes: p.bytes, line: p.line } };
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Where the part of `file` (`size` bytes) starting at `from` ends: the last record boundary within
 * `budget` bytes of its start, and the line there. Undefined: the part runs to the file's end (the
 * rest is within the budget, or holds no boundary). A record longer than the budget makes the window
 * grow until one ends in it. (So does a CSV quote that never closes, up to the file's end, as it keeps
 * the rest of the file in one piece when the file is read whole: the decoder then rejects its first
 * line and reads on. Cutting at a line break instead would cut a valid quoted field in two.)
 */
export async function partEnd(
  file: string, size: number, from: FilePosition, budget: number, decoder: StreamDecoder, buffer: WindowBuffer,
): Promise<FilePosition | undefined> {
  if (size - from.bytes <= budget) return undefined;
  const fh = await fsp.open(file, 'r');
  try {
    for (let window = budget; from.bytes + window < size; window *= 2) {
      const bytes = buffer.take(window);
      const { bytesRead } = await fh.read(bytes, 0, window, from.bytes);
      const read = bytes.subarray(0, bytesRead);
      const cut = decoder.partCut(read);
      // never inside a file's preamble (a CSV header and the blank lines before it): the next part
      // reads the preamble again, whole, before its first record (TextFileReader)
      const preamble = from.bytes === 0 ? decoder.preambleEnd(read) : 0;
      if (cut > 0 && preamble !== undefined && cut >= preamble) return { bytes: from.bytes + cut, line: from.line + countNewlines(read.subarray(0, cut)) };
      if (bytesRead < window) return undefined;
    }
    return undefined;
  } finally {
    await fh.close();
  }
}
