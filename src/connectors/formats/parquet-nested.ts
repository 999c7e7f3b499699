/**
 * ARRAY, MAP and MULTISET columns in Parquet, and the decimals nested anywhere in a file's columns.
 *
 * Written as the Parquet spec's LogicalTypes.md lays them out (and as Flink, Spark, Arrow and DuckDB
 * write them): an ARRAY is the 3-level LIST (`<name> (LIST) { repeated group list { optional
 * element } }`), a MAP the MAP group (`<name> (MAP) { repeated group key_value { required key;
 * optional value } }`), a MULTISET as Flink writes it, a MAP from the element to its count
 * (`value` a required INT32). hyparquet-writer computes the repetition and definition levels.
 *
 * Read back, hyparquet hands over a LIST as a JS array and a MAP as an object keyed by the keys'
 * text; the JSON conversion (convert-collections.ts) makes them ARRAY, MAP or MULTISET values.
 */
import type { SchemaElement } from 'hyparquet';
import { decimalToText } from '../../common/decimal.js';
import type { SqlType } from '../../common/types.js';
import { JsonNumberText } from './json-values.js';

type Element = SchemaElement;
type ElementsOf = (name: string, t: SqlType, nullable: boolean) => Element[];

/** The elements of a collection column (after the group, its children depth first). */
export function collectionElements(name: string, t: SqlType & { kind: 'ARRAY' | 'MAP' | 'MULTISET' }, nullable: boolean, elementsOf: ElementsOf): Element[] {
  const repetition_type = nullable ? 'OPTIONAL' : 'REQUIRED';
  switch (t.kind) {
    case 'ARRAY':
      return [
        { name, repetition_type, converted_type: 'LIST', num_children: 1 } as Element,
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 } as Element,
        ...elementsOf('element', t.element, true),
      ];
    case 'MAP': case 'MULTISET':
      return [
        { name, repetition_type, converted_type: 'MAP', num_children: 1 } as Element,
        { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 } as Element,
        ...elementsOf('key', t.kind === 'MAP' ? t.key : t.element, false),
        ...(t.kind === 'MAP' ? elementsOf('value', t.value, true) : [{ name: 'value', repetition_type: 'REQUIRED', type: 'INT32' } as Element]),
      ];
  }
}

/** A collection value (valueAt's form: array, or Map) as hyparquet-writer takes it. */
export function collectionToParquet(t: SqlType & { kind: 'ARRAY' | 'MAP' | 'MULTISET' }, v: unknown, toValue: (t: SqlType, v: unknown) => unknown): unknown {
  switch (t.kind) {
    case 'ARRAY':
      return (v as unknown[]).map((e) => toValue(t.element, e));
    case 'MAP':
      return [...(v as Map<unknown, unknown>)].map(([key, value]) => ({ key: toValue(t.key, key), value: toValue(t.value, value) }));
    case 'MULTISET':
      return [...(v as Map<unknown, number>)].map(([key, count]) => ({ key: toValue(t.element, key), value: count }));
  }
}

/** What a column's values are made of, as far as exact decimals care. */
export type Shape =
  | { readonly kind: 'plain' }
  | { readonly kind: 'decimal'; readonly scale: number }
  | { readonly kind: 'list'; readonly element: Shape }
  | { readonly kind: 'map'; readonly key: Shape; readonly value: Shape }
  | { readonly kind: 'struct'; readonly fields: ReadonlyMap<string, Shape> };

interface Node { readonly element: Element; readonly children: Node[] }

/** The flat, depth-first elements from `i` as a tree: [node, next index]. */
function treeAt(elements: readonly Element[], i: number): [Node, number] {
  const node: Node = { element: elements[i]!, children: [] };
  let next = i + 1;
  for (let k = 0; k < (node.element.num_children ?? 0); k++) {
    const [child, after] = treeAt(elements, next);
    node.children.push(child);
    next = after;
  }
  return [node, next];
}

