import t from 'tap';
import { ReportSequencer } from '../report-sequencer';

t.test('in order, once, with held reports behind a gap', async (t) => {
  const out: number[] = [];
  const s = new ReportSequencer((r) => out.push(r.reportSeq ?? 0), true);
  s.reset(10);
  t.equal(s.push({ reportSeq: 9 }), 'duplicate');
  t.equal(s.push({ reportSeq: 11 }), 'delivered');
  t.equal(s.push({ reportSeq: 14 }), 'buffered');
  t.equal(s.push({ reportSeq: 13 }), 'buffered');
  t.equal(s.push({ reportSeq: 14 }), 'duplicate');
  t.equal(s.hasGap, true);
  t.equal(s.firstHeldSeq(), 13);
  t.equal(s.push({ reportSeq: 12 }), 'delivered');
  t.same(out, [11, 12, 13, 14]);
  t.equal(s.hasGap, false);
  t.equal(s.lastSeq, 14);
});

t.test('skipGap gives up on missing reports', async (t) => {
  const out: number[] = [];
  const s = new ReportSequencer((r) => out.push(r.reportSeq ?? 0), true);
  s.push({ reportSeq: 1 });
  s.push({ reportSeq: 4 });
  s.push({ reportSeq: 5 });
  t.same(s.skipGap(), { from: 2, to: 3 });
  t.same(out, [1, 4, 5]);
  t.equal(s.skipGap(), undefined);
});

t.test(
  'monotonic mode (the gateway numbers engine seq * 4096 + ordinal): gaps are normal',
  async (t) => {
    const out: number[] = [];
    const s = new ReportSequencer((r) => out.push(r.reportSeq ?? 0));
    s.reset(4096);
    t.equal(s.push({ reportSeq: 8192 }), 'delivered');
    t.equal(s.push({ reportSeq: 8193 }), 'delivered');
    t.equal(s.push({ reportSeq: 8192 }), 'duplicate');
    t.equal(s.push({ reportSeq: 40960 }), 'delivered');
    t.equal(s.hasGap, false);
    t.same(out, [8192, 8193, 40960]);
  },
);

t.test('during a replay everything is held, then released sorted and deduplicated', async (t) => {
  for (const contiguous of [false, true]) {
    const out: number[] = [];
    const s = new ReportSequencer((r) => out.push(r.reportSeq ?? 0), contiguous);
    s.reset(10);
    s.hold();
    // live reports overtake the replayed ones
    t.equal(s.push({ reportSeq: 14 }), 'buffered');
    t.equal(s.push({ reportSeq: 11 }), 'buffered');
    t.equal(s.push({ reportSeq: 12 }), 'buffered');
    t.equal(s.push({ reportSeq: 13 }), 'buffered');
    t.equal(s.push({ reportSeq: 14 }), 'duplicate');
    t.same(out, [], 'nothing delivered while held');
    s.release();
    t.same(out, [11, 12, 13, 14], contiguous ? 'contiguous' : 'monotonic');
    t.equal(s.push({ reportSeq: 15 }), 'delivered');
  }
});
