/**
 * A file read at byte ranges (formats/decoded.ts RandomAccessFile): a Parquet file's footer and the
 * column chunks of the row groups a batch reads, an Arrow file's footer and record batches, and
 * nothing else of it. Each call opens the file and closes it again, so nothing stays open between
 * the batch that plans a part and the one that reads it (a file removed meanwhile fails its read
 * with ENOENT, which the source reports); several ranges wanted at once are one call.
 */
import { promises as fsp } from 'node:fs';
import type { RandomAccessFile } from '../formats/decoded.js';

export class FileAtRanges implements RandomAccessFile {
  constructor(private readonly file: string, readonly size: number) {}

  async read(start: number, end: number): Promise<Uint8Array> {
    return (await this.readRanges([[start, end]]))[0]!;
  }

  async readRanges(ranges: readonly (readonly [number, number])[]): Promise<Uint8Array[]> {
    const fh = await fsp.open(this.file, 'r');
    try {
      const out: Uint8Array[] = [];
      for (const [start, end] of ranges) {
        const from = Math.max(0, start);
        const length = Math.max(0, Math.min(end, this.size) - from);
        const bytes = new Uint8Array(length);
        let done = 0;
        while (done < length) {
          const { bytesRead } = await fh.read(bytes, done, length - done, from + done);
          // (shorter than when it was weighed: a damaged file, not an error of the file system)
          if (bytesRead === 0) throw new Error(`the file ends at byte ${from + done}, before byte ${from + length}`);
          done += bytesRead;
        }
        out.push(bytes);
      }
      return out;
    } finally {
      await fh.close();
    }
  }
}
