// npm run reconcile -- [--shards 0,1] [--wait SECONDS] [--json] [--no-hashes]
//
// Compares Postgres with the engine at the same journal position (see
// settlement/reconcile.ts): double entry per asset, balances = credits -
// debits, every balance against the engine rebuilt from its snapshot and
// journal, trade count and volume, open orders, withdrawals and deposits.
// Prints a readable report and exits 1 on any difference (naming the first
// ones), 2 on bad arguments or when the services cannot be reached.
// --wait polls (up to SECONDS) until each shard is drained before comparing.
import Redis from 'ioredis';
import postgres from 'postgres';
import { loadConfig } from '../common/config';
import { rootLogger } from '../common/logger';
import { formatReport, reconcile } from '../settlement/reconcile';
import { loadSettlementConfig } from '../settlement/settlement-config';

function value(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function main(): Promise<number> {
  rootLogger('silent');
  const config = loadConfig();
  const shardsArg = value('shards');
  const shards =
    shardsArg === undefined ? [...loadSettlementConfig().shards] : shardsArg.split(',').map(Number);
  if (shards.some((s) => !Number.isSafeInteger(s) || s < 0)) {
    console.error('--shards: comma-separated shard ids');
    return 2;
  }
  const waitS = Number(value('wait') ?? '0');
  const json = process.argv.includes('--json');
  const sql = postgres(config.databaseUrl, { max: 2, onnotice: () => {} });
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  try {
    const until = Date.now() + waitS * 1000;
    for (;;) {
      const report = await reconcile({
        sql,
        redis,
        shards,
        verifyHashes: !process.argv.includes('--no-hashes'),
      });
      const notDrained = report.differences.some(
        (d) => d.includes('not drained') || d.includes('past the settled'),
      );
      if (report.ok || !notDrained || Date.now() >= until) {
        console.log(json ? JSON.stringify(report) : formatReport(report));
        return report.ok ? 0 : 1;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    redis.disconnect();
    await sql.end({ timeout: 2 });
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`reconcile: ${(err as Error).message}`);
    process.exit(2);
  },
);
