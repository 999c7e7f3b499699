/**
 * A text file (or a part of one: a FileRange, file-parts.ts) read in chunks and decoded piece by
 * piece: each read fills a buffer, the decoder says where the piece ends (split) and how much of it
 * its records took (consumed), and the rest is kept for the next read. Memory is two chunks of text
 * a file (four for the source, which opens the next file ahead) plus the decoded columns of the file
 * or part (and a record longer than a chunk, whole, in a buffer up to twice its size).
 *
 * Reads overlap decoding: the next chunk is read (in libuv's thread pool) into the second buffer
 * while this one is decoded, and the filesystem source opens the next file and starts its first
 * read before decoding the current one (TextFileReader.open). Waiting for each open, read and close
 * in turn left the thread idle for a third of a CSV aggregation's time (the files bench: 1.84 M bids
 * in 202 files of 1.7 MB, about 700 of 2 000 ms a run). A chunk is read after SLACK bytes of room,
 * where the unfinished record the chunk before ended with is copied, so the chunk itself is never
 * copied; the buffers go back to a ChunkBuffers for the next file, so the pages are not faulted in
 * afresh for every file.
 */
import { constants as bufferConstants } from 'node:buffer';
import { promises as fsp } from 'node:fs';
import { InternalError } from '../../common/errors.js';
import type { DecodeResult, StreamDecoder } from '../formats/decoded.js';

/** Node's largest Buffer: the doubling of a rest kept apart stops there. */
const MAX_LENGTH = bufferConstants.MAX_LENGTH;
/** Room before each chunk for the rest of the record the previous chunk ended in. */
const SLACK = 64 * 1024;
/** The first read of a file's preamble (a CSV header), doubled while it does not end within it. */
const PREAMBLE_READ = 64 * 1024;

/** The buffers of one source's reads: taken for a file, given back when it is read. */
export class ChunkBuffers {
  private readonly free: Buffer[] = [];

  /**
   * `chunkSize`: the bytes of one read; `openFiles`: how many files are open at once (the one being
   * decoded and those opened ahead), each holding a pair of buffers
   */
  constructor(readonly chunkSize: number, private readonly openFiles = 1) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(SLACK + this.chunkSize);
  }

  give(b: Buffer): void {
    // a file is given back while the files opened ahead hold their own, and the file after them
    // takes these: a source keeps a pair per open file between batches (24 MiB by default)
    if (this.free.length < 2 * this.openFiles) this.free.push(b);
  }
}

type Read = Promise<{ bytesRead: number }>;

/**
 * Part of a file: bytes [start, end) (end: Infinity for the rest of the file), `start` a record
 * boundary on line `line` (1-based). The end is read as the file's end: a record left open there is
 * decoded as the last of a file would be.
 */
export interface FileRange {
  readonly start: number;
  readonly end: number;
  readonly line: number;
}

/** An open text file (or part of one, a FileRange) whose next chunk is being read. */
export class TextFileReader {
  private cur: Buffer;
  private other: Buffer;
  private position: number;
  private readonly limit: number;
  private next: Read | undefined;
  private closed = false;

  private constructor(private readonly fh: fsp.FileHandle, private readonly buffers: ChunkBuffers, private readonly range: FileRange | undefined) {
    this.position = range?.start ?? 0;
    this.limit = range?.end ?? Number.POSITIVE_INFINITY;
    this.cur = buffers.take();
    this.other = buffers.take();
    this.next = this.readInto(this.cur);
  }

  /** The file (or its `range`) opened and its first chunk on its way (ENOENT and other errors of open reject). */
  static async open(file: string, buffers: ChunkBuffers, range?: FileRange): Promise<TextFileReader> {
    return new TextFileReader(await fsp.open(file, 'r'), buffers, range);
  }

