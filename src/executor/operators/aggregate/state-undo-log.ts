/**
 * What a batch changed in place in an aggregation's stored state, in order, so that an aborted batch
 * can be taken back: the multiplicities of DISTINCT value maps and sets, the elements of small
 * accumulator states, a slot of a group's state array.
 *
 * A group aggregation changes the stored state itself instead of a copy per batch: copying every
 * group a batch touches (its states, its value maps) made q15/q16 quadratic at first, and later
 * most of q16's memory, since the copies live as long as a batch, long enough to reach the old
 * generation. The log lives as long as a batch too, so it allocates little: its arrays keep their
 * room from batch to batch, and a state is recorded element by element, not as a copy.
 */
import type { NumberSet } from './number-set.js';

/** A DISTINCT aggregate's values with their multiplicities. */
export type Seen = Map<unknown, number>;

/** An array of the stored state: an accumulator state, a group's states, a group's stored value. */
type StateArray = unknown[];

/** `before` of a recorded array of one element, its element kept in `values` */
const ONE_ELEMENT = -2;
/** `before` of an array's length, kept in `values` */
const LENGTH = -1;
/** `before` of element `i` of an array is SLOT - i, the element kept in `values` */
const SLOT = -3;

export class StateUndoLog {
  /** the value map or number set changed, or (before < 0) the array changed */
  private readonly maps: (Seen | NumberSet | StateArray | undefined)[] = [];
  /** the value whose multiplicity changed, or (before < 0) the array's element or length before the change */
  private readonly values: unknown[] = [];
  /** multiplicity before the change (0: absent), or ONE_ELEMENT, LENGTH, SLOT - i for an array */
  private readonly before: number[] = [];
  /** entries in use (the arrays may be longer) */
  private n = 0;

  /** `value`'s multiplicity in `seen` is about to change from `before` (0: absent). */
  record(seen: Seen | NumberSet, value: unknown, before: number): void {
    this.push(seen, value, before);
  }

  /**
   * Array `state` is about to change (its length and elements are kept until the batch commits): a
   * state of a few values (an accumulator's numbers, a running MIN's value), the value store a
   * DISTINCT state holds being replaced, a group's stored value.
   */
  recordState(state: StateArray): void {
    const len = state.length;
    if (len === 1) {
      this.push(state, state[0], ONE_ELEMENT);
      return;
    }
    // the length first and the elements from the last: taken back newest first, the elements are
    // written from the first (no holes when the array has shrunk since) and the length set last
    this.push(state, len, LENGTH);
    for (let k = len - 1; k >= 0; k--) this.push(state, state[k], SLOT - k);
  }

  /** Element `i` of `array` is about to be replaced (a group's state for a copy of it). */
  recordSlot(array: StateArray, i: number): void {
    this.push(array, array[i], SLOT - i);
  }

  private push(changed: Seen | NumberSet | StateArray, value: unknown, before: number): void {
    const i = this.n++;
    this.maps[i] = changed;
    this.values[i] = value;
    this.before[i] = before;
  }

  /** entries recorded since the last clear */
  get size(): number {
    return this.n;
  }

  /** Undo every change recorded since the last clear, newest first. */
  rollback(): void {
    for (let i = this.n - 1; i >= 0; i--) {
      const n = this.before[i]!;
      if (n < 0) {
        const array = this.maps[i] as StateArray;
        if (n === ONE_ELEMENT) {
          array.length = 1;
          array[0] = this.values[i];
        } else if (n === LENGTH) array.length = this.values[i] as number;
        else array[SLOT - n] = this.values[i];
      } else if (n === 0) (this.maps[i] as Seen | NumberSet).delete(this.values[i] as number);
      else (this.maps[i] as Seen).set(this.values[i], n);
    }
    this.clear();
  }

  /** The batch committed: nothing to take back any more. */
  clear(): void {
    // keep the room, let go of what it held
    this.maps.fill(undefined, 0, this.n);
    this.values.fill(undefined, 0, this.n);
    this.n = 0;
  }
}
