// The engine's EventSink: a pool of Event objects reused across commands. An
// Event is created the first time its index is reached and then recycled, so
// steady-state matching allocates nothing; the pool doubles when one drain
// interval needs more, up to MAX_EVENTS_PER_BUFFER (past that the caller has
// stopped draining: a bug, so an assertion).
import { assert } from '../common/errors';
import { EVENT_BUFFER_INITIAL, MAX_EVENTS_PER_BUFFER } from './constants';
import { Event, type EventSink } from './event';

export class EventBuffer implements EventSink {
  private pool: Event[];
  private n = 0;

  constructor() {
    this.pool = new Array<Event>(EVENT_BUFFER_INITIAL);
  }

  get count(): number {
    return this.n;
  }

  at(index: number): Event {
    if (!(index >= 0 && index < this.n) || Math.floor(index) !== index) {
      throw new RangeError(`event index ${index} outside 0..${this.n - 1}`);
    }
    return this.pool[index]!;
  }

  clear(): void {
    this.n = 0;
  }

  /** The next event to fill in (its fields hold stale values: set every field of its kind). */
  next(): Event {
    const i = this.n;
    if (i === this.pool.length) this.grow();
    let e = this.pool[i];
    if (e === undefined) {
      e = new Event();
      this.pool[i] = e;
    }
    this.n = i + 1;
    return e;
  }

  private grow(): void {
    const len = this.pool.length;
    assert(len < MAX_EVENTS_PER_BUFFER, 'event buffer full: the caller must clear() it');
    const bigger = new Array<Event>(Math.min(len * 2, MAX_EVENTS_PER_BUFFER));
    for (let i = 0; i < len; i++) bigger[i] = this.pool[i]!;
    this.pool = bigger;
  }
}
