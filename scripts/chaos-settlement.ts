// npm run chaos:settlement -- --trials N [--commands N] [--seed S] [--workers N] [--write-ms MS]
//
// Runs N chaos trials of settlement (settlement/testing/chaos.ts): real
// settlement processes against a private Redis and a private Postgres
// cluster started for the run, a journal written under load, and worker
// kills (mid-transaction), pump kills, Redis restarts and Postgres stops
// injected; then drain, reconciliation, and every ledger leg and trade
// counted against the journal. One line per trial, and a JSON summary on the
// last line: {"trials", "missing", "duplicated", "reconcileFailures"}.
// Exits non-zero when anything was missing, doubled or failed to reconcile.
import { rootLogger } from '../common/logger';
import { ALL_FAULTS, runTrial } from '../settlement/testing/chaos';
import { PgCluster, RedisServer } from '../settlement/testing/services';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v < 0) {
    console.error(`--${name} needs a non-negative integer`);
    process.exit(2);
  }
  return v;
}

async function main(): Promise<void> {
  rootLogger('silent');
  const trials = arg('trials', 3);
  const commands = arg('commands', 10_000);
  const seed0 = arg('seed', Date.now() % 1_000_000);
  const workers = arg('workers', 2);
  const writeMs = arg('write-ms', 12_000);
  const pg = await PgCluster.start();
  const redis = await RedisServer.start();
  const summary = { trials: 0, missing: 0, duplicated: 0, reconcileFailures: 0 };
  try {
    for (let i = 0; i < trials; i++) {
      const seed = seed0 + i;
      const r = await runTrial({ seed, commands, pg, redis, faults: ALL_FAULTS, workers, writeMs });
      summary.trials++;
      summary.missing += r.missing;
      summary.duplicated += r.duplicated;
      if (!r.reconcileOk) summary.reconcileFailures++;
      console.log(
        `trial ${i + 1}/${trials} seed ${seed}: ${r.commands} commands, ${r.trades} trades, faults ${JSON.stringify(r.injected)} ` +
          `(${r.killsMidTransaction} kills mid-transaction), missing ${r.missing}, duplicated ${r.duplicated}, ` +
          `reconcile ${r.reconcileOk ? 'clean' : `FAILED ${JSON.stringify(r.differences)}`} (${(r.ms / 1000).toFixed(1)} s)`,
      );
    }
  } finally {
    await redis.destroy();
    await pg.destroy();
  }
  console.log(JSON.stringify(summary));
  process.exit(summary.missing + summary.duplicated + summary.reconcileFailures === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
