/**
 * A text file read in chunks and decoded piece by piece: each read fills a buffer, the decoder says
 * where its last whole record ends, those records are decoded and the rest is kept for the next
 * read. Memory is two chunks of text a file (four for the source, which opens the next file ahead)
 * plus the decoded columns, whatever the file's size (and a record longer than a chunk, whole).
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
import { promises as fsp } from 'node:fs';
import type { DecodeResult, StreamDecoder } from '../formats/decoded.js';

/** Room before each chunk for the rest of the record the previous chunk ended in. */
const SLACK = 64 * 1024;

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

/** An open text file whose next chunk is being read. */
export class TextFileReader {
  private cur: Buffer;
  private other: Buffer;
  private position = 0;
  private next: Read | undefined;
  private closed = false;

  private constructor(private readonly fh: fsp.FileHandle, private readonly buffers: ChunkBuffers) {
    this.cur = buffers.take();
    this.other = buffers.take();
    this.next = this.readInto(this.cur);
  }

  /** The file opened and its first chunk on its way (ENOENT and other errors of open reject). */
  static async open(file: string, buffers: ChunkBuffers): Promise<TextFileReader> {
    return new TextFileReader(await fsp.open(file, 'r'), buffers);
  }

  /** Every record of the file, piece by piece; the file is closed after (also when decoding throws). */
  async decode(decoder: StreamDecoder): Promise<DecodeResult[]> {
    const out: DecodeResult[] = [];
    try {
      /** where the kept rest of the previous piece starts in `cur` (SLACK: none) */
      let start = SLACK;
      /** a rest longer than SLACK (a record longer than it, or broken quoting), kept apart */
      let long: Buffer | undefined;
      let line = 1;
      let atStart = true;
      while (this.next) {
        const { bytesRead } = await this.next;
        this.next = undefined;
        this.position += bytesRead;
        const eof = bytesRead === 0;
        if (!eof) this.next = this.readInto(this.other);
        const fresh = this.cur.subarray(SLACK, SLACK + bytesRead);
        const piece = long ? Buffer.concat([long, fresh]) : this.cur.subarray(start, SLACK + bytesRead);
        long = undefined;
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
        if (rest <= SLACK) {
          piece.copy(this.other, SLACK - rest, used);
          start = SLACK - rest;
        } else {
          long = Buffer.from(piece.subarray(used));
        }
        [this.cur, this.other] = [this.other, this.cur];
      }
    } finally {
      await this.close();
    }
    return out;
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
    const read = this.fh.read(b, SLACK, this.buffers.chunkSize, this.position);
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
