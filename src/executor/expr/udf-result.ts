/**
 * What a user-defined function returns, checked against the SQL type it declared.
 *
 * A JavaScript function can return anything; the column it feeds holds one SQL type. Coercing (the
 * builder's `Number('str')`) would turn a mistake into a wrong answer (0), so each result is checked:
 * a value of the declared type passes (in its kernel form), NULL and undefined are NULL, and anything
 * else fails the query naming the function and the value. A Promise is refused with the reason: a
 * scalar function is called once per row inside a synchronous kernel (as Flink's `eval`), so there is
 * nothing that could wait for it.
 */
import { fromApiValue } from '../../common/columns.js';
import { mapEntries, multisetOf } from '../../common/collections.js';
import { fitDecimal } from '../../common/decimal.js';
import type { SourceSpan } from '../../common/errors.js';
import { assertNever } from '../../common/errors.js';
import { int64FromValue } from '../../common/int64.js';
import type { SqlType } from '../../common/types.js';
import { typeToString } from '../../common/types.js';
import { runtimeError } from './node.js';

const MS_PER_DAY = 86_400_000;
const FLOAT_MAX = 3.4028234663852886e38;
const INT_RANGE: Readonly<Record<'TINYINT' | 'SMALLINT' | 'INT', readonly [number, number]>> = {
  TINYINT: [-128, 127], SMALLINT: [-32768, 32767], INT: [-2147483648, 2147483647],
};

/** The kernel value of `v` as type `t`, or a sentence saying why it is not one (a string starting 'not'). */
type Check = (v: unknown) => { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly why: string };

const ok = (value: unknown) => ({ ok: true as const, value });
const no = (why: string) => ({ ok: false as const, why });

