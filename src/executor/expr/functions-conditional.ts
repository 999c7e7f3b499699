/**
 * CASE, IF, COALESCE and NULLIF. Conditions are tried in order and the first TRUE wins (NULL is not
 * TRUE). Each branch is evaluated over the whole batch when that cannot fail, and only over the rows
 * that take it when it can (a CAST of text, a UDF): `CASE WHEN s SIMILAR ... THEN CAST(s AS INT)`
 * must not fail on the rows another branch handles.
 */
import type { ScalarFunctionName } from '../../planner/functions.js';
import type { SqlType } from '../../common/types.js';
import { comparison } from './functions-logic.js';
import type { FnImpl, Input, Node } from './node.js';
import { evalOn } from './node.js';
import type { BoolVec, Vec } from './vector.js';
import { gather, nullVec, vecKind, withValid } from './vector.js';

export interface Branch {
  readonly when: Node;
  readonly then: Node;
}

/** Rows of `open` (all rows when null) split by a per-row test. */
function split(open: Uint32Array | null, n: number, take: (i: number) => boolean): [Uint32Array, Uint32Array] {
  const count = open === null ? n : open.length;
  const yes = new Uint32Array(count), no = new Uint32Array(count);
  let y = 0, m = 0;
  for (let j = 0; j < count; j++) {
    const i = open === null ? j : open[j]!;
    if (take(i)) yes[y++] = i; else no[m++] = i;
  }
  return [yes.subarray(0, y), no.subarray(0, m)];
}

/** Searched CASE: the kernel behind CASE and IF. */
export function caseKernel(branches: readonly Branch[], otherwise: Node | undefined, type: SqlType): (inp: Input) => Vec {
  const kind = vecKind(type);
  return (inp) => {
    const n = inp.length;
    const choice = new Int32Array(n).fill(-1);
    const vecs: Vec[] = [];
    let open: Uint32Array | null = null;
    for (const br of branches) {
      if (open !== null && open.length === 0) break;
      const c = evalOn(br.when, inp, open) as BoolVec;
      const cv = c.values, cvalid = c.valid;
      const [hit, rest] = split(open, n, (i) => cv[i] === 1 && (cvalid === null || cvalid[i] === 1));
      if (hit.length > 0) {
        vecs.push(evalOn(br.then, inp, hit));
        const k = vecs.length - 1;
        for (let j = 0; j < hit.length; j++) choice[hit[j]!] = k;
      }
      open = rest;
    }
    if (otherwise && (open === null || open.length > 0)) {
      vecs.push(evalOn(otherwise, inp, open));
      const k = vecs.length - 1;
      if (open === null) choice.fill(k);
      else for (let j = 0; j < open.length; j++) choice[open[j]!] = k;
    }
    if (vecs.length === 0) return nullVec(type, n);
    return gather(kind, vecs, choice, n);
  };
}

const coalesce: FnImpl = (args, call) => {
  const kind = vecKind(call.type);
  return (inp: Input): Vec => {
    const n = inp.length;
    const choice = new Int32Array(n).fill(-1);
    const vecs: Vec[] = [];
    let open: Uint32Array | null = null;
    for (const a of args) {
      if (open !== null && open.length === 0) break;
      const v = evalOn(a, inp, open);
      const valid = v.valid;
      const [hit, rest] = split(open, n, (i) => valid === null || valid[i] === 1);
      vecs.push(v);
      const k = vecs.length - 1;
      for (let j = 0; j < hit.length; j++) choice[hit[j]!] = k;
      open = rest;
    }
    return gather(kind, vecs, choice, n);
  };
};

/** NULLIF(a, b): NULL where a = b, else a. */
const nullif: FnImpl = (args) => {
  const [a, b] = args as [Node, Node];
  const eq = comparison('eq', a, b);
  return (inp: Input): Vec => {
    const n = inp.length;
    const v = a.eval(inp);
    const e = eq(inp);
    const valid = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const ok = v.valid === null || v.valid[i] === 1;
      const same = e.values[i] === 1 && (e.valid === null || e.valid[i] === 1);
      valid[i] = ok && !same ? 1 : 0;
    }
    return withValid(v, valid);
  };
};

const ifFn: FnImpl = (args, call) => {
  const [c, a, b] = args as [Node, Node, Node];
  return caseKernel([{ when: c, then: a }], b, call.type);
};

export const CONDITIONAL_FUNCTIONS = {
  coalesce,
  nullif,
  if: ifFn,
} satisfies Partial<Record<ScalarFunctionName, FnImpl>>;
