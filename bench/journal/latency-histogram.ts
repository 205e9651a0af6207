// Latency samples in microseconds; percentiles by sorting once at the end
// (a run holds at most a few million samples). Preallocate the expected
// count so recording never allocates during a run.
export class LatencyHistogram {
  private samples: Float64Array;
  private n = 0;

  constructor(expected = 1 << 16) {
    this.samples = new Float64Array(Math.max(16, expected));
  }

  record(us: number): void {
    if (this.n === this.samples.length) {
      const bigger = new Float64Array(this.samples.length * 2);
      bigger.set(this.samples);
      this.samples = bigger;
    }
    this.samples[this.n++] = us;
  }

  get count(): number {
    return this.n;
  }

  /** p in [0, 100]; NaN when empty. */
  percentiles(ps: number[]): number[] {
    const s = this.samples.slice(0, this.n).sort();
    return ps.map((p) =>
      this.n === 0 ? Number.NaN : s[Math.min(this.n - 1, Math.ceil((p / 100) * this.n) - 1)]!,
    );
  }

  max(): number {
    let m = 0;
    for (let i = 0; i < this.n; i++) if (this.samples[i]! > m) m = this.samples[i]!;
    return m;
  }
}
