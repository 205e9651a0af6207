// `npm run bench:gateway [-- options]`: order acknowledgement latency and
// throughput through the real gateway, engine process and Redis journal.
//
// It creates a throwaway Postgres database and uses its own Redis database
// index (BENCH_REDIS_DB, default 13; only keys of shard {0} there are
// removed), starts the engine process and the gateway as child processes on
// free ports, seeds one funded account and API key per connection, and then:
//
//   1. floor: a uWS WebSocket echo round trip + one Redis XADD round trip
//      (medians of sequential round trips, measured in this run);
//   2. fixed rate: --rate orders/s offered open-loop over --connections for
//      --duration s after --warmup s; latency from each order's intended send
//      time (no coordinated omission); percentiles from an HDR-style histogram;
//   3. saturation: every connection keeps --window orders in flight for
//      --saturation-duration s; acknowledged orders per second;
//   4. stub reference: the fixed-rate schedule against a uWS stub in this
//      process that acks at once (the harness and the machine alone);
//   5. relay reference: the same schedule through relay-stub.ts's two
//      processes and Redis: the exchange's six hops, none of its logic.
//
// Prints the machine, the results and PASS/MISS per target (never fails the
// process for a miss); with --json the last line is one JSON object.

import { readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Redis from 'ioredis';
import { loadConfig } from '../../common/config';
import { CPU_LATENCY_MAX_US, holdCpuLatency } from '../../common/cpu-latency-qos';
import {
  type AdminContext,
  connectEngine,
  createApiKey,
  ensureDemoTrader,
  seedReferenceData,
} from '../../scripts/admin';
import { Supervisor, waitForPort } from '../../scripts/start';
import { createTestDatabase } from '../../sql';
import { epochMs } from './clock';
import { type CpuIdlePlan, cpuIdleLine, cpuIdleReport, planCpuIdle } from './cpu-idle';
import {
  benchSocketPath,
  type EngineLinkKind,
  engineLinkLine,
  parseEngineLink,
} from './engine-link';
import { type FloorResult, measureFloor } from './floor';
import { Histogram } from './histogram';
import type { LoadCommand, LoadWorkerData, PhaseResult } from './load-worker';
import { loadGeneratorFlagsLine } from './node-args';
import { startNullGateway } from './null-gateway';
import { type TailLegs, tailLegs } from './tail-legs';
import { overFloor, referenceVerdicts, targetsOf } from './verdicts';

interface Options {
  json: boolean;
  rate: number;
  connections: number;
  durationS: number;
  warmupS: number;
  saturationS: number;
  saturationConnections: number;
  window: number;
  workers: number;
  nullGateway: boolean;
  verbose: boolean;
  pacerEarlyUs: number;
  floorSamples: number;
  referenceS: number;
  relayS: number;
  /** EXCHANGE_CPU_LATENCY_US for the engine and the gateway; undefined = leave the machine's policy. */
  cpuLatencyUs: number | undefined;
  engineLink: EngineLinkKind;
}

const HELP = `usage: npm run bench:gateway -- [options]
  --json                      last line: one JSON object with the results
  --quick                     short phases (1 s warm-up, 3 s fixed rate, 2 s each for saturation
                              and both references, 1,000 floor samples); options given too win
  --rate <n>                  fixed-rate offered load, orders/s (default 10000)
  --connections <n>           connections for the fixed-rate run (default 50)
  --duration <s>              measured seconds of the fixed-rate run (default 10)
  --warmup <s>                unmeasured seconds before it (default 2)
  --saturation-duration <s>   measured seconds of the saturation run (default 5; 0 = skip)
  --saturation-connections <n> (default 50)
  --reference-duration <s>    measured seconds of the same fixed-rate schedule against a stub
                              that acks at once, after the real run: what the harness and this
                              machine alone give (default 5; 0 = skip)
  --relay-duration <s>        measured seconds of the same schedule through the exchange's process
                              topology with no exchange logic (relay-stub.ts: a uWS relay process,
                              a relay process that XADDs each read, Redis), after the stub
                              reference: what the six hops alone give (default 5; 0 = skip)
  --window <n>                orders in flight per connection at saturation (default 32)
  --workers <n>               load worker threads (default 1)
  --pacer-early-us <n>        pacer wakes this early to absorb timer slack (default 100)
  --cpu-latency-us <n|off>    EXCHANGE_CPU_LATENCY_US for the engine and the gateway while measuring:
                              no CPU idles in a state slower than this to leave; 0 = idle CPUs poll
                              (default 0; needs root; off = the machine's own idle policy)
  --engine-link <tcp|unix>    the gateway's link to the engine: loopback TCP (default) or a Unix
                              socket (ENGINE_SOCKET, for an engine on the same host)
  --null-gateway              no engine/gateway: a uWS stub that acks at once (measures the harness)
  --verbose                   show the engine's and the gateway's logs`;

/** `--quick` (as `npm run bench -- --quick` passes to every suite). */
const QUICK: Partial<Options> = {
  warmupS: 1,
  durationS: 3,
  saturationS: 2,
  referenceS: 2,
  relayS: 2,
  floorSamples: 1000,
};

function parseOptions(argv: readonly string[]): Options {
  const o: Options = {
    json: false,
    rate: 10_000,
    connections: 50,
    durationS: 10,
    warmupS: 2,
    saturationS: 5,
    saturationConnections: 50,
    window: 32,
    workers: 1,
    nullGateway: false,
    verbose: false,
    pacerEarlyUs: 100,
    floorSamples: 3000,
    referenceS: 5,
    relayS: 5,
    cpuLatencyUs: 0,
    engineLink: 'tcp',
  };
  // First, so that any option given beside it wins.
  if (argv.includes('--quick')) Object.assign(o, QUICK);
  const num = (i: number, name: string): number => {
    const v = Number(argv[i + 1]);
    if (!Number.isFinite(v) || v < 0) throw new Error(`${name} needs a non-negative number`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    switch (a) {
      case '--json':
        o.json = true;
        break;
      case '--quick':
        break;
      case '--null-gateway':
        o.nullGateway = true;
        break;
      case '--verbose':
        o.verbose = true;
        break;
      case '--rate':
        o.rate = num(i++, a);
        break;
      case '--connections':
        o.connections = Math.max(1, Math.floor(num(i++, a)));
        break;
      case '--duration':
        o.durationS = num(i++, a);
        break;
      case '--warmup':
        o.warmupS = num(i++, a);
        break;
      case '--saturation-duration':
        o.saturationS = num(i++, a);
        break;
      case '--reference-duration':
        o.referenceS = num(i++, a);
        break;
      case '--relay-duration':
        o.relayS = num(i++, a);
        break;
      case '--saturation-connections':
        o.saturationConnections = Math.max(1, Math.floor(num(i++, a)));
        break;
      case '--window':
        o.window = Math.max(1, Math.floor(num(i++, a)));
        break;
      case '--workers':
        o.workers = Math.max(1, Math.floor(num(i++, a)));
        break;
      case '--pacer-early-us':
        o.pacerEarlyUs = num(i++, a);
        break;
      case '--cpu-latency-us': {
        const v = argv[++i];
        if (v === 'off') o.cpuLatencyUs = undefined;
        else if (v !== undefined && /^\d+$/.test(v) && Number(v) <= CPU_LATENCY_MAX_US)
          o.cpuLatencyUs = Number(v);
        else throw new Error(`${a} needs microseconds in [0, ${CPU_LATENCY_MAX_US}] or 'off'`);
        break;
      }
      case '--engine-link':
        o.engineLink = parseEngineLink(argv[++i]);
        break;
      case '--floor-samples':
        o.floorSamples = Math.max(100, Math.floor(num(i++, a)));
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${HELP}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${a} (see --help)`);
    }
  }
  return o;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** One load worker thread with its connections logged on. */
class LoadWorker {
  private constructor(private readonly worker: Worker) {}

  static start(data: LoadWorkerData): Promise<LoadWorker> {
    const w = new Worker(path.join(__dirname, 'load-worker.js'), { workerData: data });
    return new Promise((resolve, reject) => {
      w.once('error', reject);
      w.once('message', (m: { type: string; message?: string }) => {
        if (m.type === 'ready') resolve(new LoadWorker(w));
        else reject(new Error(`load worker: ${m.message ?? m.type}`));
      });
    });
  }

  run(cmd: LoadCommand): Promise<PhaseResult> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: PhaseResult | { type: 'error'; message: string }): void => {
        this.worker.off('error', reject);
        if (m.type === 'result') resolve(m);
        else reject(new Error(m.message));
      };
      this.worker.once('message', onMessage);
      this.worker.once('error', reject);
      this.worker.postMessage(cmd);
    });
  }

  async stop(): Promise<void> {
    this.worker.postMessage({ type: 'close' } satisfies LoadCommand);
    await new Promise((r) => setTimeout(r, 50));
    await this.worker.terminate();
  }
}

interface Environment {
  /** Processes whose CPU time is reported (name -> pid). */
  pids: Record<string, number>;
  host: string;
  port: number;
  keys: { apiKey: string; apiSecret: string }[];
  redis: Redis;
  marketId: number;
  priceTicks: number;
  qtyLots: number;
  /** The Redis the engine journals to (and the relay reference appends to). */
  redisUrl: string;
  /** The gateway's Unix socket link to the engine; undefined = loopback TCP (or no engine). */
  engineSocket?: string;
  teardown(): Promise<void>;
}

const say = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

/** Throwaway database + own Redis db + engine and gateway children + funded accounts and keys. */
async function realEnvironment(
  o: Options,
  accounts: number,
  idle: CpuIdlePlan,
): Promise<Environment> {
  const base = loadConfig();
  const redisUrl = new URL(process.env.BENCH_REDIS_URL ?? base.redisUrl);
  if (process.env.BENCH_REDIS_URL === undefined)
    redisUrl.pathname = `/${process.env.BENCH_REDIS_DB ?? '13'}`;
  const redis = new Redis(redisUrl.toString(), { maxRetriesPerRequest: 1 });
  const cleanRedis = async (): Promise<void> => {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', '*{0}*', 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  };
  await cleanRedis();
  const db = await createTestDatabase('bench_gateway');
  const sup = new Supervisor(o.verbose ? say : () => {});
  const enginePort = await freePort();
  const gatewayPort = await freePort();
  const engineSocket = o.engineLink === 'unix' ? benchSocketPath(process.pid) : undefined;
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl.toString(),
    ENGINE_HOST: '127.0.0.1',
    ENGINE_PORT: String(enginePort),
    // The engine listens on its TCP port either way (the seeding below uses it);
    // with a socket path the gateway links over that instead.
    ENGINE_SOCKET: engineSocket ?? '',
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_PORT: String(gatewayPort),
    METRICS_PORT: String(await freePort()),
    SHARD_ID: '0',
    LOG_LEVEL: o.verbose ? 'info' : 'warn',
    NODE_ENV: 'production',
    // '' rather than absent, so an operator's own setting does not leak in.
    EXCHANGE_CPU_LATENCY_US: idle.requestUs === undefined ? '' : String(idle.requestUs),
  };
  const config = loadConfig({ ...process.env, ...env });
  const teardown = async (): Promise<void> => {
    await sup.stopAll(5000).catch(() => undefined);
    if (engineSocket !== undefined) rmSync(engineSocket, { force: true });
    await db.drop().catch(() => undefined);
    await cleanRedis().catch(() => undefined);
    redis.disconnect();
  };
  try {
    const engineChild = sup.spawn(
      { name: 'engine', entry: 'engine/process/main.js', hotPath: true },
      env,
      !o.verbose,
    );
    await waitForPort('127.0.0.1', enginePort, engineChild, 60_000);
    let link: Awaited<ReturnType<typeof connectEngine>> | undefined;
    const ctx: AdminContext = {
      sql: db.sql,
      config,
      engine: async () => {
        link ??= await connectEngine(config, 'bench-seed');
        return link;
      },
    };
    await seedReferenceData(ctx, 1);
    const keys: { apiKey: string; apiSecret: string }[] = [];
    for (let i = 0; i < accounts; i++) {
      const email = `bench-${i}@example.com`;
      await ensureDemoTrader(ctx, { email, balances: { BTC: '1000', USDT: '100000000' } });
      const k = await createApiKey(ctx, {
        email,
        ordersPer10s: 1_000_000,
        maxSessions: 10,
        label: 'bench',
      });
      keys.push({ apiKey: k.prefix, apiSecret: k.secret });
    }
    await link?.close();
    const gw = sup.spawn(
      { name: 'gateway', entry: 'gateway/main.js', hotPath: true },
      env,
      !o.verbose,
    );
    await waitForPort('127.0.0.1', gatewayPort, gw, 60_000);
    sup.onUnexpectedExit = (name, code, signal) => {
      process.stderr.write(`bench: ${name} exited unexpectedly (${signal ?? `code ${code}`})\n`);
    };
    const info = await redis.info('server');
    const redisPid = Number(/process_id:(\d+)/.exec(info)?.[1] ?? 0);
    return {
      pids: { engine: engineChild.pid ?? 0, gateway: gw.pid ?? 0, redis: redisPid },
      host: '127.0.0.1',
      port: gatewayPort,
      keys,
      redis,
      marketId: 1,
      priceTicks: 6_000_000,
      qtyLots: 1,
      redisUrl: redisUrl.toString(),
      engineSocket,
      teardown,
    };
  } catch (err) {
    await teardown();
    throw err;
  }
}

async function nullEnvironment(accounts: number, idle?: CpuIdlePlan): Promise<Environment> {
  const base = loadConfig();
  // With no exchange processes to hold it, the benchmark holds it itself.
  const hold = idle?.requestUs === undefined ? undefined : holdCpuLatency(idle.requestUs);
  const redis = new Redis(base.redisUrl, { maxRetriesPerRequest: 1 });
  const gw = await startNullGateway();
  const keys = Array.from({ length: accounts }, (_, i) => ({
    apiKey: `null-${i}`,
    apiSecret: 'x',
  }));
  return {
    pids: {},
    host: '127.0.0.1',
    port: gw.port,
    keys,
    redis,
    marketId: 1,
    priceTicks: 6_000_000,
    qtyLots: 1,
    redisUrl: base.redisUrl,
    teardown: async () => {
      gw.stop();
      redis.disconnect();
      hold?.release();
    },
  };
}

/** A difference in µs with its sign: "+38 µs", "-229 µs". */
function signedUs(us: number): string {
  const r = Math.round(us);
  return `${r >= 0 ? '+' : ''}${r} µs`;
}

/**
 * The relay reference (relay-stub.ts): a relay journal and a relay gateway,
 * each its own process started with the engine's and the gateway's Node
 * flags, appending to a stream of their own in the exchange's Redis database.
 */
async function relayEnvironment(
  real: Environment,
  accounts: number,
  verbose: boolean,
): Promise<Environment> {
  const sup = new Supervisor(verbose ? say : () => {});
  const journalPort = await freePort();
  const gatewayPort = await freePort();
  const entry = 'bench/gateway/relay-stub.js';
  const streamKey = 'bench-relay{0}';
  const pids: Record<string, number> = {};
  const common = { RELAY_REDIS_URL: real.redisUrl, RELAY_STREAM_KEY: streamKey };
  try {
    const journal = sup.spawn(
      { name: 'relay-journal', entry, hotPath: true },
      {
        ...common,
        RELAY_ROLE: 'journal',
        RELAY_PORT: String(journalPort),
      },
    );
    await waitForPort('127.0.0.1', journalPort, journal, 30_000);
    pids['relay journal'] = journal.pid ?? 0;
    const gw = sup.spawn(
      { name: 'relay-gateway', entry, hotPath: true },
      {
        ...common,
        RELAY_ROLE: 'gateway',
        RELAY_PORT: String(gatewayPort),
        RELAY_JOURNAL_PORT: String(journalPort),
      },
    );
    await waitForPort('127.0.0.1', gatewayPort, gw, 30_000);
    pids['relay gateway'] = gw.pid ?? 0;
    const info = await real.redis.info('server');
    pids.redis = Number(/process_id:(\d+)/.exec(info)?.[1] ?? 0);
    sup.onUnexpectedExit = (name, code, signal) => {
      process.stderr.write(`bench: ${name} exited unexpectedly (${signal ?? `code ${code}`})\n`);
    };
  } catch (err) {
    await sup.stopAll(2_000).catch(() => undefined);
    throw err;
  }
  return {
    pids,
    host: '127.0.0.1',
    port: gatewayPort,
    keys: real.keys.slice(0, accounts),
    redis: real.redis,
    marketId: real.marketId,
    priceTicks: real.priceTicks,
    qtyLots: real.qtyLots,
    redisUrl: real.redisUrl,
    teardown: async () => {
      await sup.stopAll(5_000).catch(() => undefined);
      await real.redis.del(streamKey).catch(() => undefined);
    },
  };
}

function split<T>(items: readonly T[], parts: number): T[][] {
  const out: T[][] = Array.from({ length: parts }, () => []);
  for (let i = 0; i < items.length; i++) out[i % parts]!.push(items[i]!);
  return out.filter((p) => p.length > 0);
}

async function startWorkers(
  env: Environment,
  keys: Environment['keys'],
  workers: number,
): Promise<LoadWorker[]> {
  return Promise.all(
    split(keys, workers).map((k) =>
      LoadWorker.start({
        host: env.host,
        port: env.port,
        path: '/ws',
        keys: k,
        marketId: env.marketId,
        priceTicks: env.priceTicks,
        qtyLots: env.qtyLots,
      }),
    ),
  );
}

function mergeResults(results: PhaseResult[]): {
  h: Histogram;
  gw: Histogram;
  sum: (k: keyof PhaseResult) => number;
  rejected: Record<string, number>;
} {
  const h = new Histogram();
  const gw = new Histogram();
  const rejected: Record<string, number> = {};
  for (const r of results) {
    h.merge(r.histogram);
    gw.merge(r.gatewayHistogram);
    for (const [k, v] of Object.entries(r.rejected)) rejected[k] = (rejected[k] ?? 0) + v;
  }
  const sum = (k: keyof PhaseResult): number => results.reduce((s, r) => s + (r[k] as number), 0);
  return { h, gw, sum, rejected };
}

const us = (ns: number): number => Math.round(ns / 100) / 10;

/** CPU seconds (user + system) a process has used so far; undefined when unreadable. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime in clock ticks (100 Hz)
  } catch {
    return undefined;
  }
}

/** Busy and total CPU seconds of the whole machine (all cores), from /proc/stat. */
function machineCpu(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: (total - idle) / 100, total: total / 100 };
  } catch {
    return undefined;
  }
}

/**
 * Starts measuring CPU use of the given processes (plus this one) and of the
 * machine; the result reads percent of one core, and what everything else on
 * the machine used meanwhile (other people's work skews latency).
 */
function cpuMeter(pids: Record<string, number>): () => string {
  const all = { ...pids, 'load generator': process.pid };
  const t0 = performance.now();
  const before = Object.fromEntries(Object.entries(all).map(([n, p]) => [n, cpuSeconds(p)]));
  const m0 = machineCpu();
  return () => {
    const dt = (performance.now() - t0) / 1000;
    const parts: string[] = [];
    let ours = 0;
    for (const [name, pid] of Object.entries(all)) {
      const a = before[name];
      const b = cpuSeconds(pid);
      if (a !== undefined && b !== undefined) {
        ours += b - a;
        parts.push(`${name} ${Math.round(((b - a) / dt) * 100)}%`);
      }
    }
    const m1 = machineCpu();
    if (m0 !== undefined && m1 !== undefined) {
      const busy = m1.busy - m0.busy;
      parts.push(
        `everything else on the machine ${Math.max(0, Math.round(((busy - ours) / dt) * 100))}%`,
      );
    }
    return parts.join(', ');
  };
}

const BODY_NAMES: Record<number, string> = {
  10: 'logon_ack',
  11: 'reject',
  12: 'order_response',
  13: 'execution_report',
  17: 'book_snapshot',
  18: 'book_update',
  19: 'trade',
  20: 'bbo',
  21: 'resync_required',
  22: 'heartbeat',
  23: 'pong',
  25: 'session_closing',
};

function receivedSummary(results: PhaseResult[]): string {
  const counts = new Array(32).fill(0) as number[];
  for (const r of results)
    r.received.forEach((n, i) => {
      counts[i]! += n;
    });
  return counts
    .map((n, i) => (n > 0 ? `${BODY_NAMES[i] ?? `body ${i}`} ${n}` : ''))
    .filter((x) => x !== '')
    .join(', ');
}

/** The open-loop fixed-rate schedule of `o` for warm-up + measured seconds against `env`. */
async function runFixed(
  env: Environment,
  o: Options,
  warmupS: number,
  durationS: number,
): Promise<{
  results: PhaseResult[];
  merged: ReturnType<typeof mergeResults>;
  lat: { p50: number; p99: number; p999: number; max: number };
  cpuText: string;
}> {
  const workers = await startWorkers(env, env.keys.slice(0, o.connections), o.workers);
  const globalInterval = 1000 / o.rate;
  const total = Math.round(o.rate * (warmupS + durationS));
  const t0 = epochMs() + 200;
  const recordFrom = t0 + warmupS * 1000;
  const recordTo = recordFrom + durationS * 1000;
  const n = workers.length;
  const cpu = cpuMeter(env.pids);
  const results = await Promise.all(
    workers.map((w, i) =>
      w.run({
        type: 'fixed',
        t0: t0 + i * globalInterval,
        intervalMs: globalInterval * n,
        total: Math.floor(total / n) + (i < total % n ? 1 : 0),
        recordFrom,
        recordTo,
        drainMs: 3000,
        earlyMs: o.pacerEarlyUs / 1000,
        lookaheadMs: o.pacerEarlyUs / 1000,
      }),
    ),
  );
  const cpuText = cpu();
  await Promise.all(workers.map((w) => w.stop()));
  const merged = mergeResults(results);
  const lat = {
    p50: us(merged.h.percentile(50)),
    p99: us(merged.h.percentile(99)),
    p999: us(merged.h.percentile(99.9)),
    max: us(merged.h.max),
  };
  return { results, merged, lat, cpuText };
}

async function main(): Promise<void> {
  let o: Options;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const cpu = cpus();
  const machine = {
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    node: process.version,
    loadAvg1m: Math.round(loadavg()[0]! * 100) / 100,
  };
  say(
    `gateway benchmark on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load average ${machine.loadAvg1m}`,
  );
  say('(engine, gateway, Redis and the load generator share this machine)');
  say(loadGeneratorFlagsLine(process.execArgv));
  const accounts = Math.max(o.connections, o.saturationS > 0 ? o.saturationConnections : 0);
  say(
    o.nullGateway
      ? 'environment: null gateway (harness self-test)'
      : `environment: starting engine + gateway, seeding ${accounts} accounts...`,
  );
  const idle = planCpuIdle(o.cpuLatencyUs);
  const env = o.nullGateway
    ? await nullEnvironment(accounts, idle)
    : await realEnvironment(o, accounts, idle);
  const cpuIdle = cpuIdleReport(idle);
  say(cpuIdleLine(idle, cpuIdle, o.nullGateway ? 'the benchmark' : 'the engine and the gateway'));
  if (!o.nullGateway) say(engineLinkLine(o.engineLink, env.engineSocket));
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= env.teardown();
    return stopped;
  };
  let jsonLine: string | undefined;
  process.once('SIGINT', () => {
    void stop().then(() => process.exit(130));
  });
  try {
    // 1. floor
    const floor: FloorResult = await measureFloor(env.redis, o.floorSamples);
    say(
      `floor: uWS WebSocket echo p50 ${floor.wsEchoP50Us} µs (p99 ${floor.wsEchoP99Us}) + Redis XADD p50 ${floor.xaddP50Us} µs ` +
        `(p99 ${floor.xaddP99Us}) = ${floor.floorUs} µs`,
    );

    // 2. fixed rate
    say(
      `fixed rate: ${o.rate} orders/s offered over ${o.connections} connections, ${o.warmupS} s warm-up + ${o.durationS} s measured...`,
    );
    const fixed = await runFixed(env, o, o.warmupS, o.durationS);
    const fx = fixed.merged;
    const fixedLat = fixed.lat;
    const achieved = Math.round(fx.h.count / o.durationS);
    say(
      `  sent ${fx.sum('sent')}, answered ${fx.sum('answered')} (accepted ${fx.sum('accepted')}, rejected ${JSON.stringify(fx.rejected)}), ` +
        `unanswered ${fx.sum('unanswered')}, connections lost ${fx.sum('closedConnections')}, ` +
        `orders the pacer could not write ${fx.sum('pacerWriteErrors')}`,
    );
    say(`  received: ${receivedSummary(fixed.results)}`);
    say(`  CPU (% of one core) during the run: ${fixed.cpuText}`);
    const pacer = fixed.results[0]?.pacerLatenessUs ?? { p50: 0, p99: 0, max: 0 };
    say(
      `  measured ${fx.h.count} orders = ${achieved}/s; pacer wake-up lateness µs (it wakes ${o.pacerEarlyUs} early): ` +
        `p50 ${pacer.p50}, p99 ${pacer.p99}, max ${pacer.max}`,
    );
    say(
      `  ack latency µs: p50 ${fixedLat.p50}  p99 ${fixedLat.p99}  p99.9 ${fixedLat.p999}  max ${fixedLat.max}  ` +
        `(mean ${us(fx.h.mean())})`,
    );
    if (fx.gw.count > 0) {
      say(
        `  of which inside the gateway (its receive -> send stamps, engine and journal included): ` +
          `p50 ${us(fx.gw.percentile(50))}  p99 ${us(fx.gw.percentile(99))}  max ${us(fx.gw.max)}`,
      );
    }
    const tail = tailLegs(fixed.results, 99);
    const body = tailLegs(fixed.results, 0);
    if (tail !== undefined && body !== undefined) {
      const legsText = (l: TailLegs): string =>
        `load generator late ${l.lateUs}, client -> gateway ${l.clientToGatewayUs}, ` +
        `in the gateway ${l.inGatewayUs}, gateway -> client ${l.gatewayToClientUs}`;
      say(`  where the time went, mean µs per order: all orders: ${legsText(body)}`);
      say(`    the slowest 1% (${tail.count} orders at or above p99): ${legsText(tail)}`);
    }

    // 3. saturation
    let satPerSec = 0;
    if (o.saturationS > 0) {
      say(
        `saturation: ${o.saturationConnections} connections x ${o.window} orders in flight, 1 s warm-up + ${o.saturationS} s measured...`,
      );
      const sw = await startWorkers(env, env.keys.slice(0, o.saturationConnections), o.workers);
      const satCpu = cpuMeter(env.pids);
      const satResults = await Promise.all(
        sw.map((w) =>
          w.run({
            type: 'saturation',
            durationMs: o.saturationS * 1000,
            warmupMs: 1000,
            window: o.window,
          }),
        ),
      );
      const satCpuText = satCpu();
      await Promise.all(sw.map((w) => w.stop()));
      const st = mergeResults(satResults);
      say(`  CPU (% of one core) during the run: ${satCpuText}`);
      satPerSec = Math.round(st.sum('ackedInWindow') / o.saturationS);
      say(
        `  ${satPerSec} acknowledged orders/s (accepted ${st.sum('accepted')}, rejected ${JSON.stringify(st.rejected)}, ` +
          `unanswered ${st.sum('unanswered')}); closed-loop latency p50 ${us(st.h.percentile(50))} µs, p99 ${us(st.h.percentile(99))} µs`,
      );
    }

    // 4. reference: the same schedule against a stub that acks at once, in
    // this process (no engine, gateway or Redis): the harness and this
    // machine alone. A latency target below this is below what the machine gives.
    let reference: { p50: number; p99: number; p999: number; max: number } | undefined;
    if (!o.nullGateway && o.referenceS > 0) {
      const nenv = await nullEnvironment(o.connections);
      try {
        reference = (await runFixed(nenv, o, 1, o.referenceS)).lat;
      } finally {
        await nenv.teardown();
      }
      say(
        `reference: the same ${o.rate}/s schedule over ${o.connections} connections against a uWS stub that acks at once ` +
          `(no engine, gateway or Redis; ${o.referenceS} s): p50 ${reference.p50} µs, p99 ${reference.p99} µs, ` +
          `p99.9 ${reference.p999} µs, max ${reference.max} µs`,
      );
    }

    // 5. relay reference: the same schedule through the exchange's six hops
    // (separate relay processes and Redis) with none of its logic.
    let relay: { p50: number; p99: number; p999: number; max: number } | undefined;
    let relayCpu = '';
    let relayGw: string | undefined;
    if (!o.nullGateway && o.relayS > 0) {
      const renv = await relayEnvironment(env, o.connections, o.verbose);
      try {
        const run = await runFixed(renv, o, 1, o.relayS);
        relay = run.lat;
        relayCpu = run.cpuText;
        const g = run.merged.gw;
        if (g.count > 0)
          relayGw = `p50 ${us(g.percentile(50))}  p99 ${us(g.percentile(99))}  max ${us(g.max)}`;
      } finally {
        await renv.teardown();
      }
      say(
        `relay reference: the same schedule through a uWS relay process -> a relay process -> one Redis XADD per read -> back ` +
          `(the exchange's six hops and batching, none of its logic; ${o.relayS} s): p50 ${relay.p50} µs, p99 ${relay.p99} µs, ` +
          `p99.9 ${relay.p999} µs, max ${relay.max} µs`,
      );
      say(`  CPU (% of one core) during the relay run: ${relayCpu}`);
      if (relayGw !== undefined)
        say(`  of which inside the relay gateway (its receive -> send stamps): ${relayGw}`);
      say(
        `  the exchange minus the relay: p50 ${signedUs(fixedLat.p50 - relay.p50)}, p99 ${signedUs(fixedLat.p99 - relay.p99)}`,
      );
    }

    const ratio = overFloor(fixedLat.p50, floor.floorUs);
    const targets = targetsOf({
      ratePerSec: o.rate,
      connections: o.connections,
      latencyUs: fixedLat,
      floorUs: floor.floorUs,
      saturationPerSec: o.saturationS > 0 ? satPerSec : undefined,
    });
    say('targets:');
    for (const t of targets) say(`  ${t.pass ? 'PASS' : 'MISS'}  ${t.label.padEnd(48)} ${t.value}`);
    if (o.nullGateway) say('  (null gateway: these numbers measure the harness, not the exchange)');
    const verdicts = referenceVerdicts({ floorUs: floor.floorUs, stub: reference, relay });
    for (const line of verdicts.lines) say(line);
    const p99ReachableHere = verdicts.p99ReachableHere;
    jsonLine = JSON.stringify({
      saturation: { ordersPerSec: satPerSec },
      fixedRate: {
        offeredPerSec: o.rate,
        connections: o.connections,
        latencyUs: fixedLat,
        tailLegsUs: tail ?? null,
      },
      floorUs: floor.floorUs,
      p50OverFloor: ratio,
      floor,
      referenceStubLatencyUs: reference,
      referenceRelayLatencyUs: relay ?? null,
      relayP50OverFloor: verdicts.relayP50OverFloor,
      p99ReachableHere,
      machine: { ...machine, loadGeneratorNodeFlags: [...process.execArgv], cpuIdle },
      nullGateway: o.nullGateway,
      engineLink: o.nullGateway ? null : o.engineLink,
      targets: targets.map((t) => ({ target: t.label, value: t.value, pass: t.pass })),
    });
  } finally {
    await stop();
  }
  // After the teardown, so the JSON object is the last line.
  if (o.json && jsonLine !== undefined) say(jsonLine);
}

/** A bad command line: its message says what to change, a stack would not help. */
class UsageError extends Error {}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    const text =
      err instanceof UsageError
        ? err.message
        : err instanceof Error
          ? (err.stack ?? err.message)
          : String(err);
    process.stderr.write(`bench:gateway: ${text}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
