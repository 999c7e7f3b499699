/**
 * CAST between collection types (ARRAY<INT> to ARRAY<BIGINT>, MAP<VARCHAR, INT> to MAP<VARCHAR,
 * DOUBLE>, …) and a collection's text (CAST(x AS STRING), printed rows), as Flink shows them:
 * `[1, 2, NULL]`, `{a=1, b=2}`.
 *
 * An element cast runs the element types' own caster over all the elements of a batch at once: the
 * elements are laid out as one vector, cast, and put back into their rows.
 */
import type { SourceSpan } from '../../common/errors.js';
import { WeirError } from '../../common/errors.js';
import type { SqlType } from '../../common/types.js';
import { T, typeToString } from '../../common/types.js';
import type { Caster } from './cast.js';
import type { ObjVec, Vec } from './vector.js';
import { builder, getter, objVec } from './vector.js';

type MakeCaster = (from: SqlType, to: SqlType) => Caster;

/** One caster over flat element values: the values in, the cast values out. */
function flatCaster(from: SqlType, to: SqlType, make: MakeCaster): (values: readonly unknown[]) => unknown[] {
  const cast = make(from, to);
  return (values) => {
    const b = builder(from, values.length);
    for (let i = 0; i < values.length; i++) b.set(i, values[i]);
    const g = getter(cast(b.finish()), to);
    const out = new Array<unknown>(values.length);
    for (let i = 0; i < values.length; i++) out[i] = g(i);
    return out;
  };
}

export function collectionCaster(from: SqlType, to: SqlType, span: SourceSpan | undefined, make: MakeCaster): Caster {
  const refuse = (): never => {
    throw new WeirError('TYPE', `cannot cast ${typeToString(from)} to ${typeToString(to)}`, span);
  };
  if (to.kind === 'ARRAY') {
    if (from.kind !== 'ARRAY') return refuse();
    const elems = flatCaster(from.element, to.element, make);
    return (v) => {
      const o = v as ObjVec;
      const flat: unknown[] = [];
      for (let i = 0; i < o.length; i++) if (o.values[i] != null) for (const e of o.values[i] as unknown[]) flat.push(e);
      const cast = elems(flat);
      let k = 0;
      return objVec(o.values.map((x) => (x == null ? null : (x as unknown[]).map(() => cast[k++]))), o.valid);
    };
  }
  if (to.kind !== 'MAP' && to.kind !== 'MULTISET') return refuse();
  if (from.kind !== to.kind) return refuse();
  const fromKey = from.kind === 'MAP' ? from.key : from.kind === 'MULTISET' ? from.element : from;
  const toKey = to.kind === 'MAP' ? to.key : to.element;
  const keys = flatCaster(fromKey, toKey, make);
  const values = from.kind === 'MAP' && to.kind === 'MAP' ? flatCaster(from.value, to.value, make) : (xs: readonly unknown[]) => [...xs];
  return (v: Vec) => {
    const o = v as ObjVec;
    const ks: unknown[] = [], xs: unknown[] = [];
    for (const m of o.values) if (m != null) for (const [k, x] of m as Map<unknown, unknown>) { ks.push(k); xs.push(x); }
    const ck = keys(ks), cx = values(xs);
    let j = 0;
    return objVec(o.values.map((m) => {
      if (m == null) return null;
      const out = new Map<unknown, unknown>();
      for (let n = (m as Map<unknown, unknown>).size; n > 0; n--, j++) out.set(ck[j], to.kind === 'MULTISET' ? ((out.get(ck[j]) as number | undefined) ?? 0) + (cx[j] as number) : cx[j]);
      return out;
    }), o.valid);
  };
}

/** A collection's text: `[1, 2, NULL]` for an ARRAY, `{k=v, …}` for a MAP, `{x=count, …}` for a MULTISET. */
export function collectionText(x: unknown, t: SqlType, show: (v: unknown, t: SqlType) => string): string {
  if (t.kind === 'ARRAY') return `[${(x as unknown[]).map((e) => show(e, t.element)).join(', ')}]`;
  const keyType = t.kind === 'MAP' ? t.key : t.kind === 'MULTISET' ? t.element : t;
  const valueType = t.kind === 'MAP' ? t.value : T.INT;
  return `{${[...(x as Map<unknown, unknown>)].map(([k, v]) => `${show(k, keyType)}=${show(v, valueType)}`).join(', ')}}`;
}