  /** Every record of the file (or range), piece by piece; the file is closed after (also when decoding throws). */
  async decode(decoder: StreamDecoder): Promise<DecodeResult[]> {
    const out: DecodeResult[] = [];
    try {
      /** where the kept rest of the previous piece starts in `cur` (SLACK: none) */
      let start = SLACK;
      /**
       * a rest longer than SLACK (a record longer than it, or broken quoting), kept apart in
       * long[0, longLength), the reads after it appended in room grown by doubling: a CSV quote
       * left open to the file's end keeps the rest of the file here, and a fresh copy of all of it
       * a read (Buffer.concat) made reading it quadratic (3.1 of 5.3 s over 57 MB)
       */
      let long: Buffer | undefined;
      let longLength = 0;
      let line = this.range?.line ?? 1;
      let atStart = (this.range?.start ?? 0) === 0;
      if (!atStart) await this.readPreamble(decoder);
      while (this.next) {
        const { bytesRead } = await this.next;
        this.next = undefined;
        this.position += bytesRead;
        const eof = bytesRead === 0;
        if (!eof) this.next = this.readInto(this.other);
        let piece: Buffer;
        if (long) {
          if (longLength + bytesRead > long.length) {
            const grown = Buffer.allocUnsafe(Math.max(longLength + bytesRead, Math.min(2 * long.length, MAX_LENGTH)));
            long.copy(grown, 0, 0, longLength);
            long = grown;
          }
          this.cur.copy(long, longLength, SLACK, SLACK + bytesRead);
          longLength += bytesRead;
          piece = long.subarray(0, longLength);
        } else {
          piece = this.cur.subarray(start, SLACK + bytesRead);
        }
        const cut = eof ? piece.length : decoder.split(piece, piece.length);
        let used = 0;
        if (cut > 0) {
          const r = decoder.decode(piece.subarray(0, cut), line, atStart, eof);
          if (r.batch.numRows > 0 || r.rejected.length > 0 || r.records > 0) out.push(r);
          line += r.lines;
          used = r.consumed ?? cut;
          if (used > 0) atStart = false;
        }
        const rest = piece.length - used;
        // at the file's end every decoder takes what is left (a broken record at worst)
        if (eof && rest > 0) throw new InternalError(`the decoder left ${rest} bytes at the end of a file unread`);
        if (rest <= SLACK) {
          piece.copy(this.other, SLACK - rest, used);
          start = SLACK - rest;
          long = undefined;
          longLength = 0;
        } else if (long) {
          // the rest stays in the buffer kept apart, moved to its front over what was decoded
          if (used > 0) long.copyWithin(0, used, longLength);
          longLength = rest;
        } else {
          long = Buffer.allocUnsafe(Math.max(rest, Math.min(2 * rest, MAX_LENGTH)));
          piece.copy(long, 0, used);
          longLength = rest;
        }
        [this.cur, this.other] = [this.other, this.cur];
      }
    } finally {
      await this.close();
    }
    return out;
  }

  /**
   * Before a range past the file's start: the file's preamble (a CSV header) decoded, so the decoder
   * knows the fields; its records were counted with the file's first part.
   */
  private async readPreamble(decoder: StreamDecoder): Promise<void> {
    const before = this.range!.start;
    for (let n = Math.min(PREAMBLE_READ, before); ; n = Math.min(2 * n, before)) {
      const head = Buffer.allocUnsafe(n);
      const { bytesRead } = await this.fh.read(head, 0, n, 0);
      // the preamble ends before the range: the range's start is a record boundary past it
      const end = decoder.preambleEnd(head.subarray(0, bytesRead)) ?? (n >= before ? bytesRead : undefined);
      if (end === undefined) continue;
      if (end > 0) decoder.decode(head.subarray(0, end), 1, true, false);
      return;
    }
  }

  /** Close the file (a read in flight ends first); its buffers go back. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.next) await this.next.catch(() => undefined);
    this.next = undefined;
    await this.fh.close();
    this.buffers.give(this.cur);
    this.buffers.give(this.other);
  }

  private readInto(b: Buffer): Read {
    const length = Math.min(this.buffers.chunkSize, this.limit - this.position);
    if (length <= 0) return Promise.resolve({ bytesRead: 0 });
    const read = this.fh.read(b, SLACK, length, this.position);
    // a read that fails before decode awaits it (a file opened ahead) is not an unhandled rejection
    read.catch(() => undefined);
    return read;
  }
}

/** A whole text file, read in chunks of `chunkSize` bytes and decoded by `decoder`. */
export async function readTextFile(file: string, decoder: StreamDecoder, chunkSize: number): Promise<DecodeResult[]> {
  const reader = await TextFileReader.open(file, new ChunkBuffers(Math.max(chunkSize, 4)));
  return reader.decode(decoder);
}
