/**
 * A small linear congruential generator (numbers in [0, 1)) and a pick over it: what the format
 * tests draw their random batches from, so a seed gives the same rows in each of them.
 */
export function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

/** One of `xs`, drawn with `r`. */
export const pick = <V,>(r: () => number, xs: readonly V[]): V => xs[Math.floor(r() * xs.length)]!;
