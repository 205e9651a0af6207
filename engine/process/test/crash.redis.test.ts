// kill -9 the engine process at random moments under load (5 trials): no
// acknowledged command is lost or changed, nothing is duplicated, and every
// recovered state hashes like a fresh engine replaying the whole journal.
import t from 'tap';
import { runChaos } from '../../../scripts/chaos-engine';
import { buildEngineOnce } from './helpers';

buildEngineOnce();

t.test('crash at random moments: nothing acknowledged is lost, nothing duplicated', async (t) => {
  const summary = await runChaos({ trials: 5, log: (m) => t.comment(m) });
  t.comment(JSON.stringify(summary));
  t.equal(summary.trials, 5);
  t.ok(summary.acknowledged > 100, `${summary.acknowledged} commands acknowledged`);
  t.equal(summary.lost, 0, 'lost');
  t.equal(summary.duplicated, 0, 'duplicated');
  t.equal(summary.hashMismatches, 0, 'hash mismatches');
});
