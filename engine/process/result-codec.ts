// A batch's events are encoded once, straight into its journal entry
// (JournaledCommand.events = 5); EventRanges remembers where each event's
// bytes are, so the reply (CommandResult.events = 4) and event pushes
// (EventBatch.events = 3) copy them instead of encoding again. The
// CommandResult body layout is shared with replay (idempotency-window.ts
// rebuilds it from a journaled command), so a resend after a crash gets byte
// for byte the original result.

import { assert } from '../../common/errors';
import type { EventSink } from '../event';
import { EventBuffer } from '../event-buffer';
import { writeEventBody, writeLogEventBody } from './event-codec';
import { type ProtoWriter, varintSize } from './proto-writer';

export class EventRanges {
  starts = new Int32Array(4096);
  ends = new Int32Array(4096);
  count = 0;

  reset(): void {
    this.count = 0;
  }

  /**
   * Writes events[from, to) into `w` as repeated field `field` and records
   * where each body lands; returns the index of the first.
   */
  encode(w: ProtoWriter, field: number, events: EventSink, from: number, to: number): number {
    const first = this.count;
    for (let i = from; i < to; i++) {
      if (this.count === this.starts.length) this.grow();
      const m = w.beginLen(field);
      const start = w.pos;
      if (events instanceof EventBuffer) writeLogEventBody(w, events, i);
      else writeEventBody(w, events.view(i));
      const end = w.pos;
      const moved = w.endLen(m);
      this.starts[this.count] = start + moved;
      this.ends[this.count] = end + moved;
      this.count++;
    }
    return first;
  }

  /** The bytes of events [first, count) moved forward by `delta` (their enclosing message's length grew). */
  shift(first: number, delta: number): void {
    if (delta === 0) return;
    for (let i = first; i < this.count; i++) {
      this.starts[i] += delta;
      this.ends[i] += delta;
    }
  }

  /**
   * Writes events [first, first + n) of `src` as repeated field `field` of
   * `out`. A command's events lie back to back in `src` as (tag, length,
   * body) fields of one other field number below 16, so they are copied as
   * one run and only each one-byte tag is rewritten.
   */
  copyTo(out: ProtoWriter, field: number, src: Uint8Array, first: number, n: number): void {
    if (n === 0) return;
    assert(field > 0 && field < 16, 'event fields have one-byte tags');
    const tag = (field << 3) | 2;
    const runStart = this.tagAt(first);
    const base = out.pos;
    out.raw(src, runStart, this.ends[first + n - 1]!);
    const b = out.buf;
    for (let i = first; i < first + n; i++) b[base + this.tagAt(i) - runStart] = tag;
  }

  /** Where event i's tag byte is: before its length varint. */
  private tagAt(i: number): number {
    const s = this.starts[i]!;
    return s - 1 - varintSize(this.ends[i]! - s);
  }

  private grow(): void {
    const starts = new Int32Array(this.starts.length * 2);
    starts.set(this.starts);
    const ends = new Int32Array(this.ends.length * 2);
    ends.set(this.ends);
    this.starts = starts;
    this.ends = ends;
  }
}

/** CommandResult fields after correlation_id: seq, reject_reason, events, engine_time_us. */
export function writeResultBody(
  out: ProtoWriter,
  seq: number,
  reason: number,
  ranges: EventRanges,
  src: Uint8Array,
  firstEvent: number,
  eventCount: number,
  timeUs: number,
): void {
  out.uint(2, seq);
  out.uint(3, reason);
  ranges.copyTo(out, 4, src, firstEvent, eventCount);
  out.uint(5, timeUs);
}

/** LinkMessage.result framed, for a stored result body and a new correlation id. */
export function writeStoredResultFrame(
  out: ProtoWriter,
  correlationId: number,
  body: Buffer,
): void {
  const f = out.beginFrame();
  const m = out.beginLen(1);
  out.uint(1, correlationId);
  out.raw(body);
  out.endLen(m);
  out.endFrame(f);
}
