/**
 * A file read at byte ranges (formats/decoded.ts RandomAccessFile): a Parquet file's footer and the
 * column chunks of the row groups a batch reads, and nothing else of it. Each read opens the file
 * and closes it again, so nothing stays open between the batch that plans a part and the one that
 * reads it (a file removed meanwhile fails its read with ENOENT, which the source reports).
 */
import { promises as fsp } from 'node:fs';
import type { RandomAccessFile } from '../formats/decoded.js';

export class FileAtRanges implements RandomAccessFile {
  constructor(private readonly file: string, readonly size: number) {}

  async read(start: number, end: number): Promise<Uint8Array> {
    const from = Math.max(0, start);
    const length = Math.max(0, Math.min(end, this.size) - from);
    const out = new Uint8Array(length);
    const fh = await fsp.open(this.file, 'r');
    try {
      let done = 0;
      while (done < length) {
        const { bytesRead } = await fh.read(out, done, length - done, from + done);
        if (bytesRead === 0) throw new Error(`${this.file} ended at byte ${from + done}, before byte ${from + length}`);
        done += bytesRead;
      }
    } finally {
      await fh.close();
    }
    return out;
  }
}
