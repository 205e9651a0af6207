// The engine and gateway are spawned with these flags; a bad value must stop
// the spawner with a clear message rather than become the script to run.
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { hotPathNodeArgs } from '../node-args';

t.test('default, override, empty and invalid EXCHANGE_NODE_ARGS', async (t) => {
  t.same(hotPathNodeArgs({}), ['--single-threaded-gc']);
  t.same(hotPathNodeArgs({ EXCHANGE_NODE_ARGS: '' }), []);
  t.same(
    hotPathNodeArgs({ EXCHANGE_NODE_ARGS: '  --max-semi-space-size=8   --single-threaded-gc ' }),
    ['--max-semi-space-size=8', '--single-threaded-gc'],
  );
  t.throws(() => hotPathNodeArgs({ EXCHANGE_NODE_ARGS: 'evil.js' }), /not a --flag/);
  t.throws(() => hotPathNodeArgs({ EXCHANGE_NODE_ARGS: '--ok -e' }), /'-e' is not a --flag/);
});

t.test('this Node accepts the default flags', async (t) => {
  const r = spawnSync(process.execPath, [...hotPathNodeArgs({}), '-e', 'process.exit(0)'], {
    encoding: 'utf8',
  });
  t.equal(r.stderr, '');
  t.equal(r.status, 0);
});
