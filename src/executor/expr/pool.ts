/**
 * Scratch memory for the vectors of one kernel call.
 *
 * Fresh typed arrays cost a page fault per 4 KiB on first touch, which for a 1 M-row batch is more
 * than the arithmetic itself. A compiled kernel therefore owns a pool: vectors made during a call
 * take arrays from it, and when the call ends every array goes back, except those the output Arrow
 * columns kept (`keep`). Nothing made from the pool may outlive the call that made it (caches hold
 * only vectors keyed by that call's Input, or fresh arrays).
 */

export interface Alloc {
  /** A Float64Array of length n; its contents are unspecified. */
  f64(n: number): Float64Array;
  /** A Uint8Array of length n; its contents are unspecified. */
  u8(n: number): Uint8Array;
}

/** Plain allocation: for constant folding and anything outside a kernel call. */
export const HEAP: Alloc = {
  f64: (n) => new Float64Array(n),
  u8: (n) => new Uint8Array(n),
};

export class ScratchPool implements Alloc {
  private readonly freeF64: Float64Array[] = [];
  private readonly freeU8: Uint8Array[] = [];
  private usedF64: Float64Array[] = [];
  private usedU8: Uint8Array[] = [];

  f64(n: number): Float64Array {
    const a = take(this.freeF64, n) ?? new Float64Array(n);
    this.usedF64.push(a);
    return a.length === n ? a : a.subarray(0, n);
  }

  u8(n: number): Uint8Array {
    const a = take(this.freeU8, n) ?? new Uint8Array(n);
    this.usedU8.push(a);
    return a.length === n ? a : a.subarray(0, n);
  }

  /** The output holds this memory: never hand it out again. */
  keep(buffer: ArrayBufferLike): void {
    this.usedF64 = this.usedF64.filter((a) => a.buffer !== buffer);
    this.usedU8 = this.usedU8.filter((a) => a.buffer !== buffer);
  }

  /** The call is over: every array it used (and did not keep) is free again. */
  release(): void {
    for (const a of this.usedF64) this.freeF64.push(a);
    for (const a of this.usedU8) this.freeU8.push(a);
    this.usedF64 = [];
    this.usedU8 = [];
    // a pool follows the batch size; do not let it grow without bound
    if (this.freeF64.length > 64) this.freeF64.splice(0, this.freeF64.length - 64);
    if (this.freeU8.length > 64) this.freeU8.splice(0, this.freeU8.length - 64);
  }
}

/** The smallest free array of at least n elements (and not over 4x n, to keep memory in check). */
function take<A extends { length: number }>(free: A[], n: number): A | undefined {
  let best = -1;
  for (let i = 0; i < free.length; i++) {
    const len = free[i]!.length;
    if (len >= n && len <= 4 * n + 1024 && (best < 0 || len < free[best]!.length)) best = i;
  }
  if (best < 0) return undefined;
  const a = free[best]!;
  free[best] = free[free.length - 1]!;
  free.pop();
  return a;
}
