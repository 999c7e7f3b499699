/**
 * Listeners: engine.addListener hears every query's started / progress / terminated events, of
 * queries started before and after it was added; a listener added to a query before its first
 * batch still hears `started` (the query starts inside engine.execute, before its caller can add one).
 */
import { describe, expect, it } from 'vitest';
import { Engine, ManualClock, type QueryEvent } from '../../src/index.js';

const SQL = (n: number) => `
  CREATE TABLE IF NOT EXISTS src${n} (k STRING, v INT) WITH ('connector' = 'memory');
  CREATE TABLE IF NOT EXISTS dst${n} (k STRING, total INT) WITH ('connector' = 'memory');
  INSERT INTO dst${n} SELECT k, SUM(v) FROM src${n} GROUP BY k;`;

const summary = (e: QueryEvent): string =>
  e.type === 'progress' ? `progress ${e.progress.name} ${e.progress.batchId}` : e.type === 'retrying' ? 'retrying' : `${e.type} ${'name' in e ? e.name : e.id}`;

describe('listeners', () => {
  it('engine.addListener hears every query, before and after it was added', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const heard: QueryEvent[] = [];
    engine.addListener((e) => heard.push(e));
    const [a] = await engine.execute(SQL(1));
    engine.input('src1').push([{ k: 'x', v: 1 }]);
    await a!.processAllAvailable();
    const [b] = await engine.execute(SQL(2));
    engine.input('src2').push([{ k: 'y', v: 2 }]);
    await b!.processAllAvailable();
    await engine.stop();
    const lines = heard.map(summary);
    expect(lines.filter((l) => l.startsWith('started'))).toEqual([`started ${a!.name}`, `started ${b!.name}`]);
    expect(lines).toContain(`progress ${a!.name} 0`);
    expect(lines).toContain(`progress ${b!.name} 0`);
    expect(heard.filter((e) => e.type === 'terminated').map((e) => (e as { id: string }).id).sort()).toEqual([a!.id, b!.id].sort());
    // a throwing listener does not stop anything, and a removed one hears nothing more
    const late: QueryEvent[] = [];
    const engine2 = new Engine({ clock: new ManualClock(0) });
    const gone = (e: QueryEvent) => late.push(e);
    engine2.addListener(() => { throw new Error('listener bug'); });
    engine2.addListener(gone);
    engine2.removeListener(gone);
    const [c] = await engine2.execute(SQL(3));
    engine2.input('src3').push([{ k: 'z', v: 3 }]);
    await c!.processAllAvailable();
    expect(engine2.output('dst3').rows()).toEqual([{ k: 'z', total: 3 }]);
    expect(late).toEqual([]);
    await engine2.stop();
  });

  it('a listener added to a query before its first batch hears started, once; after it, not', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(SQL(1));
    const first: QueryEvent[] = [];
    const listener = (e: QueryEvent) => first.push(e);
    q!.addListener(listener);
    q!.addListener(listener);
    engine.input('src1').push([{ k: 'x', v: 1 }]);
    await q!.processAllAvailable();
    const after: QueryEvent[] = [];
    q!.addListener((e) => after.push(e));
    engine.input('src1').push([{ k: 'x', v: 5 }]);
    await q!.processAllAvailable();
    await q!.stop();
    expect(first.map(summary)).toEqual([`started ${q!.name}`, `progress ${q!.name} 0`, `progress ${q!.name} 1`, `terminated ${q!.id}`]);
    expect(after.map(summary)).toEqual([`progress ${q!.name} 1`, `terminated ${q!.id}`]);
  });

  it('refuses a listener that is not a function', () => {
    expect(() => new Engine().addListener(42 as never)).toThrow(/engine.addListener\(…\) needs a function/);
  });
});
