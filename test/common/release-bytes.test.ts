/**
 * releaseBytes gives back the memory of an array its caller alone holds (a join block read back from
 * the spill file): the whole ArrayBuffer is detached at once, and arrays that are only a view of a
 * larger buffer (a Buffer from Node's pool, a subarray) are left alone, since others may view the rest.
 */
import { describe, expect, it } from 'vitest';
import { releaseBytes } from '../../src/common/release-bytes.js';

describe('releaseBytes', () => {
  it('detaches an array that is its whole buffer', () => {
    const a = new Uint8Array(1 << 20).fill(7);
    const view = new Int32Array(a.buffer, 8, 4);
    releaseBytes(a);
    expect(a.byteLength).toBe(0);
    expect(a.buffer.byteLength).toBe(0);
    expect(view.length).toBe(0); // every view of it goes too: why callers release only what nothing views
  });

  it('leaves views of part of a buffer, pooled Buffers and empty arrays as they are', () => {
    const whole = new Uint8Array(64).fill(1);
    const part = whole.subarray(8, 16);
    releaseBytes(part);
    expect(whole.byteLength).toBe(64);
    expect(part.byteLength).toBe(8);
    const pooled = Buffer.from('small bytes from the pool');
    releaseBytes(pooled);
    expect(pooled.toString()).toBe('small bytes from the pool');
    const tail = new Uint8Array(new ArrayBuffer(32), 4);
    releaseBytes(tail);
    expect(tail.byteLength).toBe(28);
    expect(() => releaseBytes(new Uint8Array(0))).not.toThrow();
  });
});
