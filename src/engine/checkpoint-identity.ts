/**
 * What makes a checkpoint belong to a query (issue 4, "a checkpoint written by a different query is
 * refused with a clear message naming what differs").
 *
 * The fingerprint holds, per stateful operator, what its state means: the grouping keys (text and
 * type), the aggregates (function, DISTINCT, argument type, FILTER) and the window. Column positions
 * are left out (`v#3` is written `v`), and so are the names of aggregate arguments: a projection or
 * a filter added or changed below an aggregation moves and renames columns without changing what
 * the state holds, and such changes are allowed. The readable description keeps the names. The sources are recorded by
 * table and connector, since the offsets log holds their offsets by position.
 *
 * A query's checkpoint is `<checkpointDir>/<query name>`. A query whose name has no checkpoint there
 * yet, in a directory that already holds the checkpoints of other queries none of which this process
 * has opened, is another script pointed at the wrong directory: it is refused rather than silently
 * started from scratch beside them.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { WeirError } from '../common/errors.js';
import { typeToString } from '../common/types.js';
import type { AggregateCall } from '../planner/logical/plan.js';
import { exprToString, exprType, isDeterministic, type BoundExpr } from '../planner/expr.js';
import { physicalChildren, statefulNodes, type JoinNode, type PhysicalNode, type StatefulNode, type StreamingPlan } from '../planner/incremental/physical.js';
import { physicalLine } from '../planner/explain.js';
import { COMPUTED_KEY_PREFIX } from '../planner/incremental/plan-streaming.js';
import type { OperatorFingerprint, QueryFingerprint } from '../state/index.js';
import type { JsonValue } from '../state/checkpoint/batch-log.js';
import { STATE_VERSIONS } from '../executor/operators/state-versions.js';
import { KEY_LAYOUT_VERSION } from '../executor/keys/key-codec.js';

/** Expression text without column positions. */
const exprText = (e: BoundExpr): string => exprToString(e).replace(/#\d+/g, '');

const keyText = (e: BoundExpr): string => `${exprText(e)} ${typeToString(exprType(e))}`;

const FN_NAMES: Readonly<Record<string, string>> = { count_star: 'COUNT' };

/** `SUM(v INT)`; with `names` false the argument is its type alone (`SUM(INT)`). */
function aggregateText(a: AggregateCall, names: boolean): string {
  if (a.fn === 'udaf' && a.arg?.kind === 'udf') {
    // a UDAF by its name and arguments (binder/user-aggregates.ts)
    const args = a.arg.args.map((x) => (names ? keyText(x) : typeToString(exprType(x)))).join(', ');
    return `${a.arg.name.toUpperCase()}(${args})${a.filter === undefined ? '' : names ? ` FILTER (WHERE ${exprText(a.filter)})` : ' FILTER'}`;
  }
  const argText = a.arg === undefined ? '*' : names ? keyText(a.arg) : typeToString(exprType(a.arg));
  const filter = a.filter === undefined ? '' : names ? ` FILTER (WHERE ${exprText(a.filter)})` : ' FILTER';
  return `${FN_NAMES[a.fn] ?? a.fn.toUpperCase()}(${a.distinct ? 'DISTINCT ' : ''}${argText})${filter}`;
}

function windowText(n: Extract<PhysicalNode, { kind: 'windowAggregate' }>): string {
  const w = n.window;
  const domain = `${n.timeDomain === 'processing' ? ' on processing time' : ''}${n.windowColumns ? ' (windows of the input rows)' : ''}`;
  switch (w.kind) {
    case 'tumble': return `TUMBLE(size ${w.sizeMs} ms, offset ${w.offsetMs} ms)${domain}`;
    case 'hop': return `HOP(slide ${w.slideMs} ms, size ${w.sizeMs} ms, offset ${w.offsetMs} ms)${domain}`;
    case 'cumulate': return `CUMULATE(step ${w.stepMs} ms, size ${w.sizeMs} ms, offset ${w.offsetMs} ms)${domain}`;
    case 'session': return `SESSION(gap ${w.gapMs} ms${w.partitionBy.length ? `, partition by ${w.partitionBy.map(keyText).join(', ')}` : ''})${domain}`;
  }
}

/** The source tables under `n`: part of what an operator's state means (two equal aggregations over other tables differ). */
function lineage(n: PhysicalNode): string[] {
  const tables = new Set<string>();
  const walk = (x: PhysicalNode): void => {
    if (x.kind === 'source') tables.add(x.table.name);
    physicalChildren(x).forEach(walk);
  };
  walk(n);
  return [...tables].sort();
}

/** The column types of a node's output: rows kept whole in state are laid out by them. */
const rowTypes = (n: PhysicalNode): string[] => n.schema.columns.map((c) => typeToString(c.type));


/**
 * What each kind of operator's state means, without column positions or EXPLAIN text: a change
 * elsewhere in the query leaves it as it is, a change to the operator itself does not. With the
 * readable description, and what a checkpoint written before uids recorded (legacy).
 */
const STATE_SCHEMAS: { [K in StatefulNode['kind']]: (n: Extract<StatefulNode, { kind: K }>) => { schema: JsonValue; description: string; legacy?: JsonValue } } = {
  aggregate: (n) => aggregateSchema(n),
  windowAggregate: (n) => aggregateSchema(n),
  join: (n) => {
    const bound = (b: JoinNode['leftBound']): JsonValue => (b === undefined ? null : { expiry: b.expiry.map(exprText), lateness: b.lateness.length });
    const description = physicalLine(n);
    return {
      schema: {
        joinType: n.joinType, strategy: n.strategy, leftKeys: n.leftKeys.map(keyText), rightKeys: n.rightKeys.map(keyText),
        residual: n.residual === undefined ? null : exprText(n.residual), leftBound: bound(n.leftBound), rightBound: bound(n.rightBound),
        // each side's rows are kept whole, as Arrow blocks of the side's columns
        leftRows: rowTypes(n.left), rightRows: rowTypes(n.right), inputsAppendOnly: [n.left.appendOnly, n.right.appendOnly],
      },
      description,
      legacy: { plan: description, rows: 'arrow blocks' },
    };
  },
  semiJoin: (n) => {
    const bound = (b: JoinNode['leftBound']): JsonValue => (b === undefined ? null : { expiry: b.expiry.map(exprText), lateness: b.lateness.length });
    return {
      schema: {
        anti: n.anti, strategy: n.strategy, nullAware: n.nullAware ?? false, leftKeys: n.leftKeys.map(keyText), rightKeys: n.rightKeys.map(keyText),
        residual: n.residual === undefined ? null : exprText(n.residual), leftBound: bound(n.leftBound), rightBound: bound(n.rightBound),
        // each side's rows are kept whole (join-state.ts blocks), the left ones with their match counts
        leftRows: rowTypes(n.left), rightRows: rowTypes(n.right), inputsAppendOnly: [n.left.appendOnly, n.right.appendOnly],
      },
      description: physicalLine(n),
    };
  },
  // one entry: the count of live rows
  singleRow: (n) => ({ schema: { rows: rowTypes(n.input) }, description: physicalLine(n) }),
  overAggregate: (n) => ({
    schema: {
      partitionBy: n.partitionBy.map(keyText), time: typeToString(n.input.schema.columns[n.timeColumn]!.type),
      frame: `${n.frame.unit} ${n.frame.preceding} PRECEDING`, calls: n.calls.map((a) => aggregateText(a, false)), form: n.form,
      // held rows are kept whole, as row texts of the input's columns
      rows: rowTypes(n.input), inputAppendOnly: n.input.appendOnly,
    },
    description: physicalLine(n),
  }),
  processFunction: (n) => ({
    schema: {
      fn: n.fn.toLowerCase(), partitionBy: n.partitionBy.map((i) => `${n.input.schema.columns[i]!.name}#${i}`),
      keys: n.partitionBy.map((i) => typeToString(n.input.schema.columns[i]!.type)), args: n.args.map(exprText),
      time: n.timeColumn === undefined ? null : n.timeColumn, rowtime: n.rowtime, columns: n.columns.map((c) => `${c.name} ${typeToString(c.type)}`),
      // several tables: which they are and where their columns sit (absent for one table: identities unchanged)
      ...(n.tables ? { tables: n.tables.inputs.map((t) => `${t.name}(${t.names.join(', ')})`) } : {}),
    },
    description: physicalLine(n),
  }),
  temporalJoin: (n) => ({
    schema: {
      joinType: n.joinType, leftKeys: n.leftKeys.map(keyText), rightKeys: n.rightKeys.map(keyText),
      residual: n.residual === undefined ? null : exprText(n.residual),
      // waiting left rows and versions are kept whole, as row texts of each side's columns
      leftRows: rowTypes(n.input), rightRows: rowTypes(n.versions), rightAppendOnly: n.versions.appendOnly,
    },
    description: physicalLine(n),
  }),
  topN: (n) => ({
    schema: {
      partitionBy: n.partitionBy.map(keyText), windowEndKey: n.windowEndKey ?? null,
      orderBy: n.orderBy.map((o) => `${keyText(o.expr)} ${o.descending ? 'DESC' : 'ASC'} NULLS ${o.nullsFirst ? 'FIRST' : 'LAST'}`),
      ranks: [n.rankStart, n.rankEnd], outputRank: n.outputRank, mode: n.mode, rows: rowTypes(n.input), inputAppendOnly: n.input.appendOnly,
    },
    description: physicalLine(n),
    legacy: physicalLine(n),
  }),
};

/**
 * A group key as the query wrote it: a key that is not deterministic is computed once, in a
 * projection below the aggregation (plan-streaming.ts keysComputedOnce), and the aggregation groups by
 * that column; its state means what it meant before, and a checkpoint written before still belongs.
 */
function keyAsWritten(n: Extract<StatefulNode, { kind: 'aggregate' | 'windowAggregate' }>, e: BoundExpr): BoundExpr {
  if (e.kind !== 'column' || !e.name.startsWith(COMPUTED_KEY_PREFIX) || n.input.kind !== 'project') return e;
  const computed = n.input.exprs[e.index];
  return computed !== undefined && !isDeterministic(computed) && n.input.schema.columns[e.index]?.name === e.name ? computed : e;
}

function aggregateSchema(n: Extract<StatefulNode, { kind: 'aggregate' | 'windowAggregate' }>): { schema: JsonValue; description: string } {
  const keys = n.groupBy.map((e) => keyText(keyAsWritten(n, e)));
  const aggregates = n.aggregates.map((a) => aggregateText(a, false));
  const described = n.aggregates.map((a) => aggregateText(a, true));
  const window = n.kind === 'windowAggregate' ? windowText(n) : undefined;
  const by = `GROUP BY ${keys.length ? keys.join(', ') : '()'}`;
  return {
    // over an input that never retracts MIN/MAX and DISTINCT keep other state (accumulators.ts);
    // store keys are the key codec's (executor/keys): a checkpoint keyed another way is refused
    schema: { keys, aggregates, ...(window !== undefined ? { window } : {}), inputAppendOnly: n.input.appendOnly, keyLayout: KEY_LAYOUT_VERSION },
    description: `${window !== undefined ? `${window} ` : ''}${by}: ${described.join(', ')}`,
  };
}

/** FNV-1a of a text, as 8 hex digits: short uids. */
function hash32(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The stateful operators (with uids) and the sources of a streaming plan. */
export function queryFingerprint(plan: StreamingPlan): QueryFingerprint {
  const nodes = statefulNodes(plan.root);
  const seen = new Map<string, number>();
  return {
    operators: plan.statefulOperators.map((o): OperatorFingerprint => {
      const n = nodes.get(o.operatorId)!;
      const { schema, description, legacy } = (STATE_SCHEMAS[n.kind] as (x: StatefulNode) => ReturnType<typeof aggregateSchema> & { legacy?: JsonValue })(n);
      const stateSchema: JsonValue = { ...(schema as Record<string, JsonValue>), inputs: lineage(n) };
      const stateVersion = STATE_VERSIONS[n.kind];
      const base = `${n.kind}/${hash32(JSON.stringify([stateVersion, stateSchema]))}`;
      const k = (seen.get(base) ?? 0) + 1;
      seen.set(base, k);
      return {
        id: o.operatorId, uid: k === 1 ? base : `${base}#${k}`, kind: n.kind, stateVersion, stateSchema, description,
        legacyStateSchema: legacy ?? schema,
      };
    }),
    sources: plan.sources.map((s) => `${s.table.name}:${(s.table.options.get('connector') ?? '?').toLowerCase()}`),
  };
}

/** Checkpoint roots in which this process has opened a query's checkpoint. */
const rootsOpenedHere = new Set<string>();

/**
 * Refuse to start query `name` from scratch in `root` when `root` holds only other queries'
 * checkpoints that this process did not open. Call before opening; `opened` records the open.
 */
export async function checkCheckpointOwner(root: string, name: string): Promise<{ opened(): void }> {
  const opened = (): void => { rootsOpenedHere.add(path.resolve(root)); };
  if (rootsOpenedHere.has(path.resolve(root))) return { opened };
  const mine = await readMetadata(path.join(root, name));
  if (mine !== undefined) return { opened };
  let entries: string[];
  try {
    entries = await fs.readdir(root);
  } catch {
    return { opened };
  }
  const others: string[] = [];
  for (const e of entries.sort()) {
    const meta = await readMetadata(path.join(root, e));
    if (meta === undefined) continue;
    const ops = (meta.fingerprint?.operators ?? []).map((o) => o.description ?? o.kind);
    others.push(`${e}${ops.length ? ` (${ops.join('; ')})` : ' (no state)'}`);
  }
  if (others.length === 0) return { opened };
  throw new WeirError('STATE', `checkpoint ${root} belongs to a different query: it holds the checkpoint of ${others.join(', ')}, `
    + `not of this query ${name}. Run those queries on it, or give this query a checkpoint directory of its own `
    + '(a new checkpoint starts over from the beginning of the input; a filesystem sink written by another checkpoint refuses it)');
}

interface Metadata { readonly fingerprint?: { readonly operators?: readonly { kind: string; description?: string }[] } }

async function readMetadata(dir: string): Promise<Metadata | undefined> {
  try {
    const v = JSON.parse(await fs.readFile(path.join(dir, 'metadata'), 'utf8')) as unknown;
    return v !== null && typeof v === 'object' ? (v as Metadata) : undefined;
  } catch {
    return undefined;
  }
}
