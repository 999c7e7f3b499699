/**
 * A user-defined aggregate (UDAF, engine/function-kinds.ts) as an Accumulator: its state is
 * `[acc]`, the user's accumulator, saved in the operator's state store like the built-in states.
 *
 * The accumulator must be plain data (numbers, strings, booleans, null, arrays, plain objects): it is
 * written to the checkpoint as JSON and read back after a restart, so anything else (a Map, a class
 * instance, a function) would come back changed. It is checked each time a group is saved, which is
 * the state a checkpoint holds, and refused there with the path to the value that is not plain data.
 */
import type { SourceSpan } from '../../../common/errors.js';
import { WeirError } from '../../../common/errors.js';
import type { UserAggregate } from '../../../common/user-function-types.js';
import { udfResultChecker } from '../../expr/udf-result.js';
import type { AccState, Accumulator } from './accumulators.js';

/** Where `v` is not plain data, as a path (`acc.items[2]`), with what it is; undefined when it is. */
export function notPlainData(v: unknown, at: string): string | undefined {
  if (v === null) return undefined;
  switch (typeof v) {
    case 'number': return Number.isFinite(v) ? undefined : `${at} is ${v}, which JSON cannot hold`;
    case 'string': case 'boolean': case 'bigint': return undefined;
    case 'object': {
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const bad = notPlainData(v[i], `${at}[${i}]`);
          if (bad) return bad;
        }
        return undefined;
      }
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        return `${at} is a ${(v as object).constructor?.name ?? 'non-plain object'}, not a plain object or array`;
      }
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (x === undefined) continue;
        const bad = notPlainData(x, `${at}.${k}`);
        if (bad) return bad;
      }
      return undefined;
    }
    default: return `${at} is ${typeof v === 'undefined' ? 'undefined' : `a ${typeof v}`}`;
  }
}

/** A deep copy of plain data (a group's working copy must not share the stored accumulator). */
function copyPlain(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(copyPlain);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = copyPlain(x);
  return out;
}

const shown = (v: unknown): string => {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return `'${(v.length > 80 ? `${v.slice(0, 77)}...` : v).replace(/'/g, "''")}'`;
  if (typeof v === 'bigint') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

export interface JsAccumulator extends Accumulator {
  /** Throws when the state cannot be checkpointed (not plain data). */
  checkState(s: AccState): void;
}

/** The Accumulator of UDAF `f`; its argument `v` is the row's argument values, as an array. */
export function jsAccumulator(f: UserAggregate, span: SourceSpan | undefined): JsAccumulator {
  const { def, name } = f;
  const call = (method: string, args: readonly unknown[], run: () => unknown): unknown => {
    try {
      return run();
    } catch (e) {
      const row = args.length > 0 ? ` on the row with ${name}(${args.map(shown).join(', ')})` : '';
      throw new WeirError('RUNTIME', `function ${name} failed in ${method}${row}: ${e instanceof Error ? e.message : String(e)}`, span);
    }
  };
  const checkResult = udfResultChecker(name, f.returns, span);
  const step = (method: 'accumulate' | 'retract', s: AccState, v: unknown): void => {
    const args = v as unknown[];
    const fn = def[method]!;
    const r = call(method, args, () => fn.call(def, s[0], ...args));
    if (r !== undefined) s[0] = r;
  };
  return {
    init: () => [call('create', [], () => def.create())],
    add: (s, v) => step('accumulate', s, v),
    retract: (s, v) => {
      if (!def.retract) throw new WeirError('RUNTIME', `function ${name} has no retract method, and a retraction reached it`, span);
      step('retract', s, v);
    },
    result: (s) => {
      const r = call('result', [], () => def.result(s[0]));
      return checkResult(r, () => `accumulator ${shown(s[0])}`);
    },
    copy: (s) => [copyPlain(s[0])],
    merge: (s, o) => {
      if (!def.merge) {
        throw new WeirError('UNSUPPORTED', `function ${name} has no merge method, which merging session windows needs: add merge(a, b) returning the merged accumulator`, span);
      }
      const r = call('merge', [], () => def.merge!(s[0], copyPlain(o[0])));
      if (r !== undefined) s[0] = r;
    },
    checkState: (s) => {
      const bad = notPlainData(s[0], 'the accumulator');
      if (bad) {
        throw new WeirError('RUNTIME', `function ${name}: the accumulator must be plain data (numbers, strings, booleans, null, arrays, plain objects) `
          + `to be saved in the checkpoint, but ${bad}`, span);
      }
    },
  };
}
