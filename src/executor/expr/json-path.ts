/**
 * The JSON path subset of JSON_VALUE, JSON_QUERY and JSON_EXISTS: an optional mode (`lax`, the
 * default, or `strict`), `$`, then steps `.key`, `."key"`, `['key']`, `["key"]` (also written `.['key']`,
 * as Flink's documentation does), `[n]`, and the wildcards `[*]` and `.*`, whose matches are a sequence.
 *
 * Evaluating gives the value found, or `EMPTY` when the path finds nothing: in lax mode a missing
 * key or index (and a key of a non-object, an index of a non-array) is empty, which the functions
 * turn into NULL (or FALSE); in strict mode it is an error, which they also turn into NULL by default
 * (ON ERROR NULL), as Flink. A path Weir cannot read is an error at the call.
 */
export type PathStep =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number }
  /** `[*]` (every element of an array) or `.*` (every member of an object) */
  | { readonly kind: 'wildcard' };

export interface JsonPath {
  readonly strict: boolean;
  readonly steps: readonly PathStep[];
}

export const EMPTY: unique symbol = Symbol('empty');

/** What a path with a wildcard finds: every match, in document order (JSON_QUERY returns them as an array). */
export class JsonMatches {
  constructor(readonly values: readonly unknown[]) {}
}

export class JsonPathError extends Error {}

/** Parse a path; a syntax Weir does not read throws a JsonPathError saying where. */
export function parseJsonPath(text: string): JsonPath {
  let s = text.trim();
  let strict = false;
  const mode = /^(lax|strict)\s+/i.exec(s);
  if (mode) {
    strict = mode[1]!.toLowerCase() === 'strict';
    s = s.slice(mode[0].length);
  }
  if (s[0] !== '$') throw new JsonPathError(`a JSON path starts with '$' (after an optional lax or strict), got '${text}'`);
  const steps: PathStep[] = [];
  let i = 1;
  const fail = (what: string): never => {
    throw new JsonPathError(`JSON path '${text}': ${what} at position ${i + 1}; supported: $, .key, ."key", ['key'], [n], [*], .*`);
  };
  while (i < s.length) {
    if (s[i] === '.') {
      i++;
      if (s[i] === '[') continue; // `.['key']`: the bracket step follows
      if (s[i] === '*') {
        steps.push({ kind: 'wildcard' });
        i++;
      } else if (s[i] === '"') {
        const end = s.indexOf('"', i + 1);
        if (end < 0) fail('an unterminated quoted key');
        steps.push({ kind: 'key', key: s.slice(i + 1, end) });
        i = end + 1;
      } else {
        const m = /^[\p{L}\p{N}_$]+/u.exec(s.slice(i));
        if (!m) fail('a key expected');
        steps.push({ kind: 'key', key: m![0] });
        i += m![0].length;
      }
    } else if (s[i] === '[') {
      const rest = s.slice(i);
      const quoted = /^\[\s*(['"])((?:(?!\1).)*)\1\s*\]/u.exec(rest);
      const index = /^\[\s*(\d+)\s*\]/.exec(rest);
      const all = /^\[\s*\*\s*\]/.exec(rest);
      if (all) {
        steps.push({ kind: 'wildcard' });
        i += all[0].length;
      } else if (quoted) {
        steps.push({ kind: 'key', key: quoted[2]! });
        i += quoted[0].length;
      } else if (index) {
        steps.push({ kind: 'index', index: Number(index[1]) });
        i += index[0].length;
      } else fail("an index [n] or a key ['key'] expected");
    } else if (/\s/.test(s[i]!)) i++;
    else fail(`unexpected '${s[i]}'`);
  }
  return { strict, steps };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The value at `path` in parsed JSON `doc`: EMPTY when nothing is there (lax), a JsonPathError in
 * strict mode; with a wildcard, the JsonMatches (possibly none).
 */
export function evalJsonPath(doc: unknown, path: JsonPath): unknown {
  if (!path.steps.some((st) => st.kind === 'wildcard')) return evalSingle(doc, path);
  let current: unknown[] = [doc];
  for (const st of path.steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if (st.kind === 'wildcard') {
        // element by element: a spread of a long array would overflow the stack
        if (Array.isArray(v)) for (const e of v) next.push(e);
        else if (isObject(v)) for (const e of Object.values(v)) next.push(e);
        else if (path.strict) throw new JsonPathError('a wildcard over a scalar in strict mode');
      } else {
        const x = step(v, st);
        if (x !== EMPTY) next.push(x);
        else if (path.strict) throw missing(st);
      }
    }
    current = next;
  }
  // no match is an empty sequence, not "empty": JSON_QUERY gives [] (as Calcite's wildcard paths do)
  return new JsonMatches(current);
}

function step(v: unknown, st: Exclude<PathStep, { kind: 'wildcard' }>): unknown {
  if (st.kind === 'key') return isObject(v) && Object.prototype.hasOwnProperty.call(v, st.key) ? v[st.key] : EMPTY;
  return Array.isArray(v) && st.index < v.length ? v[st.index] : EMPTY;
}

const missing = (st: Exclude<PathStep, { kind: 'wildcard' }>): JsonPathError =>
  new JsonPathError(`no ${st.kind === 'key' ? `key '${st.key}'` : `index ${st.index}`} in strict mode`);

function evalSingle(doc: unknown, path: JsonPath): unknown {
  let v: unknown = doc;
  for (const st of path.steps) {
    if (st.kind === 'wildcard') continue; // never: paths with a wildcard go the other way
    const x = step(v, st);
    if (x === EMPTY) {
      if (path.strict) throw missing(st);
      return EMPTY;
    }
    v = x;
  }
  return v;
}
