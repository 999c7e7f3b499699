/**
 * Give a byte array's memory back now instead of when the collector finds it dead.
 *
 * Why: a join side reads a spilled block back (a fresh copy of a few MB) to take a few rows, and lets
 * it go a batch or two later. By then the array's wrapper has outlived two young-generation
 * collections, so its bytes wait for a full collection; at q23's rate (2.7 GB read back over 2 M
 * events) that cost about 30 MB of its peak RSS (issue 12 item 3). Transferring the
 * ArrayBuffer moves its bytes to a new wrapper nobody holds, which the next young collection frees;
 * the old wrapper is detached (length 0), so a stale view reads nothing rather than old bytes.
 *
 * Only for bytes the caller alone holds, the whole of their ArrayBuffer (spill-area.ts's readBackCopy
 * says which). Anything still viewing them afterwards would read zeros and undefined.
 */
export function releaseBytes(bytes: Uint8Array): void {
  const buffer = bytes.buffer;
  if (!(buffer instanceof ArrayBuffer) || bytes.byteOffset !== 0 || bytes.byteLength !== buffer.byteLength || buffer.byteLength === 0) return;
  structuredClone(buffer, { transfer: [buffer] });
}
