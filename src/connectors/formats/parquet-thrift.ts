/**
 * The bytes of a Parquet file as they are built: a growable buffer, and Thrift's compact protocol
 * (the encoding of Parquet's page headers and footer) for the few structures the writer emits.
 * A struct is written field by field in increasing id order; `Thrift.struct` keeps the last id per
 * nesting level because the compact protocol encodes each field id as a delta from the previous one.
 */

/** A growable byte buffer. */
export class Bytes {
  buf: Uint8Array;
  length = 0;

  constructor(initial = 1024) {
    this.buf = new Uint8Array(initial);
  }

  ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = Math.max(64, this.buf.length * 2);
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.length);
    this.length += src.length;
  }

  /** Unsigned LEB128 of a non-negative integer below 2^53. */
  varint(v: number): void {
    this.ensure(8);
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  uint32le(v: number): void {
    this.ensure(4);
    const b = this.buf, p = this.length;
    b[p] = v & 0xff; b[p + 1] = (v >>> 8) & 0xff; b[p + 2] = (v >>> 16) & 0xff; b[p + 3] = (v >>> 24) & 0xff;
    this.length += 4;
  }

  result(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

/** Compact protocol type codes. */
const CT = { TRUE: 1, FALSE: 2, I32: 5, I64: 6, BINARY: 8, LIST: 9, STRUCT: 12 } as const;

/** A field value: i32 (number), i64 (bigint), binary (Uint8Array or string), bool, list, struct. */
export type ThriftValue =
  | { readonly t: 'i32'; readonly v: number }
  | { readonly t: 'i64'; readonly v: number | bigint }
  | { readonly t: 'bool'; readonly v: boolean }
  | { readonly t: 'binary'; readonly v: Uint8Array | string }
  | { readonly t: 'list'; readonly of: 'i32' | 'binary' | 'struct'; readonly v: readonly ThriftValue[] }
  | { readonly t: 'struct'; readonly v: ThriftStruct };

/** Field id → value (undefined fields are left out). */
export type ThriftStruct = ReadonlyArray<readonly [number, ThriftValue | undefined]>;

export const i32 = (v: number): ThriftValue => ({ t: 'i32', v });
export const i64 = (v: number | bigint): ThriftValue => ({ t: 'i64', v });
export const bool = (v: boolean): ThriftValue => ({ t: 'bool', v });
export const binary = (v: Uint8Array | string): ThriftValue => ({ t: 'binary', v });
export const struct = (v: ThriftStruct): ThriftValue => ({ t: 'struct', v });
export const list = (of: 'i32' | 'binary' | 'struct', v: readonly ThriftValue[]): ThriftValue => ({ t: 'list', of, v });

const encoder = new TextEncoder();

function zigzag32(out: Bytes, v: number): void {
  out.varint(((v << 1) ^ (v >> 31)) >>> 0);
}

function zigzag64(out: Bytes, v: number | bigint): void {
  const b = BigInt(v);
  let z = b >= 0n ? b << 1n : ((-b) << 1n) - 1n;
  out.ensure(10);
  while (z >= 0x80n) {
    out.buf[out.length++] = Number(z & 0x7fn) | 0x80;
    z >>= 7n;
  }
  out.buf[out.length++] = Number(z);
}

function typeCode(v: ThriftValue): number {
  switch (v.t) {
    case 'i32': return CT.I32;
    case 'i64': return CT.I64;
    case 'bool': return v.v ? CT.TRUE : CT.FALSE;
    case 'binary': return CT.BINARY;
    case 'list': return CT.LIST;
    case 'struct': return CT.STRUCT;
  }
}

function writeBody(out: Bytes, v: ThriftValue): void {
  switch (v.t) {
    case 'i32': zigzag32(out, v.v); return;
    case 'i64': zigzag64(out, v.v); return;
    case 'bool': out.byte(v.v ? 1 : 0); return; // only inside lists; fields carry it in their header
    case 'binary': {
      const b = typeof v.v === 'string' ? encoder.encode(v.v) : v.v;
      out.varint(b.length);
      out.bytes(b);
      return;
    }
    case 'list': {
      const code = v.of === 'i32' ? CT.I32 : v.of === 'binary' ? CT.BINARY : CT.STRUCT;
      if (v.v.length < 15) out.byte((v.v.length << 4) | code);
      else { out.byte(0xf0 | code); out.varint(v.v.length); }
      for (const e of v.v) writeBody(out, e);
      return;
    }
    case 'struct': writeStruct(out, v.v); return;
  }
}

/** A struct: each present field's header (id delta and type) and value, then the stop byte. */
export function writeStruct(out: Bytes, fields: ThriftStruct): void {
  let last = 0;
  for (const [id, v] of fields) {
    if (v === undefined) continue;
    const delta = id - last;
    if (delta > 0 && delta <= 15) out.byte((delta << 4) | typeCode(v));
    else { out.byte(typeCode(v)); zigzag32(out, id); }
    last = id;
    if (v.t !== 'bool') writeBody(out, v);
  }
  out.byte(0);
}
