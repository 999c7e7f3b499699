/**
 * Redis stream entry ids (`<milliseconds>-<sequence>`, both unsigned 64-bit): the redis source's
 * offsets. Compared as number pairs, exactly (BigInt beyond 2^53).
 */

const ID = /^(\d{1,20})(?:-(\d{1,20}))?$/;

export function isEntryId(s: string): boolean {
  return ID.test(s);
}

function parts(id: string): [bigint, bigint] {
  const m = ID.exec(id);
  if (!m) throw new Error(`not a stream entry id: ${id}`);
  return [BigInt(m[1]!), BigInt(m[2] ?? '0')];
}

/** Negative, zero or positive as `a` is before, at or after `b`. */
export function compareIds(a: string, b: string): number {
  const [am, as] = parts(a);
  const [bm, bs] = parts(b);
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

/** The id just before `id` (for an inclusive start given as an exclusive one). */
export function previousId(id: string): string {
  const [ms, seq] = parts(id);
  if (seq > 0n) return `${ms}-${seq - 1n}`;
  if (ms === 0n) return '0-0';
  return `${ms - 1n}-18446744073709551615`;
}