function isPromiseLike(v: unknown): boolean {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** How a rejected result shows in the error: JSON-like, cut short. */
export function showJsValue(v: unknown): string {
  let text: string;
  if (typeof v === 'string') text = JSON.stringify(v);
  else if (typeof v === 'bigint') text = `${v}n`;
  else if (v instanceof Date) text = Number.isNaN(v.getTime()) ? 'Invalid Date' : `Date(${v.toISOString()})`;
  else if (typeof v === 'function') text = `function ${v.name || '(anonymous)'}`;
  else if (typeof v === 'object' && v !== null) {
    try { text = JSON.stringify(v) ?? String(v); } catch { text = Object.prototype.toString.call(v); }
  } else text = String(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function checkerFor(t: SqlType): Check {
  switch (t.kind) {
    case 'BOOLEAN':
      return (v) => (typeof v === 'boolean' ? ok(v) : no('not a boolean'));
    case 'TINYINT': case 'SMALLINT': case 'INT': {
      const [lo, hi] = INT_RANGE[t.kind];
      return (v) => {
        const n = typeof v === 'bigint' ? Number(v) : v;
        if (typeof n !== 'number' || !Number.isInteger(n)) return no('not an integer');
        return n < lo || n > hi ? no(`out of range [${lo}, ${hi}]`) : ok(n === 0 ? 0 : n);
      };
    }
    case 'BIGINT':
      return (v) => {
        if (typeof v !== 'number' && typeof v !== 'bigint') return no('not an integer');
        if (typeof v === 'number' && !Number.isInteger(v)) return no('not an integer');
        const x = int64FromValue(v);
        return x === undefined ? no('out of the BIGINT range') : ok(x);
      };
    case 'FLOAT':
      return (v) => {
        if (typeof v !== 'number') return no('not a number');
        return Number.isFinite(v) && Math.abs(v) > FLOAT_MAX ? no('out of the FLOAT range') : ok(v);
      };
    case 'DOUBLE':
    case 'INTERVAL':
      return (v) => (typeof v === 'number' ? ok(v) : no('not a number'));
    case 'DECIMAL': {
      // a number (or decimal text) as the API gives it, held as its unscaled integer (common/decimal.ts)
      return (v) => {
        if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'bigint') return no('not a number');
        if (typeof v === 'number' && !Number.isFinite(v)) return no('not a finite number');
        const u = fromApiValue(v, t);
        if (u === null) return no('not a number');
        return fitDecimal(BigInt(u as number | bigint), t.precision) === undefined ? no(`out of range for ${typeToString(t)}`) : ok(u);
      };
    }
    case 'VARCHAR':
      return (v) => (typeof v === 'string' ? ok(v) : no('not a string'));
    case 'DATE':
      // a Date is a calendar day in UTC; a number is already the kernel form (days since 1970-01-01)
      return (v) => {
        if (v instanceof Date) return Number.isNaN(v.getTime()) ? no('an invalid Date') : ok(Math.floor(v.getTime() / MS_PER_DAY));
        return typeof v === 'number' && Number.isInteger(v) ? ok(v) : no('not a Date nor a whole number of days');
      };
    case 'TIMESTAMP':
      return (v) => {
        if (v instanceof Date) return Number.isNaN(v.getTime()) ? no('an invalid Date') : ok(v.getTime());
        return typeof v === 'number' && Number.isFinite(v) ? ok(Math.floor(v)) : no('not a Date nor epoch milliseconds');
      };
    case 'ROW': {
      const fields = t.fields.map((f) => ({ name: f.name, check: checkerFor(f.type) }));
      return (v) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Date) return no('not an object');
        const src = v as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        for (const f of fields) {
          const x = src[f.name];
          if (x === null || x === undefined) { out[f.name] = null; continue; }
          const r = f.check(x);
          if (!r.ok) return no(`a row whose field '${f.name}' is ${showJsValue(x)}, ${r.why}`);
          out[f.name] = r.value;
        }
        return ok(out);
      };
    }
    case 'ARRAY': {
      const check = checkerFor(t.element);
      return (v) => {
        if (!Array.isArray(v)) return no('not an array');
        const out = new Array<unknown>(v.length);
        for (let i = 0; i < v.length; i++) {
          const x = v[i];
          if (x === null || x === undefined) { out[i] = null; continue; }
          const r = check(x);
          if (!r.ok) return no(`an array whose element ${i + 1} is ${showJsValue(x)}, ${r.why}`);
          out[i] = r.value;
        }
        return ok(out);
      };
    }
    case 'MAP': case 'MULTISET': {
      const checkKey = checkerFor(t.kind === 'MAP' ? t.key : t.element);
      const checkValue = checkerFor(t.kind === 'MAP' ? t.value : { kind: 'INT' });
      return (v) => {
        if (typeof v !== 'object' || v === null || v instanceof Date) return no('not a Map');
        if (t.kind === 'MAP' && Array.isArray(v)) return no('not a Map');
        const out = new Map<unknown, unknown>();
        for (const [k, x] of mapEntries(t.kind === 'MULTISET' ? multisetOf(v) : v)) {
          const rk = k === null || k === undefined ? no('a NULL key') : checkKey(k);
          if (!rk.ok) return no(`a map with key ${showJsValue(k)}, ${rk.why}`);
          const rv = x === null || x === undefined ? ok(null) : checkValue(x);
          if (!rv.ok) return no(`a map whose value at ${showJsValue(k)} is ${showJsValue(x)}, ${rv.why}`);
          out.set(rk.value, rv.value);
        }
        return ok(out);
      };
    }
    case 'NULL':
      return () => no('not NULL');
    default:
      return assertNever(t, 'SQL type');
  }
}

/**
 * The check of function `name`'s results against its declared type `t`: returns the kernel value,
 * null for NULL/undefined, and throws a RUNTIME error naming the function, the value and the call
 * (`call()` shows it, only when needed) otherwise.
 */
export function udfResultChecker(name: string, t: SqlType, span: SourceSpan | undefined): (v: unknown, call: () => string) => unknown {
  const check = checkerFor(t);
  const declared = typeToString(t);
  return (v, call) => {
    if (v === null || v === undefined) return null;
    if (isPromiseLike(v)) {
      throw runtimeError(`function ${name} returned a Promise on the row with ${call()}: async functions are not supported; `
        + 'a scalar function must return its value synchronously (load what it needs before the query starts)', span);
    }
    const r = check(v);
    if (r.ok) return r.value;
    throw runtimeError(`function ${name} returned ${showJsValue(v)} on the row with ${call()}, which is ${r.why}: it declares ${declared}`, span);
  };
}
