/**
 * The state of one partition key of a process function: named states (value, list, map) and the
 * key's timers, with the API the function sees as `ctx.state` (keyed-state.md in README terms:
 * `value/update/clear`, `list(name)`, `map(name)`).
 *
 * Values are plain data (null, booleans, finite numbers, strings, arrays and plain objects): each is
 * kept as its JSON text, so a read always gives a fresh copy (changing it in place changes nothing
 * until it is written back, as Flink's state serializers behave) and the checkpoint holds exactly
 * what the function wrote.
 */
import { WeirError } from '../../../common/errors.js';
import type { StateValue } from '../../../state/state-store.js';

/** One named state: a value, a list of values or a map from values to values, as JSON texts. */
type Named =
  | { readonly kind: 'value'; json: string }
  | { readonly kind: 'list'; items: string[] }
  | { readonly kind: 'map'; entries: Map<string, string> };

export class KeyState {
  readonly named = new Map<string, Named>();
  readonly eventTimers = new Set<number>();
  readonly procTimers = new Set<number>();

  constructor(readonly key: string) {}

  get isEmpty(): boolean {
    return this.named.size === 0 && this.eventTimers.size === 0 && this.procTimers.size === 0;
  }

  /** The store value: [named states as JSON, event timers, processing timers]. */
  toStored(): StateValue {
    const named: [string, string, unknown][] = [];
    for (const [name, s] of this.named) {
      named.push([name, s.kind, s.kind === 'value' ? s.json : s.kind === 'list' ? s.items : [...s.entries]]);
    }
    return [JSON.stringify(named), [...this.eventTimers], [...this.procTimers]];
  }

  static fromStored(key: string, v: StateValue): KeyState {
    const k = new KeyState(key);
    for (const [name, kind, data] of JSON.parse(v[0] as string) as [string, Named['kind'], unknown][]) {
      if (kind === 'value') k.named.set(name, { kind, json: data as string });
      else if (kind === 'list') k.named.set(name, { kind, items: data as string[] });
      else k.named.set(name, { kind, entries: new Map(data as [string, string][]) });
    }
    for (const t of v[1] as number[]) k.eventTimers.add(t);
    for (const t of v[2] as number[]) k.procTimers.add(t);
    return k;
  }
}

/** Says who failed where: `process function f (key card='4111')`. */
export type Blame = () => string;

/** The JSON text of a plain value, or a WeirError naming what is not plain. */
export function plainJson(v: unknown, what: string, blame: Blame): string {
  const bad = notPlain(v, 0);
  if (bad !== undefined) {
    throw new WeirError('RUNTIME', `${blame()}: ${what} must be plain data (null, booleans, finite numbers, strings, arrays, plain objects) `
      + `to be checkpointed, got ${bad}`);
  }
  return JSON.stringify(v);
}

