/**
 * Snappy (the Parquet sink's default codec), both ways. Compression is written for speed over
 * ratio: greedy matching of runs of 8 bytes or more through a 16 K-entry hash table of 4-byte
 * sequences, per 64 KB block (so every copy's offset fits its two bytes), stepping faster through
 * data that does not match (the reference implementation's heuristic), so incompressible pages cost
 * little more than a copy. Decompression (for the columnar Parquet read) moves long literals and
 * copies as one memcpy each.
 *
 * The stream: the uncompressed length as a varint, then literals and copies
 * (https://github.com/google/snappy/blob/main/format_description.txt).
 */

const BLOCK = 1 << 16;
const HASH_BITS = 14;
const table = new Int32Array(1 << HASH_BITS);

const hash = (v: number): number => Math.imul(v, 0x1e35a7bd) >>> (32 - HASH_BITS);

/** The output buffer, reused: a page's compressed bytes are copied into the file at once. */
let scratch = new Uint8Array(1 << 16);

/**
 * The concatenation of `parts` compressed as one Snappy stream (each part in its own blocks, so a
 * page's definition levels and values need not be copied together first). The result is a view of
 * a buffer the next call overwrites.
 */
export function snappyCompress(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const need = 32 + n + Math.ceil(n / 6) + 8 * parts.length;
  if (scratch.length < need) scratch = new Uint8Array(Math.max(need, scratch.length * 2));
  const out = scratch;
  let op = 0;
  for (let v = n; ; v = Math.floor(v / 128)) {
    if (v < 128) { out[op++] = v; break; }
    out[op++] = (v & 0x7f) | 0x80;
  }

  let input = parts[0] ?? new Uint8Array(0);
  const literal = (from: number, to: number): void => {
    const len = to - from;
    if (len === 0) return;
    const l = len - 1;
    if (l < 60) out[op++] = l << 2;
    else if (l < 0x100) { out[op++] = 60 << 2; out[op++] = l; }
    else if (l < 0x10000) { out[op++] = 61 << 2; out[op++] = l & 0xff; out[op++] = l >>> 8; }
    else if (l < 0x1000000) { out[op++] = 62 << 2; out[op++] = l & 0xff; out[op++] = (l >>> 8) & 0xff; out[op++] = l >>> 16; }
    else { out[op++] = 63 << 2; out[op++] = l & 0xff; out[op++] = (l >>> 8) & 0xff; out[op++] = (l >>> 16) & 0xff; out[op++] = l >>> 24; }
    if (len < 32) for (let k = from; k < to; k++) out[op++] = input[k]!; // no subarray for short runs
    else { out.set(input.subarray(from, to), op); op += len; }
  };
  const copy2 = (offset: number, len: number): void => {
    out[op++] = ((len - 1) << 2) | 2;
    out[op++] = offset & 0xff;
    out[op++] = offset >>> 8;
  };
  const copy = (offset: number, len: number): void => {
    while (len >= 68) { copy2(offset, 64); len -= 64; }
    if (len > 64) { copy2(offset, 60); len -= 60; }
    if (len >= 12 || offset >= 2048) copy2(offset, len);
    else { out[op++] = ((offset >>> 8) << 5) | ((len - 4) << 2) | 1; out[op++] = offset & 0xff; }
  };

  for (const part of parts) {
    input = part;
    // 4-byte loads as one unaligned read each (a DataView's are, once optimised) instead of four
    // byte loads and shifts: the search and the extension of a match read words
    const dv = new DataView(part.buffer, part.byteOffset, part.byteLength);
    const size = part.length;
    for (let start = 0; start < size; start += BLOCK) {
      const end = Math.min(size, start + BLOCK);
      let emitted = start;
      if (end - start >= 16) {
        table.fill(-1);
        const limit = end - 4;
        let ip = start, skip = 32;
        while (ip < limit) {
          const v = dv.getUint32(ip, true);
          const h = hash(v);
          const cand = table[h]!;
          table[h] = ip;
          // a match must run 8 bytes: 4-byte ones are mostly chance in text (26^4 sequences), save
          // little, and each one would reset the skipping that makes incompressible data cheap
          if (cand >= start && ip + 8 <= end && dv.getUint32(cand, true) === v && dv.getUint32(cand + 4, true) === dv.getUint32(ip + 4, true)) {
            literal(emitted, ip);
            let len = 8;
            while (ip + len + 4 <= end && dv.getUint32(cand + len, true) === dv.getUint32(ip + len, true)) len += 4;
            while (ip + len < end && input[cand + len] === input[ip + len]) len++;
            copy(ip - cand, len);
            ip += len;
            emitted = ip;
            skip = 32;
          } else {
            ip += skip >> 5;
            skip++;
          }
        }
      }
      literal(emitted, end);
    }
  }
  return out.subarray(0, op);
}

/**
 * Uncompress a Snappy stream into `output`, which must be exactly as long as the stream says.
 * Long literals and copies that do not overlap their source move as one memcpy (a copy is at most
 * 64 bytes, a literal as long as the page), the rest byte by byte; a malformed stream throws.
 */
export function snappyUncompress(input: Uint8Array, output: Uint8Array): void {
  const n = input.length;
  let ip = 0, length = 0, scale = 1, c: number;
  do {
    if (ip >= n) throw new Error('snappy: the stream ends in its length');
    c = input[ip++]!;
    length += (c & 0x7f) * scale;
    scale *= 128;
  } while (c & 0x80);
  if (length !== output.length) throw new Error(`snappy: the stream holds ${length} bytes, not ${output.length}`);
  let op = 0;
  while (ip < n) {
    const tag = input[ip++]!;
    let len: number, offset: number;
    switch (tag & 3) {
      case 0: {
        len = (tag >>> 2) + 1;
        if (len > 60) {
          const bytes = len - 60;
          if (ip + bytes > n) throw new Error('snappy: a literal length past the end');
          len = 0;
          for (let k = bytes - 1; k >= 0; k--) len = len * 256 + input[ip + k]!;
          len += 1;
          ip += bytes;
        }
        if (ip + len > n || op + len > length) throw new Error('snappy: a literal past the end');
        if (len < 16) for (let k = 0; k < len; k++) output[op + k] = input[ip + k]!;
        else output.set(input.subarray(ip, ip + len), op);
        ip += len;
        op += len;
        continue;
      }
      case 1:
        if (ip >= n) throw new Error('snappy: a copy past the end');
        len = ((tag >>> 2) & 7) + 4;
        offset = ((tag >>> 5) << 8) | input[ip++]!;
        break;
      case 2:
        if (ip + 2 > n) throw new Error('snappy: a copy past the end');
        len = (tag >>> 2) + 1;
        offset = input[ip]! | (input[ip + 1]! << 8);
        ip += 2;
        break;
      default:
        if (ip + 4 > n) throw new Error('snappy: a copy past the end');
        len = (tag >>> 2) + 1;
        offset = (input[ip]! | (input[ip + 1]! << 8) | (input[ip + 2]! << 16)) + input[ip + 3]! * 0x1000000;
        ip += 4;
    }
    if (offset === 0 || offset > op) throw new Error('snappy: a copy from before the start');
    if (op + len > length) throw new Error('snappy: a copy past the end');
    const from = op - offset;
    // an overlapping copy repeats the last `offset` bytes: it must go byte by byte, in order
    if (offset >= len && len >= 16) output.copyWithin(op, from, from + len);
    else for (let k = 0; k < len; k++) output[op + k] = output[from + k]!;
    op += len;
  }
  if (op !== length) throw new Error('snappy: the stream ends early');
}