const isDecimal = (e: Element): boolean => e.converted_type === 'DECIMAL' || e.logical_type?.type === 'DECIMAL';
const scaleOf = (e: Element): number => e.scale ?? (e.logical_type as { scale?: number } | undefined)?.scale ?? 0;

function shapeOf(n: Node): Shape {
  const e = n.element;
  const only = n.children.length === 1 ? n.children[0]! : undefined;
  if ((e.converted_type === 'LIST' || e.logical_type?.type === 'LIST') && only?.element.repetition_type === 'REPEATED') {
    // 3-level (a group of one element) or the legacy 2-level form (the repeated field is the element)
    const element = only.children.length === 1 ? only.children[0]! : only;
    return { kind: 'list', element: element === only ? leafOrGroup(only) : shapeOf(element) };
  }
  if ((e.converted_type === 'MAP' || e.converted_type === 'MAP_KEY_VALUE' || e.logical_type?.type === 'MAP') && only?.children.length === 2) {
    return { kind: 'map', key: shapeOf(only.children[0]!), value: shapeOf(only.children[1]!) };
  }
  if (e.repetition_type === 'REPEATED') return { kind: 'list', element: leafOrGroup(n) };
  return leafOrGroup(n);
}

function leafOrGroup(n: Node): Shape {
  if (n.children.length === 0) return isDecimal(n.element) ? { kind: 'decimal', scale: scaleOf(n.element) } : { kind: 'plain' };
  return { kind: 'struct', fields: new Map(n.children.map((c) => [c.element.name, shapeOf(c)])) };
}

/** A top-level column of a file's schema: its name, shape and schema element. */
export interface FileColumn {
  readonly name: string;
  readonly shape: Shape;
  readonly element: Element;
  /** a group whose children are all leaves, none repeated (a ROW of scalars): their elements */
  readonly leaves?: readonly Element[];
}

/** The top-level columns of a file's schema, in order. */
export function columnShapes(schema: readonly Element[]): FileColumn[] {
  const out: FileColumn[] = [];
  for (let i = 1, left = schema[0]?.num_children ?? 0; left > 0 && i < schema.length; left--) {
    const [node, next] = treeAt(schema, i);
    const shape = shapeOf(node);
    // (a plain group only: not a VARIANT or another annotated one, which hyparquet reads otherwise)
    const e = node.element;
    const scalars = shape.kind === 'struct' && e.converted_type === undefined && e.logical_type === undefined
      && node.children.every((c) => c.children.length === 0 && c.element.repetition_type !== 'REPEATED');
    out.push({ name: node.element.name, shape, element: node.element, ...(scalars ? { leaves: node.children.map((c) => c.element) } : {}) });
    i = next;
  }
  return out;
}

/** An unscaled DECIMAL as stored (INT32, INT64, or big-endian two's complement bytes) as a bigint. */
function unscaled(v: unknown): bigint {
  if (!(v instanceof Uint8Array)) return BigInt(v as number | bigint | string);
  let u = 0n;
  for (const b of v) u = (u << 8n) | BigInt(b);
  return v.length > 0 && v[0]! >= 0x80 ? u - (1n << BigInt(8 * v.length)) : u;
}

/** Replace the raw (unscaled) decimals in a value read with the DECIMAL annotations off by exact text. */
export function exactDecimals(v: unknown, shape: Shape): unknown {
  if (v === null || v === undefined || shape.kind === 'plain') return v;
  switch (shape.kind) {
    case 'decimal': return new JsonNumberText(decimalToText(unscaled(v), shape.scale));
    case 'list': return Array.isArray(v) ? v.map((e) => exactDecimals(e, shape.element)) : v;
    case 'map': {
      if (typeof v !== 'object') return v;
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const key = shape.key.kind === 'decimal' ? decimalToText(unscaled(k), shape.key.scale) : k;
        out[key] = exactDecimals(x, shape.value);
      }
      return out;
    }
    case 'struct': {
      if (typeof v !== 'object' || Array.isArray(v)) return v;
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = exactDecimals(x, shape.fields.get(k) ?? { kind: 'plain' });
      return out;
    }
  }
}
