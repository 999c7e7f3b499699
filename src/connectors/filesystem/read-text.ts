/**
 * A text file read in chunks and decoded piece by piece: each read fills a buffer, the decoder says
 * where its last whole record ends, those records are decoded and the rest is kept for the next
 * read. Memory is one chunk of text (the buffer grows only for a record longer than a chunk) plus
 * the decoded columns, whatever the file's size.
 */
import { promises as fsp } from 'node:fs';
import type { DecodeResult, StreamDecoder } from '../formats/decoded.js';

export async function readTextFile(file: string, decoder: StreamDecoder, chunkSize: number): Promise<DecodeResult[]> {
  const fh = await fsp.open(file, 'r');
  const out: DecodeResult[] = [];
  try {
    let buf = Buffer.allocUnsafe(Math.max(chunkSize, 4));
    let len = 0;
    let line = 1;
    let atStart = true;
    for (;;) {
      if (len === buf.length) {
        // a record longer than the buffer: make room for more of it
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
      }
      const want = Math.min(buf.length - len, Math.max(chunkSize, 1));
      const { bytesRead } = await fh.read(buf, len, want, null);
      len += bytesRead;
      const eof = bytesRead === 0;
      const cut = eof ? len : decoder.split(buf, len);
      if (cut > 0) {
        const r = decoder.decode(buf.subarray(0, cut), line, atStart, eof);
        if (r.batch.numRows > 0 || r.rejected.length > 0 || r.records > 0) out.push(r);
        line += r.lines;
        const used = r.consumed ?? cut;
        if (used > 0) atStart = false;
        buf.copy(buf, 0, used, len);
        len -= used;
      }
      if (eof) break;
    }
  } finally {
    await fh.close();
  }
  return out;
}
