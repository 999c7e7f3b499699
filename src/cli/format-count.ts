/**
 * Counts and rates as `weir run` prints them: rounded to a whole number, thousands grouped by commas
 * (`1,840,000`), as Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }) writes them. Written
 * out for the numbers the CLI prints (finite, not negative, below 1e21, where a number's own text
 * has every digit) because Intl's first use sets up ICU's locale data: 25-30 ms of every `weir run`,
 * more than the rest of its summary. Anything else goes to Intl.
 */
let intl: Intl.NumberFormat | undefined;

export function formatCount(n: number): string {
  if (!(n >= 0 && n < 1e21) || Object.is(n, -0)) return (intl ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })).format(n);
  const digits = String(Math.round(n));
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += ',' + digits.slice(i, i + 3);
  return out;
}
