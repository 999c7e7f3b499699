/**
 * Temporary files for the large byte values of state (a join's blocks of rows) that an operator
 * should not keep in memory: live-entries.ts moves a store's oldest large values here once they add
 * up to more than its threshold, and reads them back when they are asked for.
 *
 * The files are segments of about SEGMENT_BYTES, appended to and never rewritten. Each is unlinked
 * as soon as it is opened, so a killed process leaves nothing behind; a segment is closed (its space
 * given back) once every value written to it has been released. Values are mostly released in the
 * order they were written (join rows expire, or leave a TTL, oldest first), so segments empty in turn.
 * Nothing here is durable: a checkpointing store still writes every value into its own files.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InternalError, WeirError } from '../common/errors.js';

const SEGMENT_BYTES = 64 * 1024 * 1024;
/** Small values (Top-N packs of a few hundred bytes) are gathered into writes of this size. */
const WRITE_BUFFER = 256 * 1024;

interface Segment {
  /** its number: its index in SpillArea.made */
  readonly no: number;
  readonly fd: number;
  /** bytes written */
  size: number;
  /** bytes written and not yet released */
  live: number;
}

/**
 * Where one spilled byte array is: a slot number, read back with SpillArea.read. A slot is a number,
 * not an object, because a store may hold hundreds of thousands of them (q18's Top-N partitions,
 * 504 K at 2 M events): as objects of three fields they took 23 MB of heap, as slots 20 bytes each
 * of typed arrays outside it. A released slot is given to a later write.
 */
export type SpilledBytes = number;

/** The arrays SpillArea.read made: each handed to one reader, who alone holds it (readBackCopy). */
const readBack = new WeakSet<ArrayBuffer>();

/**
 * Whether `bytes` is a copy SpillArea.read made (through a store's get of a spilled value): its one
 * reader may release it early (common/release-bytes.ts) once nothing views it. A value still held in
 * memory is the store's own and never is.
 */
export function readBackCopy(bytes: Uint8Array): boolean {
  return readBack.has(bytes.buffer as ArrayBuffer);
}

export class SpillArea {
  private current: Segment | undefined;
  private closed = false;
  /** every segment made, by number (undefined once closed) */
  private readonly made: (Segment | undefined)[] = [];
  /** per slot: its segment's number (-1 once released), offset and length */
  private segmentOf = new Int32Array(1024);
  private offsetOf = new Float64Array(1024);
  private lengthOf = new Float64Array(1024);
  private slots = 0;
  /** released slots, to reuse */
  private readonly free: number[] = [];
  /** bytes of the current segment not yet written to its file, from offset `current.size - pending` */
  private readonly buffer = new Uint8Array(WRITE_BUFFER);
  private pending = 0;

  /** `dir`: where the segments are made (the system's temporary directory by default). */
  constructor(private readonly dir: string = os.tmpdir(), private readonly segmentBytes = SEGMENT_BYTES) {}

  /** Write `bytes` to the current segment (a new one when it is full). */
  write(bytes: Uint8Array): SpilledBytes {
    if (this.closed) throw new InternalError('a state value spilled after its store was closed');
    let seg = this.current;
    if (seg === undefined || (seg.size > 0 && seg.size + bytes.byteLength > this.segmentBytes)) {
      this.flush();
      if (seg !== undefined && seg.live === 0) this.closeSegment(seg);
      seg = this.current = this.newSegment();
    }
    if (bytes.byteLength >= WRITE_BUFFER / 2) {
      this.flush();
      try {
        writeAll(seg.fd, bytes, seg.size);
      } catch (e) {
        throw spillError(this.dir, e);
      }
    } else {
      if (this.pending + bytes.byteLength > WRITE_BUFFER) this.flush();
      this.buffer.set(bytes, this.pending);
      this.pending += bytes.byteLength;
    }
    const at = this.slot(seg, seg.size, bytes.byteLength);
    seg.size += bytes.byteLength;
    seg.live += bytes.byteLength;
    return at;
  }

  /** A fresh copy of a spilled array's bytes. */
  read(at: SpilledBytes): Uint8Array {
    const seg = this.segmentAt(at);
    if (seg === undefined) throw new InternalError('a spilled state value read after it was released');
    const offset = this.offsetOf[at]!, length = this.lengthOf[at]!;
    const out = new Uint8Array(length);
    readBack.add(out.buffer);
    const unwritten = seg === this.current ? seg.size - this.pending : Infinity;
    if (offset >= unwritten) {
      out.set(this.buffer.subarray(offset - unwritten, offset - unwritten + length));
      return out;
    }
    let done = 0;
    while (done < length) {
      const n = fs.readSync(seg.fd, out, done, length - done, offset + done);
      if (n === 0) throw new InternalError(`a spilled state value ends early (${done} of ${length} bytes)`);
      done += n;
    }
    return out;
  }

