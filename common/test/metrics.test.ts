import t from 'tap';
import { MetricsRegistry } from '../metrics';

t.test('renders counters, gauges and histograms in the Prometheus text format', async (t) => {
  const r = new MetricsRegistry();
  const c = r.counter('orders_total', 'Orders received');
  const g = r.gauge('lag_entries', 'Journal lag');
  const h = r.histogram('job_ms', 'Job duration', [1, 10]);
  c.inc({ shard: 0 });
  c.inc({ shard: 0 }, 2);
  g.set(7, { shard: '0' });
  h.observe(0.5);
  h.observe(5);
  h.observe(50);
  const text = r.render();
  t.match(text, /# TYPE orders_total counter\norders_total\{shard="0"\} 3\n/);
  t.match(text, /lag_entries\{shard="0"\} 7/);
  t.match(
    text,
    /job_ms_bucket\{le="1"\} 1\njob_ms_bucket\{le="10"\} 2\njob_ms_bucket\{le="\+Inf"\} 3\njob_ms_sum 55.5\njob_ms_count 3/,
  );
  t.equal(c.get({ shard: 0 }), 3);
  t.throws(() => r.counter('orders_total', 'again'));
  t.throws(() => r.histogram('bad', 'x', [2, 1]));
});

t.test('label values are escaped', async (t) => {
  const r = new MetricsRegistry();
  r.counter('e_total', 'errors').inc({ msg: 'a"b\\c\nd' });
  t.match(r.render(), /e_total\{msg="a\\"b\\\\c\\nd"\} 1/);
});
