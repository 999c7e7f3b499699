/**
 * The streaming plan as a graph for the dashboard, read from a query's EXPLAIN text: its
 * "== Streaming Plan" section is one line per physical node, indented two spaces per level, with
 * `[operator N]` on stateful nodes and `[source N]` on sources. Reading the text (rather than the
 * plan objects) keeps the dashboard outside the executor, and the text is stable (golden tests).
 */

export interface PlanNode {
  /** position in the walk of the text (pre-order) */
  readonly index: number;
  /** index of the parent node, -1 for the root */
  readonly parent: number;
  readonly depth: number;
  /** the node's kind as EXPLAIN names it: `WindowAggregate`, `Source`, … */
  readonly name: string;
  /** the whole EXPLAIN line: what the node computes */
  readonly text: string;
  readonly operatorId?: number;
  readonly sourceIndex?: number;
}

export interface PlanGraph {
  readonly nodes: readonly PlanNode[];
  /** lines after the tree (`keys: [...]`, notes) */
  readonly notes: readonly string[];
  /** the output mode from the section's header, when it says */
  readonly outputMode?: string;
  /**
   * The operator ids of the stateful nodes in the order the execution reports them in
   * `progress.stateOperators`: children before parents, each node once (the execution walks its
   * operator tree so, and a sub-plan shared by two parents is printed under each of them).
   */
  readonly stateOperatorIds: readonly number[];
}

const STREAMING_HEADER = /^== Streaming Plan(?: \(output mode: (\w+)\))? ==$/;
const OPERATOR_MARK = /\[operator (\d+)\]\s*$/;
const SOURCE_MARK = /\[source (\d+)\]\s*$/;

/** The graph of the streaming plan in `explain`; empty when the text has no streaming section. */
export function parsePlanGraph(explain: string): PlanGraph {
  const lines = explain.split('\n');
  const start = lines.findIndex((l) => STREAMING_HEADER.test(l.trim()));
  if (start < 0) return { nodes: [], notes: [], stateOperatorIds: [] };
  const outputMode = STREAMING_HEADER.exec(lines[start]!.trim())![1];
  const nodes: PlanNode[] = [];
  const notes: string[] = [];
  /** the last node seen at each depth: the parent of a line one level deeper */
  const lastAtDepth: number[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('== ')) break; // a further section
    if (line.trim() === '') continue;
    const indent = line.length - line.trimStart().length;
    const depth = Math.floor(indent / 2);
    // after the root, a line at depth 0 is a note about the plan, not a node
    if (depth === 0 && nodes.length > 0) { notes.push(line.trim()); continue; }
    if (depth > 0 && lastAtDepth[depth - 1] === undefined) { notes.push(line.trim()); continue; }
    const text = line.trim();
    const op = OPERATOR_MARK.exec(text);
    const src = SOURCE_MARK.exec(text);
    const node: PlanNode = {
      index: nodes.length,
      parent: depth === 0 ? -1 : lastAtDepth[depth - 1]!,
      depth,
      name: /^[A-Za-z]+/.exec(text)?.[0] ?? text,
      text,
      ...(op ? { operatorId: Number(op[1]) } : {}),
      ...(src ? { sourceIndex: Number(src[1]) } : {}),
    };
    nodes.push(node);
    lastAtDepth[depth] = node.index;
    lastAtDepth.length = depth + 1;
  }
  return { nodes, notes, ...(outputMode ? { outputMode } : {}), stateOperatorIds: postOrderOperatorIds(nodes) };
}

/** Operator ids in post-order (children in text order, before their parent), each once. */
function postOrderOperatorIds(nodes: readonly PlanNode[]): number[] {
  const children = new Map<number, number[]>();
  for (const n of nodes) if (n.parent >= 0) children.set(n.parent, [...(children.get(n.parent) ?? []), n.index]);
  const out: number[] = [];
  const seen = new Set<number>();
  const visit = (i: number): void => {
    for (const c of children.get(i) ?? []) visit(c);
    const id = nodes[i]!.operatorId;
    if (id !== undefined && !seen.has(id)) { seen.add(id); out.push(id); }
  };
  if (nodes.length > 0) visit(0);
  return out;
}