  /** The array is no longer referenced: its slot is free, its segment closes when nothing in it is. */
  release(at: SpilledBytes): void {
    if (!(at >= 0 && at < this.slots) || this.segmentOf[at]! < 0) throw new InternalError(`spill slot ${at} released twice, or never written`);
    const seg = this.made[this.segmentOf[at]!];
    this.segmentOf[at] = -1;
    this.free.push(at);
    if (seg === undefined) return; // the area was closed
    seg.live -= this.lengthOf[at]!;
    if (seg.live === 0 && seg !== this.current) this.closeSegment(seg);
  }

  /** Bytes of the segments still open (live values and the released ones sharing their segments). */
  get bytesOnDisk(): number {
    let n = 0;
    for (const s of this.made) if (s !== undefined) n += s.size;
    return n;
  }

  /** Bytes of the values still referenced (not released). */
  get liveBytes(): number {
    let n = 0;
    for (const s of this.made) if (s !== undefined) n += s.live;
    return n;
  }

  /** Segments open (for tests: a released area holds none but the current). */
  get segments(): number {
    let n = 0;
    for (const s of this.made) if (s !== undefined) n++;
    return n;
  }

  close(): void {
    this.pending = 0;
    for (const s of this.made) if (s !== undefined) this.closeSegment(s);
    this.current = undefined;
    this.closed = true;
  }

  /** A slot for bytes at `offset` of `seg`: a released one, or a new one (the arrays grown by half). */
  private slot(seg: Segment, offset: number, length: number): SpilledBytes {
    let at = this.free.pop();
    if (at === undefined) {
      at = this.slots++;
      if (at === this.offsetOf.length) {
        const n = at + (at >> 1);
        this.segmentOf = grown(this.segmentOf, new Int32Array(n));
        this.offsetOf = grown(this.offsetOf, new Float64Array(n));
        this.lengthOf = grown(this.lengthOf, new Float64Array(n));
      }
    }
    this.segmentOf[at] = seg.no;
    this.offsetOf[at] = offset;
    this.lengthOf[at] = length;
    return at;
  }

  /** The segment of slot `at` (undefined: released, or its segment closed). */
  private segmentAt(at: SpilledBytes): Segment | undefined {
    if (!(at >= 0 && at < this.slots)) throw new InternalError(`spill slot ${at} was never written`);
    const no = this.segmentOf[at]!;
    return no < 0 ? undefined : this.made[no];
  }

  /** Write the buffered bytes to the current segment's file. */
  private flush(): void {
    const seg = this.current;
    if (seg === undefined || this.pending === 0) return;
    try {
      writeAll(seg.fd, this.buffer.subarray(0, this.pending), seg.size - this.pending);
    } catch (e) {
      throw spillError(this.dir, e);
    }
    this.pending = 0;
  }

  private newSegment(): Segment {
    // a directory of its own, so the name cannot collide with anything; file and directory are
    // removed at once and the open descriptor keeps the space until the segment closes
    let fd: number;
    try {
      const dir = fs.mkdtempSync(path.join(this.dir, 'weir-spill-'));
      const file = path.join(dir, 'segment');
      fd = fs.openSync(file, 'w+', 0o600);
      fs.unlinkSync(file);
      fs.rmdirSync(dir);
    } catch (e) {
      throw spillError(this.dir, e);
    }
    const seg: Segment = { no: this.made.length, fd, size: 0, live: 0 };
    this.made.push(seg);
    return seg;
  }

  private closeSegment(seg: Segment): void {
    this.made[seg.no] = undefined;
    if (this.current === seg) {
      this.current = undefined;
      this.pending = 0;
    }
    fs.closeSync(seg.fd);
  }
}

function grown<A extends Int32Array | Float64Array>(a: A, into: A): A {
  into.set(a);
  return into;
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.byteLength) done += fs.writeSync(fd, bytes, done, bytes.byteLength - done, position + done);
}

/** A spill file that cannot be made or written (a full disk, a missing TMPDIR) stops the query saying so and how to avoid it. */
function spillError(dir: string, e: unknown): WeirError {
  const why = e instanceof Error ? e.message : String(e);
  return new WeirError('STATE', `cannot write state to a spill file in ${dir}: ${why}; ` +
    `point TMPDIR at a disk with room, or SET 'state.spill-threshold' = '0' to keep all state in memory`);
}
