// The engine process's only clock. The sequencer reads it once per batch and
// stamps every command of the batch with it (journaled as time_us); the pure
// engine never reads a clock, and replay uses the journaled time. Monotonic
// (never behind the last stamp, across restarts too) and in microseconds.
const wallAtStartUs = Date.now() * 1000;
const hrAtStart = process.hrtime.bigint();

export function wallClockUs(): number {
  return wallAtStartUs + Number((process.hrtime.bigint() - hrAtStart) / 1000n);
}

export class BatchClock {
  private lastUs: number;

  constructor(lastJournaledUs: number) {
    this.lastUs = lastJournaledUs;
  }

  /** The stamp for the next batch: wall time, but never earlier than the previous stamp. */
  stamp(): number {
    const now = wallClockUs();
    if (now > this.lastUs) this.lastUs = now;
    return this.lastUs;
  }
}