function notPlain(v: unknown, depth: number): string | undefined {
  if (depth > 100) return 'a value nested more than 100 deep';
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : String(v);
  if (v === undefined) return 'undefined';
  if (typeof v === 'bigint') return `a bigint (${v}n)`;
  if (typeof v !== 'object') return `a ${typeof v}`;
  if (Array.isArray(v)) {
    for (const x of v) {
      const b = notPlain(x, depth + 1);
      if (b !== undefined) return b;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return `an object of class ${(v as object).constructor?.name ?? '?'}`;
  for (const x of Object.values(v)) {
    const b = notPlain(x, depth + 1);
    if (b !== undefined) return b;
  }
  return undefined;
}

const parse = (json: string): unknown => JSON.parse(json) as unknown;

export interface ListStateApi {
  /** the elements, a fresh array ([] when empty) */
  get(): unknown[];
  add(v: unknown): void;
  addAll(vs: readonly unknown[]): void;
  /** replace every element */
  update(vs: readonly unknown[]): void;
  clear(): void;
  size(): number;
}

export interface MapStateApi {
  get(k: unknown): unknown;
  put(k: unknown, v: unknown): void;
  remove(k: unknown): void;
  contains(k: unknown): boolean;
  keys(): unknown[];
  values(): unknown[];
  entries(): [unknown, unknown][];
  size(): number;
  clear(): void;
}

export interface StateApi {
  /** a value state's value, null when unset */
  value(name: string): unknown;
  update(name: string, v: unknown): void;
  /** clear the named state, whatever its kind */
  clear(name: string): void;
  list(name: string): ListStateApi;
  map(name: string): MapStateApi;
  /** clear every state of the key (timers stay) */
  clearAll(): void;
}

/**
 * `ctx.state` over the current key (`current()`); `changed()` marks it dirty for the store. A name
 * holds one kind of state: using it as another kind is a mistake, named in a WeirError.
 */
export function stateApi(current: () => KeyState, changed: () => void, blame: Blame): StateApi {
  const named = <K extends Named['kind']>(name: string, kind: K, create: boolean): Extract<Named, { kind: K }> | undefined => {
    if (typeof name !== 'string') throw new WeirError('RUNTIME', `${blame()}: a state name must be a string, got ${typeof name}`);
    const k = current();
    const s = k.named.get(name);
    if (s !== undefined && s.kind !== kind) {
      throw new WeirError('RUNTIME', `${blame()}: state '${name}' is a ${s.kind} state, used as a ${kind} state`);
    }
    if (s === undefined && create) {
      const made = (kind === 'value' ? { kind, json: 'null' } : kind === 'list' ? { kind, items: [] } : { kind, entries: new Map() }) as Named;
      k.named.set(name, made);
      return made as Extract<Named, { kind: K }>;
    }
    return s as Extract<Named, { kind: K }> | undefined;
  };
  const drop = (name: string): void => {
    if (current().named.delete(name)) changed();
  };
  const list = (name: string): ListStateApi => {
    const items = (): string[] => named(name, 'list', false)?.items ?? [];
    const write = (vs: readonly unknown[]): void => {
      if (!Array.isArray(vs)) throw new WeirError('RUNTIME', `${blame()}: list state '${name}' takes an array, got ${typeof vs}`);
      const texts = vs.map((v) => plainJson(v, `an element of list state '${name}'`, blame));
      named(name, 'list', true)!.items.push(...texts);
      changed();
    };
    return {
      get: () => items().map(parse),
      add: (v) => write([v]),
      addAll: write,
      update: (vs) => {
        if (!Array.isArray(vs)) throw new WeirError('RUNTIME', `${blame()}: list state '${name}' takes an array, got ${typeof vs}`);
        if (vs.length === 0) { drop(name); return; }
        // replaced in place: the key's map of states keeps its entry
        const texts = vs.map((v) => plainJson(v, `an element of list state '${name}'`, blame));
        named(name, 'list', true)!.items = texts;
        changed();
      },
      clear: () => drop(name),
      size: () => items().length,
    };
  };
  const map = (name: string): MapStateApi => {
    const entries = (): Map<string, string> => named(name, 'map', false)?.entries ?? new Map();
    const keyOf = (k: unknown): string => plainJson(k, `a key of map state '${name}'`, blame);
    return {
      get: (k) => { const v = entries().get(keyOf(k)); return v === undefined ? null : parse(v); },
      put: (k, v) => {
        const kj = keyOf(k);
        const vj = plainJson(v, `a value of map state '${name}'`, blame);
        named(name, 'map', true)!.entries.set(kj, vj);
        changed();
      },
      remove: (k) => {
        const m = named(name, 'map', false);
        if (m?.entries.delete(keyOf(k))) {
          if (m.entries.size === 0) current().named.delete(name);
          changed();
        }
      },
      contains: (k) => entries().has(keyOf(k)),
      keys: () => [...entries().keys()].map(parse),
      values: () => [...entries().values()].map(parse),
      entries: () => [...entries()].map(([k, v]) => [parse(k), parse(v)]),
      size: () => entries().size,
      clear: () => drop(name),
    };
  };
  return {
    value: (name) => { const s = named(name, 'value', false); return s === undefined ? null : parse(s.json); },
    update: (name, v) => {
      if (v === undefined || v === null) { drop(name); return; }
      const json = plainJson(v, `the value of state '${name}'`, blame);
      named(name, 'value', true)!.json = json;
      changed();
    },
    clear: drop,
    list,
    map,
    clearAll: () => {
      if (current().named.size > 0) { current().named.clear(); changed(); }
    },
  };
}
