import t from 'tap';
import { parseArgs, UsageError } from '../index';

t.test('defaults, --quick, and options beside it win', async (t) => {
  t.same(parseArgs([]), { trades: 100_000, steadySeconds: 15, rate: 2_000, json: false });
  t.same(parseArgs(['--quick']), { trades: 20_000, steadySeconds: 5, rate: 2_000, json: false });
  t.same(parseArgs(['--trades', '500', '--quick', '--json', '--steady-seconds', '0']), {
    trades: 500,
    steadySeconds: 0,
    rate: 2_000,
    json: true,
  });
  // `npm run bench` passes every suite the same arguments: other suites' options are ignored.
  t.same(parseArgs(['--fsync', 'always', '--rate', '3000']).rate, 3000);
});

t.test('bad values are refused with the option and the value', async (t) => {
  for (const [argv, re] of [
    [['--trades', 'abc'], /--trades needs an integer >= 1, got 'abc'/],
    [['--trades', '0'], /--trades needs an integer >= 1, got '0'/],
    [['--rate', '1.5'], /--rate needs an integer >= 1/],
    [['--rate', ''], /--rate needs an integer >= 1, got ''/],
    [['--steady-seconds', '-1'], /--steady-seconds needs an integer >= 0/],
    [['--trades'], /--trades needs an integer >= 1, got nothing/],
  ] as const) {
    t.throws(() => parseArgs(argv), re, argv.join(' '));
    try {
      parseArgs(argv);
    } catch (err) {
      t.ok(err instanceof UsageError, `${argv.join(' ')}: a UsageError (exit 2, no stack)`);
    }
  }
});
