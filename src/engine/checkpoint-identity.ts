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
import { exprToString, exprType, type BoundExpr } from '../planner/expr.js';
import { physicalChildren, type PhysicalNode, type StreamingPlan } from '../planner/incremental/physical.js';
import { physicalLine } from '../planner/explain.js';
import type { OperatorFingerprint, QueryFingerprint } from '../state/index.js';
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

/**
 * How a join keeps its rows in state (join-state.ts: Arrow blocks with their status). A checkpoint
 * whose join state was written another way (one entry per row, before this layout) is refused.
 */
const JOIN_STATE_LAYOUT = 'arrow blocks';

function operatorFingerprint(n: PhysicalNode): OperatorFingerprint | undefined {
  if (n.kind === 'join') {
    const description = physicalLine(n);
    return { id: n.operatorId, kind: n.kind, stateSchema: { plan: description, rows: JOIN_STATE_LAYOUT }, description };
  }
  if (n.kind !== 'aggregate' && n.kind !== 'windowAggregate') return undefined;
  const keys = n.groupBy.map(keyText);
  const aggregates = n.aggregates.map((a) => aggregateText(a, false));
  const described = n.aggregates.map((a) => aggregateText(a, true));
  const window = n.kind === 'windowAggregate' ? windowText(n) : undefined;
  const by = `GROUP BY ${keys.length ? keys.join(', ') : '()'}`;
  return {
    id: n.operatorId,
    kind: n.kind,
    // over an input that never retracts MIN/MAX and DISTINCT keep other state (accumulators.ts);
    // store keys are the key codec's (executor/keys): a checkpoint keyed another way is refused
    stateSchema: { keys, aggregates, ...(window !== undefined ? { window } : {}), inputAppendOnly: n.input.appendOnly, keyLayout: KEY_LAYOUT_VERSION },
    description: `${window !== undefined ? `${window} ` : ''}${by}: ${described.join(', ')}`,
  };
}

/** The stateful operators (by operator id) and the sources of a streaming plan. */
export function queryFingerprint(plan: StreamingPlan): QueryFingerprint {
  const found = new Map<number, OperatorFingerprint>();
  const walk = (n: PhysicalNode): void => {
    const f = operatorFingerprint(n);
    if (f) found.set(f.id, f);
    for (const c of physicalChildren(n)) walk(c);
  };
  walk(plan.root);
  return {
    operators: plan.statefulOperators.map((o) => found.get(o.operatorId)
      ?? { id: o.operatorId, kind: o.kind, stateSchema: o.description, description: o.description }),
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
