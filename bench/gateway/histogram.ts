// An HDR-style log-linear histogram of non-negative integers (the bench
// records nanoseconds): values below 2^SUB_BITS get one bucket each; above,
// every power-of-two range [2^e, 2^(e+1)) splits into 2^(SUB_BITS-1) equal
// buckets, so a reported value is within 2^-(SUB_BITS-1) (0.8%) of the truth
// whatever the magnitude. Fixed memory (a Float64Array), O(1) record, exact
// min/max/count, mergeable across workers (postMessage the counts).

const SUB_BITS = 8;
const LINEAR = 1 << SUB_BITS; // 256 single-value buckets
const HALF = LINEAR >> 1; // 128 buckets per octave above
/** Octaves above the linear range: values up to 2^(SUB_BITS + OCTAVES) (~2^48 ns, 3 days). */
const OCTAVES = 40;

/** Fixed-size log-linear histogram. */
export class Histogram {
  readonly counts: Float64Array;
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = 0;
  sum = 0;

  constructor(counts?: Float64Array) {
    this.counts = counts ?? new Float64Array(LINEAR + OCTAVES * HALF);
  }

  /** Records one value (negative values count as 0; beyond range as the top bucket). */
  record(value: number): void {
    const v = value > 0 ? Math.floor(value) : 0;
    this.counts[bucketOf(v)]!++;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /** Adds another histogram's counts. */
  merge(other: {
    counts: Float64Array;
    count: number;
    min: number;
    max: number;
    sum: number;
  }): void {
    const a = this.counts;
    const b = other.counts;
    for (let i = 0; i < a.length; i++) a[i]! += b[i];
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  /** The value at percentile p (0..100): the middle of the bucket holding it, clamped to [min, max]. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    if (rank >= this.count) return this.max;
    let seen = 0;
    const c = this.counts;
    for (let i = 0; i < c.length; i++) {
      seen += c[i]!;
      if (seen >= rank) {
        const [lo, width] = bucketRange(i);
        return Math.min(this.max, Math.max(this.min, lo + (width - 1) / 2));
      }
    }
    return this.max;
  }

  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /** Plain data for postMessage (the counts buffer can be transferred). */
  toJSON(): { counts: Float64Array; count: number; min: number; max: number; sum: number } {
    return { counts: this.counts, count: this.count, min: this.min, max: this.max, sum: this.sum };
  }

  static from(data: {
    counts: Float64Array;
    count: number;
    min: number;
    max: number;
    sum: number;
  }): Histogram {
    const h = new Histogram(data.counts);
    h.count = data.count;
    h.min = data.min;
    h.max = data.max;
    h.sum = data.sum;
    return h;
  }
}

/** Bucket index of a non-negative integer. */
export function bucketOf(v: number): number {
  if (v < LINEAR) return v;
  let e = Math.floor(Math.log2(v));
  // log2 of doubles can be off by one right at powers of two.
  if (2 ** e > v) e--;
  else if (2 ** (e + 1) <= v) e++;
  const octave = e - SUB_BITS + 1; // 1 for [256, 512)
  if (octave > OCTAVES) return LINEAR + OCTAVES * HALF - 1;
  const shift = e - (SUB_BITS - 1); // keeps SUB_BITS-1 bits below the leading one
  const sub = Math.floor(v / 2 ** shift) - HALF; // 0..HALF-1
  return LINEAR + (octave - 1) * HALF + sub;
}

/** [lowest value, width] of bucket i. */
export function bucketRange(i: number): [number, number] {
  if (i < LINEAR) return [i, 1];
  const octave = Math.floor((i - LINEAR) / HALF) + 1;
  const sub = (i - LINEAR) % HALF;
  const width = 2 ** octave;
  return [(HALF + sub) * width, width];
}
