import { describe, expect, it } from 'vitest';
import { optimize } from '../../src/planner/index.js';
import type { LogicalPlan, Scan } from '../../src/planner/logical/plan.js';
import { children } from '../../src/planner/logical/plan.js';
import { nexmark, plan, streaming } from './helpers.js';

function scans(p: LogicalPlan, out: Scan[] = []): Scan[] {
  if (p.kind === 'scan') out.push(p);
  for (const c of children(p)) scans(c, out);
  return out;
}

/** requiredFields of the only scan, as column name → field names. */
function fieldsRead(sql: string): Record<string, readonly string[]> {
  const [scan] = scans(optimize(plan(sql, nexmark())));
  const out: Record<string, readonly string[]> = {};
  for (const [k, names] of scan!.requiredFields ?? new Map()) out[scan!.table.columns[scan!.table.physical[k]!]!.name] = names;
  return out;
}

describe('nested projection pruning (requiredFields)', () => {
  it('q0 reads five bid fields, and only dateTime of person and auction (for the computed dateTime)', () => {
    expect(fieldsRead('SELECT auction, bidder, price, `dateTime`, extra FROM bid')).toEqual({
      person: ['dateTime'], auction: ['dateTime'], bid: ['auction', 'bidder', 'price', 'dateTime', 'extra'],
    });
  });

  it('q2 adds nothing for the filter on a field it already reads', () => {
    expect(fieldsRead('SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0').bid).toEqual(['auction', 'price', 'dateTime']);
  });

  it('counts fields read only by a predicate or an aggregate', () => {
    const f = fieldsRead("SELECT COUNT(*) FROM bid WHERE channel = 'Google' GROUP BY bidder");
    expect(f.bid).toEqual(['bidder', 'channel', 'dateTime']);
  });

  it('leaves out a ROW column read whole, and keeps whole-row reads through projections', () => {
    const f = fieldsRead('SELECT b FROM (SELECT bid AS b, event_type FROM datagen) WHERE event_type = 2');
    expect(f.bid).toBeUndefined();
    expect(f.person).toEqual(['dateTime']);
  });

  it('passes requiredFields to the streaming plan source', () => {
    const s = streaming('SELECT auction, price FROM bid', nexmark());
    expect(s.sources[0]!.requiredFields?.get(3)).toEqual(['auction', 'price', 'dateTime']);
  });

  it('gives nothing for tables without ROW columns', () => {
    const sql = "CREATE TABLE t (a INT, b STRING) WITH ('connector' = 'memory'); SELECT a FROM t";
    const [scan] = scans(optimize(plan(sql)));
    expect(scan!.requiredFields).toBeUndefined();
  });
});
