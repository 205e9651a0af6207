// npm run bench:journal [-- --json] [--fsync no|everysec|always] [--orders N] [--quick]
//
// One load process (this one) drives the engine process over a real link;
// the engine journals to a private local redis-server. In one run it measures
// the floor (one XADD round trip and one link round trip, each alone), the
// acknowledged commands/s at saturation, acknowledgement latency at a fixed
// offered rate, commands per group commit, the snapshot pause and recovery
// with a million resting orders. Prints PASS/MISS per target and never fails
// the process on a miss. With --json the last line is one JSON object.
import { cpus, loadavg } from 'node:os';
import Redis from 'ioredis';
import {
  type EngineHandle,
  type PrivateRedis,
  startEngine,
  startRedis,
} from '../../engine/process/harness';
import type { exchange } from '../../proto/gen/exchange';
import { LinkClient } from '../../proto/link-client';
import { BENCH_ACCOUNTS, BENCH_MARKET, CommandStream, FIRST_ACCOUNT } from './command-stream';
import { LatencyHistogram } from './latency-histogram';
import { fixedRate, fixedRatePings, nowUs, saturate } from './load-generator';
import { RawLink } from './raw-link';

const args = process.argv.slice(2);
const json = args.includes('--json');
const argOf = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const fsync = argOf('--fsync', 'no');
// --quick (as `npm run bench -- --quick` passes to every suite): a 100k-order book for recovery.
const bigBook = Number(argOf('--orders', args.includes('--quick') ? '100000' : '1000000'));
const log = (s: string) => console.log(s);

const TARGETS = {
  commandsPerSec: 300_000,
  p99Us: 1_000,
  p50OverFloor: 3,
  recoveryCommandsPerSec: 500_000,
};

