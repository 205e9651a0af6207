// The randomized differential test: seeded command streams through the
// reference model and the fast engine must give identical events, reject
// reasons and state hashes, with every invariant holding on both.
// A failure prints the seed and the first differing command; replay it with
//   npm run fuzz:engine -- --seed S --commands N [--shrink]
import t from 'tap';
import { Engine } from '../engine';
import { NaiveEngine } from '../order-book-naive';
import { feeAccountIdForSeed, generateStream } from '../testing/command-generator';
import {
  type DifferentialOptions,
  type MakeEngine,
  runDifferential,
  showJson,
} from '../testing/differential';

const fast: MakeEngine = (options) => new Engine(options);

interface Plan {
  name: string;
  firstSeed: number;
  seeds: number;
  commands: number;
  options: DifferentialOptions;
}

// 392,000 commands in all. Invariants after every command in the first three
// groups; every 7th in the long streams, which keep deeper books.
const PLANS: Plan[] = [
  {
    name: 'every command checked',
    firstSeed: 1,
    seeds: 32,
    commands: 4000,
    options: { invariantEvery: 1, hashEvery: 100 },
  },
  {
    name: 'garbage-heavy',
    firstSeed: 5001,
    seeds: 8,
    commands: 4000,
    options: { invariantEvery: 1, generator: { garbageRate: 0.2, nonObjects: true } },
  },
  {
    name: 'small order pool',
    firstSeed: 7001,
    seeds: 8,
    commands: 4000,
    options: { invariantEvery: 1, maxOrders: 25 },
  },
  {
    name: 'long streams, deep books',
    firstSeed: 10_001,
    seeds: 10,
    commands: 20_000,
    options: { invariantEvery: 7, hashEvery: 500, generator: { bookTarget: 400 } },
  },
];

for (const plan of PLANS) {
  t.test(`differential: ${plan.name} (${plan.seeds} seeds x ${plan.commands})`, async (t) => {
    let commands = 0;
    let failures = 0;
    for (let k = 0; k < plan.seeds; k++) {
      const seed = plan.firstSeed + k;
      const r = runDifferential(seed, plan.commands, fast, plan.options);
      commands += r.stats.commands;
      if (!r.ok) {
        failures += 1;
        t.fail(`seed ${seed}: ${r.failure!.what.split('\n')[0]}`, { diagnostic: true });
        t.comment(r.failure!.report);
        if (failures >= 3) break;
      }
    }
    t.equal(failures, 0, `${commands} commands, ${failures} failing seeds`);
  });
}

t.test('the harness catches a planted bug and names seed and command', async (t) => {
  // A buy that refuses to trade at exactly its limit price.
  const planted: MakeEngine = (o) => {
    const e = new NaiveEngine(o);
    const m = e as unknown as {
      acceptable: (tk: { order: { side: number }; limitPrice: number }, p: number) => boolean;
    };
    m.acceptable = (tk, p) => (tk.order.side === 1 ? p < tk.limitPrice : p >= tk.limitPrice);
    return e;
  };
  const r = runDifferential(1, 3000, planted);
  t.notOk(r.ok);
  t.match(r.failure!.report, /seed=1 command index=\d+/);
  t.match(r.failure!.report, /npm run fuzz:engine -- --seed 1 --commands \d+/);
  // ... and the failing prefix replays to the same failure.
  const again = runDifferential(1, r.commands, planted);
  t.equal(again.failure?.index, r.failure!.index);
});

t.test('streams are a pure function of the seed', async (t) => {
  const make = (feeAccountId: number) => new NaiveEngine({ feeAccountId });
  const a = generateStream(77, 1500, make);
  const b = generateStream(77, 1500, make);
  t.equal(showJson(a), showJson(b));
  t.not(showJson(generateStream(78, 1500, make)), showJson(a));
  t.ok(feeAccountIdForSeed(77) >= 1);
});
