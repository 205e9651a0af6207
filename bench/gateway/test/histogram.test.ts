import t from 'tap';
import { bucketOf, bucketRange, Histogram } from '../histogram';

t.test('buckets are contiguous, monotonic and within 0.8% of their values', async (t) => {
  let prev = -1;
  for (const v of [0, 1, 255, 256, 257, 511, 512, 1000, 123_456, 2 ** 31, 2 ** 32 + 5, 1e12]) {
    const b = bucketOf(v);
    t.ok(b >= prev, `monotonic at ${v}`);
    prev = b;
    const [lo, width] = bucketRange(b);
    t.ok(v >= lo && v < lo + width, `${v} in [${lo}, ${lo + width})`);
    t.ok(width <= Math.max(1, v / 128), `relative width at ${v}`);
  }
  for (let b = 0; b < 2000; b++) {
    const [lo, width] = bucketRange(b);
    const [next] = bucketRange(b + 1);
    t.equal(lo + width, next, `bucket ${b} ends where ${b + 1} starts`);
  }
});

t.test('percentiles of a known distribution; merge', async (t) => {
  const a = new Histogram();
  const b = new Histogram();
  for (let i = 1; i <= 100_000; i++) (i % 2 === 0 ? a : b).record(i * 1000);
  const h = Histogram.from(a.toJSON());
  h.merge(b.toJSON());
  t.equal(h.count, 100_000);
  t.equal(h.min, 1000);
  t.equal(h.max, 100_000_000);
  for (const [p, want] of [
    [50, 50_000_000],
    [99, 99_000_000],
    [99.9, 99_900_000],
  ] as const) {
    const got = h.percentile(p);
    t.ok(Math.abs(got - want) / want < 0.008, `p${p} ${got} ~ ${want}`);
  }
  t.equal(h.percentile(100), 100_000_000);
  t.equal(new Histogram().percentile(50), 0);
});
