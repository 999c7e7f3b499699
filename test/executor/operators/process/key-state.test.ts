/**
 * A process function's keyed state and timer queue on their own: reads are copies, a name holds one
 * kind of state, only plain data is kept, a key's state survives its store form, and timers come out
 * in time-then-key order with deleted ones skipped.
 */
import { describe, expect, it } from 'vitest';
import { KeyState, stateApi } from '../../../../src/executor/operators/process/key-state.js';
import { TimerQueue } from '../../../../src/executor/operators/process/timer-queue.js';

function api(): { k: KeyState; s: ReturnType<typeof stateApi>; changes: () => number } {
  const k = new KeyState('key');
  let n = 0;
  const s = stateApi(() => k, () => { n++; }, () => 'process function f (key k="a")');
  return { k, s, changes: () => n };
}

describe('keyed state', () => {
  it('reads copies: a change counts once written back', () => {
    const { s } = api();
    s.update('v', { xs: [1, 2] });
    const v = s.value('v') as { xs: number[] };
    v.xs.push(3);
    expect(s.value('v')).toEqual({ xs: [1, 2] });
    const l = s.list('l');
    l.addAll([{ a: 1 }, 'b']);
    (l.get()[0] as { a: number }).a = 9;
    expect(l.get()).toEqual([{ a: 1 }, 'b']);
  });

  it('value, list and map state with their operations; clearing leaves nothing', () => {
    const { k, s } = api();
    expect(s.value('missing')).toBeNull();
    s.update('n', 3);
    s.list('l').add(1);
    s.list('l').update([5, 6]);
    const m = s.map('m');
    m.put('a', 1);
    m.put({ composite: [1, 2] }, 'x');
    expect(m.get({ composite: [1, 2] })).toBe('x');
    expect(m.contains('a')).toBe(true);
    expect(m.keys()).toEqual(['a', { composite: [1, 2] }]);
    expect(m.entries()).toEqual([['a', 1], [{ composite: [1, 2] }, 'x']]);
    expect([s.list('l').get(), s.list('l').size(), m.size()]).toEqual([[5, 6], 2, 2]);
    m.remove('a');
    m.remove({ composite: [1, 2] });
    expect(m.get('a')).toBeNull();
    s.update('n', null);
    s.list('l').clear();
    expect(k.isEmpty).toBe(true);
  });

  it('refuses what is not plain data and a name used as another kind, naming the function and key', () => {
    const { s } = api();
    expect(() => s.update('d', new Date(0))).toThrow(/process function f \(key k="a"\): the value of state 'd' must be plain data .* got an object of class Date/);
    expect(() => s.list('l').add(NaN)).toThrow(/an element of list state 'l' must be plain data .* got NaN/);
    expect(() => s.map('m').put(1n, 1)).toThrow(/a key of map state 'm' .* got a bigint/);
    expect(() => s.update('f', { g: () => 1 })).toThrow(/got a function/);
    s.update('x', 1);
    expect(() => s.list('x').add(1)).toThrow(/state 'x' is a value state, used as a list state/);
  });

  it('survives its store form', () => {
    const { k, s } = api();
    s.update('n', { a: [1, 'b', null, true] });
    s.list('l').addAll([1, 2]);
    s.map('m').put('k', { v: 1 });
    k.eventTimers.add(10);
    k.procTimers.add(20);
    const back = KeyState.fromStored('key', JSON.parse(JSON.stringify(k.toStored())) as unknown[]);
    expect(back.toStored()).toEqual(k.toStored());
    expect([...back.eventTimers, ...back.procTimers]).toEqual([10, 20]);
  });
});

describe('timer queue', () => {
  it('gives timers in time then key order, skipping deleted ones', () => {
    const live = new Set(['5/b', '5/a', '1/c', '9/a', '3/z']);
    const q = new TimerQueue((e) => live.has(`${e.time}/${e.key}`));
    for (const id of live) {
      const [t, key] = id.split('/');
      q.push({ time: Number(t), key: key! });
    }
    live.delete('3/z');
    const out: string[] = [];
    for (let e = q.takeDue(6); e; e = q.takeDue(6)) out.push(`${e.time}/${e.key}`);
    expect(out).toEqual(['1/c', '5/a', '5/b']);
    expect(q.peek()).toEqual({ time: 9, key: 'a' });
  });
});
