/**
 * Literals: numbers typed from their text (as Flink), typed literals (TIMESTAMP '…', DATE '…') and
 * INTERVALs, all as constant values of the JS value table in common/types.ts.
 */
import type { SourceSpan } from '../../common/errors.js';
import { WeirError } from '../../common/errors.js';
import type { SqlType } from '../../common/types.js';
import { T, typeToString } from '../../common/types.js';
import { canonicalInt64 } from '../../common/int64.js';
import type { IntervalExpr, LiteralExpr, TypedLiteralExpr } from '../../parser/ast.js';
import type { BoundExpr, Literal } from '../expr.js';

const INT_MAX = 2 ** 31 - 1;
const INT_MIN = -(2 ** 31);
const BIGINT_MAX = 2n ** 63n - 1n;
const BIGINT_MIN = -(2n ** 63n);

const withSpan = (value: Literal['value'], type: SqlType, span: SourceSpan): Literal => ({ kind: 'literal', value, type, span });

/**
 * A numeric literal from its text: integers are INT, or BIGINT when they do not fit (DECIMAL beyond
 * BIGINT); text with a point is an exact DECIMAL(p, s); text with an exponent is a DOUBLE.
 */
export function numberLiteral(text: string, span: SourceSpan): Literal {
  const t = text.trim();
  if (/[eE]/.test(t)) return withSpan(Number(t), T.DOUBLE, span);
  const negative = t.startsWith('-');
  const body = t.replace(/^[-+]/, '');
  const dot = body.indexOf('.');
  if (dot < 0) {
    const n = BigInt(body) * (negative ? -1n : 1n);
    if (n >= BigInt(INT_MIN) && n <= BigInt(INT_MAX)) return withSpan(Number(n), T.INT, span);
    if (n >= BIGINT_MIN && n <= BIGINT_MAX) return withSpan(canonicalInt64(n), T.BIGINT, span);
    throw new WeirError('TYPE', `numeric literal ${t} is out of range: an integer literal is at most ${BIGINT_MAX} (write a DOUBLE with an exponent, 1E20)`, span);
  }
  const scale = body.length - dot - 1;
  const unscaled = (body.slice(0, dot) + body.slice(dot + 1)).replace(/^0+/, '');
  const precision = Math.max(unscaled.length, scale, 1);
  if (precision > 38) return withSpan(Number(t), T.DOUBLE, span);
  // a DECIMAL is its unscaled integer (common/decimal.ts), which must fit an int64
  const u = BigInt(unscaled || '0') * (negative ? -1n : 1n);
  if (u > BIGINT_MAX || u < BIGINT_MIN) {
    throw new WeirError('TYPE', `numeric literal ${t} has more digits than a DECIMAL holds (at most ${BIGINT_MAX} unscaled: 18 digits); write it as a DOUBLE with an exponent (${Number(t)}E0)`, span);
  }
  return withSpan(canonicalInt64(u), T.decimal(precision, scale), span);
}

export function bindLiteral(e: LiteralExpr): Literal {
  switch (e.literalType) {
    case 'number': return numberLiteral(String(e.value), e.span);
    case 'string': return withSpan(String(e.value), T.VARCHAR, e.span);
    case 'boolean': return withSpan(e.value === true || e.value === 'TRUE' || e.value === 'true', T.BOOLEAN, e.span);
    case 'null': return withSpan(null, T.NULL, e.span);
  }
}

const TIMESTAMP_RE = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?\s*$/;

/** Epoch milliseconds of 'YYYY-MM-DD[ HH:MM[:SS[.fff]]]' read as UTC, or undefined when malformed. */
export function parseTimestamp(text: string): number | undefined {
  const m = TIMESTAMP_RE.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000 + 1e-9) : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const v = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Date.UTC rolls 2021-02-30 over into March: reject dates that do not exist.
  if (new Date(v).getUTCDate() !== d) return undefined;
  return v;
}

export function bindTypedLiteral(e: TypedLiteralExpr): BoundExpr {
  switch (e.type.kind) {
    case 'TIMESTAMP': {
      const v = parseTimestamp(e.value);
      if (v === undefined) {
        throw new WeirError('TYPE', `invalid ${typeToString(e.type).replace(/\(\d+\)/, '')} literal '${e.value}': expected 'YYYY-MM-DD HH:MM:SS[.fff]'`, e.span);
      }
      // Values are held in milliseconds: the literal is a TIMESTAMP(3) whatever precision it was written with.
      return withSpan(v, e.type.ltz ? T.TIMESTAMP_LTZ : T.TIMESTAMP, e.span);
    }
    case 'DATE': {
      const v = /^\s*\d{4}-\d{1,2}-\d{1,2}\s*$/.test(e.value) ? parseTimestamp(e.value) : undefined;
      if (v === undefined) throw new WeirError('TYPE', `invalid DATE literal '${e.value}': expected 'YYYY-MM-DD'`, e.span);
      return withSpan(v / 86_400_000, T.DATE, e.span);
    }
    default:
      // Other typed literals (`DECIMAL '1.5'`, …) are a cast of the string.
      return { kind: 'cast', operand: withSpan(e.value, T.VARCHAR, e.span), type: e.type, try: false, span: e.span };
  }
}

const UNIT_MS: Readonly<Record<'DAY' | 'HOUR' | 'MINUTE' | 'SECOND' | 'MILLISECOND', number>> = {
  DAY: 86_400_000, HOUR: 3_600_000, MINUTE: 60_000, SECOND: 1000, MILLISECOND: 1,
};
const UNIT_ORDER = ['DAY', 'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND'] as const;

/**
 * `INTERVAL '10' SECOND` → 10000 ms; `INTERVAL '1:30' MINUTE TO SECOND` → 90000 ms. Months and years
 * have no fixed length in milliseconds, so they are refused rather than approximated.
 */
export function bindInterval(e: IntervalExpr): Literal {
  for (const u of [e.unit, e.toUnit]) {
    if (u === 'YEAR' || u === 'MONTH') {
      throw new WeirError('UNSUPPORTED', `INTERVAL ... ${u} is not supported yet: months and years have no fixed length; use DAY, HOUR, MINUTE or SECOND`, e.span);
    }
  }
  const from = e.unit as keyof typeof UNIT_MS;
  const to = (e.toUnit ?? e.unit) as keyof typeof UNIT_MS;
  const units = UNIT_ORDER.slice(UNIT_ORDER.indexOf(from), UNIT_ORDER.indexOf(to) + 1);
  let text = e.value.trim();
  let sign = 1;
  if (text.startsWith('-') || text.startsWith('+')) {
    if (text.startsWith('-')) sign = -1;
    text = text.slice(1).trim();
  }
  const parts = units.length <= 1 ? [text] : text.split(/[ :]/);
  const bad = (): WeirError => new WeirError('TYPE', `invalid INTERVAL value '${e.value}' for ${e.unit}${e.toUnit ? ` TO ${e.toUnit}` : ''}`, e.span);
  if (units.length === 0 || parts.length !== units.length) throw bad();
  let ms = 0;
  parts.forEach((p, i) => {
    const last = i === parts.length - 1;
    if (!(last ? /^\d+(\.\d+)?$/ : /^\d+$/).test(p)) throw bad();
    ms += Number(p) * UNIT_MS[units[i]!];
  });
  return withSpan(sign * Math.round(ms), T.INTERVAL, e.span);
}