function loadText(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

function mark(ok: boolean): string {
  return ok ? 'PASS' : 'MISS';
}

async function setup(client: LinkClient): Promise<void> {
  const cmds: exchange.v1.ICommand[] = [
    { addAsset: { assetId: 1 } },
    { addAsset: { assetId: 2 } },
    {
      addMarket: {
        marketId: BENCH_MARKET,
        baseAssetId: 1,
        quoteAssetId: 2,
        baseAtomsPerLot: 1,
        quoteAtomsPerTickLot: 1,
        minQtyLots: 1,
        maxQtyLots: 1_000_000,
        maxPriceTicks: 1_000_000,
        minNotionalAtoms: 0,
        priceBandBps: 1_000,
        status: 1,
      },
    },
  ];
  for (let a = FIRST_ACCOUNT; a < FIRST_ACCOUNT + BENCH_ACCOUNTS; a++) {
    cmds.push({ addAccount: { accountId: a, makerFeeBps: 0, takerFeeBps: 0 } });
    cmds.push({ deposit: { accountId: a, assetId: 1, amountAtoms: 1e13, refId: a * 2 } });
    cmds.push({
      deposit: { accountId: a, assetId: 2, amountAtoms: 1e13, refId: a * 2 + 1 },
    });
  }
  for (const c of cmds) {
    const m = await client.command(c);
    if (!m.result || m.result.rejectReason !== 0)
      throw new Error(`setup refused: ${JSON.stringify(m.toJSON())}`);
  }
}

async function floor(
  redis: PrivateRedis,
  client: LinkClient,
): Promise<{ xaddUs: number; linkUs: number }> {
  const r = new Redis(redis.url);
  const payload = Buffer.alloc(120, 1);
  const xadd = new LatencyHistogram();
  const ping = new LatencyHistogram();
  for (let i = 0; i < 3_000; i++) {
    const t0 = nowUs();
    await r.xadd('bench:floor', '*', 'e', payload);
    if (i >= 500) xadd.record(nowUs() - t0);
  }
  await r.del('bench:floor');
  r.disconnect();
  for (let i = 0; i < 3_000; i++) {
    const t0 = nowUs();
    await client.ping();
    if (i >= 500) ping.record(nowUs() - t0);
  }
  return { xaddUs: xadd.percentiles([50])[0]!, linkUs: ping.percentiles([50])[0]! };
}

async function entriesIn(redis: Redis): Promise<number> {
  return (await redis.xlen('journal:{0}')) as number;
}

async function waitReady(engine: EngineHandle): Promise<Record<string, unknown>> {
  return engine.waitForLog((l) => l.msg === 'recovered', 600_000);
}

async function main(): Promise<void> {
  const cpu = cpus();
  log(
    `machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, Node ${process.version}, load average ${loadText()} at start`,
  );
  log(
    `engine journals to a private redis-server (appendonly ${fsync === 'no' ? 'no' : `yes, appendfsync ${fsync}`}); load generator, engine and Redis share this machine`,
  );
  const redis = await startRedis({ durable: fsync === 'always' });
  if (fsync === 'everysec') {
    const c = redis.client();
    await c.config('SET', 'appendonly', 'yes');
    await c.config('SET', 'appendfsync', 'everysec');
  }
  const rc = redis.client();
  const env = {
    REDIS_URL: redis.url,
    LOG_LEVEL: 'info',
    ENGINE_SNAPSHOT_EVERY_ENTRIES: '0',
    ENGINE_SNAPSHOT_EVERY_MS: '0',
    ENGINE_TRIM_EVERY_MS: '0',
    ENGINE_IDEMPOTENCY_WINDOW: '100000',
    // No live state hash during the run, so the snapshot's own pause is
    // measured alone; what a hash of the big book costs is measured at
    // recovery (which checks the snapshot's hash) and reported separately.
    ENGINE_HASH_MIN_INTERVAL_MS: '3600000',
  };
  let engine = await startEngine(env);
  try {
    const client = await LinkClient.connect({ port: engine.port, maxInFlight: 1_000_000 });
    await client.hello('bench');
    await setup(client);

    // The load runs on a bare link of its own (raw-link.ts); `client` serves setup and the floor.
    let raw = await RawLink.connect(engine.port);
    const f = await floor(redis, client);
    const floorUs = f.xaddUs + f.linkUs;
    log(
      `floor: XADD round trip p50 ${f.xaddUs.toFixed(0)} us + link round trip p50 ${f.linkUs.toFixed(0)} us = ${floorUs.toFixed(0)} us`,
    );

    // Warm up, then saturate.
    const stream = new CommandStream('s', 5_000);
    await saturate(raw, stream, 1.5, 4_000);
    let e0 = await entriesIn(rc);
    const sat = await saturate(raw, stream, 4, 8_000);
    let e1 = await entriesIn(rc);
    const satRate = sat.acked / sat.seconds;
    const perCommit = sat.acked / Math.max(1, e1 - e0);
    log(
      `saturation: ${Math.round(satRate).toLocaleString('en')} acknowledged commands/s (${sat.acked} in ${sat.seconds.toFixed(2)} s, ${sat.rejected} rejected), ${perCommit.toFixed(1)} commands per group commit  [target >= ${TARGETS.commandsPerSec.toLocaleString('en')}/s: ${mark(satRate >= TARGETS.commandsPerSec)}]`,
    );

    // Fixed offered rate: first pings alone (the link and this machine), then commands.
    const rate = 20_000;
    const pings = await fixedRatePings(raw, rate, 2);
    const [q50, q99] = pings.percentiles([50, 99]) as [number, number];
    const pp = pings.pacer;
    log(
      `reference: link pings at ${rate.toLocaleString('en')}/s on the same schedule (no engine work, no Redis): p50 ${q50.toFixed(0)} us, p99 ${q99.toFixed(0)} us, max ${pings.max().toFixed(0)} us`,
    );
    e0 = await entriesIn(rc);
    const fixed = await fixedRate(raw, new CommandStream('f', 5_000), rate, 5);
    e1 = await entriesIn(rc);
    const [p50, p99, p999] = fixed.latency.percentiles([50, 99, 99.9]) as [number, number, number];
    const max = fixed.latency.max();
    const fixedPerCommit = fixed.acked / Math.max(1, e1 - e0);
    log(
      `load average ${loadText()}; pacer: ${fixed.pacer?.wakeups} wake-ups, ${fixed.pacer?.writes} writes for ${fixed.sent} commands, ${fixed.pacer?.eagain} EAGAIN, furthest behind schedule ${fixed.pacer?.maxBehindUs.toFixed(0)} us (pings: ${pp?.wakeups} wake-ups, furthest behind ${pp?.maxBehindUs.toFixed(0)} us)`,
    );
    const loadAtFixedRate = loadavg()[0]!;
    log(
      `fixed rate ${rate.toLocaleString('en')}/s: ack latency p50 ${p50.toFixed(0)} us, p99 ${p99.toFixed(0)} us, p99.9 ${p999.toFixed(0)} us, max ${max.toFixed(0)} us (${fixed.acked} acked, ${fixedPerCommit.toFixed(2)} commands per commit)  [p99 < 1 ms: ${mark(p99 < TARGETS.p99Us)}; p50 < 3x floor (${(p50 / floorUs).toFixed(2)}x): ${mark(p50 / floorUs < TARGETS.p50OverFloor)}]`,
    );
    // Every command's round trip contains a link round trip between the same
    // two processes on the same schedule, so when the pings alone miss the
    // p99 target, no engine could meet it on this machine in this run.
    const p99ReachableHere = q99 < TARGETS.p99Us;
    if (!p99ReachableHere) {
      log(
        `p99 target not reachable on this machine in this run: the reference pings alone (no engine work, no Redis) have p99 ${q99.toFixed(0)} us >= ${TARGETS.p99Us} us`,
      );
    }

    // The same path at a quarter of the rate: a tail that does not shrink with
    // the load comes from the machine (scheduling, wake-ups), not from queueing.
    const lowRate = rate / 4;
    const low = await fixedRate(raw, new CommandStream('l', 5_000), lowRate, 4);
    const [l50, l99] = low.latency.percentiles([50, 99]) as [number, number];
    log(
      `fixed rate ${lowRate.toLocaleString('en')}/s (same path, a quarter of the load): ack latency p50 ${l50.toFixed(0)} us, p99 ${l99.toFixed(0)} us, max ${low.latency.max().toFixed(0)} us`,
    );

    // Replay rate of the place/cancel flow so far: kill -9, recover from the journal alone.
    await client.close();
    await raw.close();
    await engine.kill('SIGKILL');
    engine = await startEngine(env, 600_000);
    const rec0 = await waitReady(engine);
    const replayRate = Number(rec0.replayCommandsPerSec);
    log(
      `recovery replay of the place/cancel journal (${Number(rec0.commands).toLocaleString('en')} commands in ${rec0.entries} entries): ${replayRate.toLocaleString('en')} commands/s  [target >= ${TARGETS.recoveryCommandsPerSec.toLocaleString('en')}/s: ${mark(replayRate >= TARGETS.recoveryCommandsPerSec)}]`,
    );
    raw = await RawLink.connect(engine.port);

    // A million resting orders.
    const build = new CommandStream('b', 0);
    const tb = nowUs();
    const built = await saturate(raw, build, 600, 8_000, bigBook);
    log(
      `built a book of ${built.acked.toLocaleString('en')} resting orders in ${((nowUs() - tb) / 1e6).toFixed(1)} s`,
    );

    // Snapshot with the big book while a fixed-rate load runs.
    const snapLoad = fixedRate(raw, new CommandStream('p', 2_000), 5_000, 8);
    await new Promise((r) => setTimeout(r, 500));
    engine.proc.kill('SIGUSR2');
    const snap = await engine.waitForLog((l) => l.msg === 'snapshot written', 600_000);
    const during = await snapLoad;
    log(
      `snapshot of ${Number(snap.bytes).toLocaleString('en')} bytes at seq ${snap.seq}: ${snap.totalMs} ms in the snapshot worker (serialize ${snap.serializeMs} ms); matching thread's longest stall meanwhile ${snap.matchingMaxStallMs} ms; ack latency max during it ${(during.latency.max() / 1000).toFixed(1)} ms at 5,000/s`,
    );
    await raw.close();

    // Recovery from the snapshot (ready time), then from the journal alone (replay rate).
    await engine.kill('SIGKILL');
    let t0 = nowUs();
    engine = await startEngine(env, 600_000);
    const readyWithSnapshot = (nowUs() - t0) / 1e6;
    const rec1 = await waitReady(engine);
    const hashMaxMs = Number(rec1.hashMs);
    log(
      `ready in ${readyWithSnapshot.toFixed(2)} s with ${Number(rec1.restingOrders).toLocaleString('en')} resting orders (snapshot load ${rec1.loadMs} ms, state hash check ${rec1.hashMs} ms, then ${rec1.commands} commands replayed)`,
    );
    log(
      `a state hash of this state takes ${hashMaxMs} ms: the matching thread pays that whenever a journal entry records one (at most every ENGINE_HASH_MIN_INTERVAL_MS, default 60 s)`,
    );
    await engine.kill('SIGKILL');
    await rc.del('snapshot:{0}');
    for (const k of await rc.keys('snapshot:{0}:*')) await rc.del(k);
    t0 = nowUs();
    engine = await startEngine(env, 600_000);
    const readyFromJournal = (nowUs() - t0) / 1e6;
    const rec2 = await waitReady(engine);
    const bookReplayRate = Number(rec2.replayCommandsPerSec);
    log(
      `replay of the whole journal including the book build (${Number(rec2.commands).toLocaleString('en')} commands in ${rec2.entries} entries): ${bookReplayRate.toLocaleString('en')} commands/s, ready in ${readyFromJournal.toFixed(2)} s`,
    );
    if (json) {
      console.log(
        JSON.stringify({
          saturation: { commandsPerSec: Math.round(satRate) },
          fixedRate: {
            offeredPerSec: rate,
            latencyUs: {
              p50: Math.round(p50),
              p99: Math.round(p99),
              p999: Math.round(p999),
              max: Math.round(max),
            },
          },
          floorUs: Math.round(floorUs),
          pingReferenceAtFixedRateUs: { p50: Math.round(q50), p99: Math.round(q99) },
          p99ReachableHere,
          quarterRate: {
            offeredPerSec: lowRate,
            latencyUs: { p50: Math.round(l50), p99: Math.round(l99) },
          },
          loadAverage1mAtFixedRate: Math.round(loadAtFixedRate * 100) / 100,
          p50OverFloor: Math.round((p50 / floorUs) * 100) / 100,
          commandsPerCommit: Math.round(perCommit * 10) / 10,
          recovery: {
            commandsPerSec: replayRate,
            commandsPerSecWithBookBuild: bookReplayRate,
            readySecondsWith1MOrders: Math.round(readyWithSnapshot * 100) / 100,
            readySecondsFromJournalOnly: Math.round(readyFromJournal * 100) / 100,
          },
          snapshot: {
            stateHashMaxMs: hashMaxMs,
            matchingMaxStallMs: snap.matchingMaxStallMs,
            workerMs: snap.totalMs,
            bytes: snap.bytes,
          },
        }),
      );
    }
  } finally {
    await engine.kill('SIGKILL');
    await redis.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
