// npm run bench:engine [-- --quick] [-- --json]
//
// Our matching engine against nodejs-order-book 10.1.1, in one process (the
// peer in a worker thread, see peer-worker.ts), on the same pre-generated
// command streams (see streams.ts):
//   requote     a market maker requoting ~1,000 orders near the touch, with
//               IOC / FOK / market orders from other accounts;
//   deep queue  ~100k resting orders on 4 price levels, random cancels and
//               replacement places;
//   resting     heap per resting order with 1M orders over 10k accounts, and
//               snapshot() / restore() time at that size.
// Our figure includes risk checks, balances, fees (maker rebates included) and
// events (drained every 1,000 commands); the peer has none of those.
// Targets are printed as PASS/MISS and never fail the process; a book that
// does not end where the stream says it must fails it (no figure is printed).
import os from 'node:os';
import { OrderBook } from 'nodejs-order-book';
import { hotPathNodeArgs } from '../../engine/process/node-args';
import {
  applyAll,
  DRAIN_EVERY,
  type EngineFactory,
  fullGc,
  hrSeconds,
  liveBytes,
  median,
  type PeerSection,
  peerApply,
  type Section,
  timeEngineSection,
  VerificationError,
  warmUpEngine,
} from './harness';
import { peerBookState } from './peer';
import { generate, PeerHost, type PeerStream } from './peer-worker';
import { FEE_ACCOUNT_ID, generateResting, type Scenario } from './streams';

const PEER_NAME = 'nodejs-order-book 10.1.1';

export const TARGETS = {
  requoteCommandsPerSec: 5_000_000,
  requoteRatio: 10,
  deepQueueRatio: 100,
  heapBytesPerRestingOrder: 256,
};

interface Config {
  quick: boolean;
  requoteCommands: number;
  deepQueueCommands: number;
  deepQueueResting: number;
  restingOrders: number;
  restingAccounts: number;
  /** Ours: laps per timed section are chosen so a section lasts about this long. */
  sectionSeconds: number;
  maxLaps: number;
  reps: number;
  peerReps: number;
  peerSectionSeconds: number;
  /** Hard cap on one peer section (it then runs a prefix of the stream). */
  peerMaxSeconds: number;
  peerWarmupSeconds: number;
  /** Also measure the peer's heap/snapshot at the resting size. */
  peerResting: boolean;
  snapshotReps: number;
}

function config(quick: boolean): Config {
  return quick
    ? {
        quick,
        requoteCommands: 200_000,
        deepQueueCommands: 200_000,
        deepQueueResting: 100_000,
        restingOrders: 250_000,
        restingAccounts: 10_000,
        sectionSeconds: 0.3,
        maxLaps: 8,
        reps: 3,
        peerReps: 3,
        peerSectionSeconds: 0.3,
        peerMaxSeconds: 0.6,
        peerWarmupSeconds: 0.3,
        peerResting: true,
        snapshotReps: 3,
      }
    : {
        quick,
        requoteCommands: 1_000_000,
        deepQueueCommands: 1_000_000,
        deepQueueResting: 100_000,
        restingOrders: 1_000_000,
        restingAccounts: 10_000,
        sectionSeconds: 1.5,
        maxLaps: 16,
        reps: 5,
        peerReps: 3,
        peerSectionSeconds: 1.5,
        peerMaxSeconds: 3,
        peerWarmupSeconds: 1,
        peerResting: true,
        snapshotReps: 5,
      };
}

const started = process.hrtime.bigint();
function progress(msg: string): void {
  const t = hrSeconds(started, process.hrtime.bigint()).toFixed(1).padStart(6);
  process.stderr.write(`[bench:engine ${t}s] ${msg}\n`);
}

// ---------------------------------------------------------------------------
// Streams

interface StreamResult {
  name: string;
  final: Scenario['expect']['final'];
  peerIdStyle: string;
  streamCommands: number;
  seedResting: number;
  mix: Record<string, number>;
  expectedRejects: number;
  ours: Section[];
  oursMedian: Section;
  warmupSeconds: number;
  eventsPerCommand: number;
  peer: PeerSection[];
  peerMedianRate: number;
  peerWarmupCommands: number;
}

const rate = (s: { commands: number; seconds: number }): number => s.commands / s.seconds;

/** CPU time of the thread that ran the sections over wall time (1 = had a core to itself). */
function cpuShare(xs: readonly { seconds: number; cpuSeconds: number }[]): number {
  let cpu = 0;
  let wall = 0;
  for (const x of xs) {
    cpu += x.cpuSeconds;
    wall += x.seconds;
  }
  return wall > 0 ? cpu / wall : 0;
}
/** Below this share the figures are flagged as unreliable (the machine was busy). */
const MIN_CPU_SHARE = 0.9;
const loadAtStart = os.loadavg()[0]!;

function medianBy<T>(xs: T[], key: (x: T) => number): T {
  const sorted = [...xs].sort((a, b) => key(a) - key(b));
  return sorted[(sorted.length - 1) >> 1]!;
}

async function runStream(
  factory: EngineFactory,
  sc: Scenario,
  stream: PeerStream,
  cfg: Config,
): Promise<StreamResult> {
  const n = sc.commands.length;
  progress(`${sc.name}: warm-up pass (ours), ${n.toLocaleString('en-US')} commands`);
  const warm = warmUpEngine(factory, sc);
  const laps = Math.max(1, Math.min(cfg.maxLaps, Math.ceil(cfg.sectionSeconds / warm.seconds)));
  fullGc();
  progress(`${sc.name}: starting the peer's worker thread (it generates the same stream)`);
  const peerHost = await PeerHost.start(stream, sc);
  try {
    return await alternate(factory, sc, cfg, warm, laps, peerHost);
  } finally {
    await peerHost.close();
  }
}

async function alternate(
  factory: EngineFactory,
  sc: Scenario,
  cfg: Config,
  warm: { seconds: number; events: number },
  laps: number,
  peerHost: PeerHost,
): Promise<StreamResult> {
  const n = sc.commands.length;
  progress(`${sc.name}: warm-up pass (peer), up to ${cfg.peerWarmupSeconds} s`);
  const pw = await peerHost.warmUp(cfg.peerWarmupSeconds);
  const peerLaps =
    pw.commands < n ? 1 : Math.max(1, Math.min(4, Math.ceil(cfg.peerSectionSeconds / pw.seconds)));
  // alternate the two sides so that any load from other processes hits both alike
  const ours: Section[] = [];
  const peer: PeerSection[] = [];
  for (let r = 0; r < Math.max(cfg.reps, cfg.peerReps); r++) {
    if (r < cfg.reps) {
      const s = timeEngineSection(factory, sc, laps);
      progress(
        `${sc.name}: ours rep ${r + 1}/${cfg.reps}: ${s.commands.toLocaleString('en-US')} commands in ${s.seconds.toFixed(3)} s = ${fmtRate(rate(s))}/s`,
      );
      ours.push(s);
    }
    if (r < cfg.peerReps) {
      const s = await peerHost.section(peerLaps, cfg.peerMaxSeconds);
      progress(
        `${sc.name}: peer rep ${r + 1}/${cfg.peerReps}: ${s.commands.toLocaleString('en-US')} commands in ${s.seconds.toFixed(3)} s = ${fmtRate(rate(s))}/s`,
      );
      peer.push(s);
    }
  }
  fullGc();
  const oursMedian = medianBy(ours, (s) => rate(s));
  return {
    name: sc.name,
    final: sc.expect.final,
    peerIdStyle: sc.peerIdStyle,
    streamCommands: n,
    seedResting: sc.expect.seedResting,
    mix: sc.expect.mix,
    expectedRejects: sc.expect.final.oursRejects,
    ours,
    oursMedian,
    warmupSeconds: warm.seconds,
    eventsPerCommand: warm.events / n,
    peer,
    peerMedianRate: median(peer.map(rate)),
    peerWarmupCommands: pw.commands,
  };
}

// ---------------------------------------------------------------------------
// Resting size and serialisation

interface RestingResult {
  orders: number;
  accounts: number;
  levelsPerSide: number;
  heapBytes: number;
  heapBytesPerOrder: number;
  placeSeconds: number;
  snapshotMs: number[];
  snapshotBytes: number;
  restoreMs: number[];
  roundTrip: string;
  peer: {
    heapBytesPerOrder: number;
    placeSeconds: number;
    snapshotMs: number;
    snapshotJsonBytes: number;
    restoreMs: number;
  } | null;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

function measureResting(factory: EngineFactory, cfg: Config): RestingResult {
  const n = cfg.restingOrders;
  progress(
    `resting: generating ${n.toLocaleString('en-US')} orders over ${cfg.restingAccounts} accounts`,
  );
  let gen: ReturnType<typeof generateResting> | null = generateResting({
    orders: n,
    accounts: cfg.restingAccounts,
  });
  const levelsPerSide = gen.levelsPerSide;
  let engine: ReturnType<EngineFactory['create']> | null = factory.create(FEE_ACCOUNT_ID);
  applyAll(engine, gen.setup, 'resting setup');
  // baseline: engine created, 10k accounts funded; the command array already exists
  const before = liveBytes();
  const t0 = process.hrtime.bigint();
  applyAll(engine, gen.orders, 'resting orders');
  const placeSeconds = hrSeconds(t0, process.hrtime.bigint());
  const after = liveBytes();
  if (engine.restingOrderCount() !== n) {
    throw new VerificationError(`resting: ${engine.restingOrderCount()} resting, expected ${n}`);
  }
  const heapBytes = after - before;
  progress(`resting: ${(heapBytes / n).toFixed(1)} B/order; timing snapshot()`);
  gen = null;

  const snapshotMs: number[] = [];
  let bytes: Uint8Array = new Uint8Array(0);
  for (let r = 0; r < cfg.snapshotReps; r++) {
    fullGc();
    const s0 = process.hrtime.bigint();
    bytes = engine.snapshot();
    snapshotMs.push(hrSeconds(s0, process.hrtime.bigint()) * 1e3);
  }
  progress(`resting: snapshot ${bytes.byteLength.toLocaleString('en-US')} bytes; timing restore()`);
  const restoreMs: number[] = [];
  let roundTrip = '';
  const nextOrderId = engine.nextOrderId;
  const lastSeq = engine.lastSeq;
  for (let r = 0; r < cfg.snapshotReps; r++) {
    fullGc();
    const s0 = process.hrtime.bigint();
    const restored = factory.restore(bytes);
    restoreMs.push(hrSeconds(s0, process.hrtime.bigint()) * 1e3);
    if (
      restored.restingOrderCount() !== n ||
      restored.nextOrderId !== nextOrderId ||
      restored.lastSeq !== lastSeq
    ) {
      throw new VerificationError(
        `restore: ${restored.restingOrderCount()} resting, nextOrderId ${restored.nextOrderId}, lastSeq ${restored.lastSeq}; expected ${n}, ${nextOrderId}, ${lastSeq}`,
      );
    }
    if (r === 0) {
      if (sameBytes(restored.snapshot(), bytes)) {
        roundTrip = 'restore(snapshot()).snapshot() is byte-identical';
      } else {
        progress('resting: re-snapshot differs byte-wise; comparing stateHash() instead');
        if (restored.stateHash() !== engine.stateHash()) {
          throw new VerificationError('restore: stateHash() of the restored engine differs');
        }
        roundTrip = 'restored stateHash() equals the original (snapshot bytes not canonical)';
      }
    }
  }
  const snapshotBytes = bytes.byteLength;
  engine = null;
  bytes = new Uint8Array(0);
  fullGc();

  let peer: RestingResult['peer'] = null;
  if (cfg.peerResting) {
    progress(`resting: peer, ${n.toLocaleString('en-US')} orders`);
    let pgen: ReturnType<typeof generateResting> | null = generateResting({
      orders: n,
      accounts: cfg.restingAccounts,
      withPeer: true,
    });
    pgen.orders.length = 0;
    const pBefore = liveBytes();
    const p0 = process.hrtime.bigint();
    const book = peerApply(pgen.peerOrders);
    const pPlace = hrSeconds(p0, process.hrtime.bigint());
    const pAfter = liveBytes();
    const state = peerBookState(book);
    if (state.resting !== n)
      throw new VerificationError(`resting (peer): ${state.resting} resting`);
    pgen = null;
    fullGc();
    // what its README suggests for persistence: snapshot() then JSON.stringify
    const s0 = process.hrtime.bigint();
    const json = JSON.stringify(book.snapshot());
    const pSnap = hrSeconds(s0, process.hrtime.bigint()) * 1e3;
    fullGc();
    const r0 = process.hrtime.bigint();
    const restored = new OrderBook({ snapshot: JSON.parse(json) });
    const pRestore = hrSeconds(r0, process.hrtime.bigint()) * 1e3;
    const [a1, b1] = book.depth();
    const [a2, b2] = restored.depth();
    const vol = (levels: Array<[number, number]>): number => levels.reduce((s, l) => s + l[1], 0);
    if (vol(a1) !== vol(a2) || vol(b1) !== vol(b2)) {
      throw new VerificationError('resting (peer): restored depth differs');
    }
    peer = {
      heapBytesPerOrder: (pAfter - pBefore) / n,
      placeSeconds: pPlace,
      snapshotMs: pSnap,
      snapshotJsonBytes: Buffer.byteLength(json),
      restoreMs: pRestore,
    };
  }
  fullGc();
  return {
    orders: n,
    accounts: cfg.restingAccounts,
    levelsPerSide,
    heapBytes,
    heapBytesPerOrder: heapBytes / n,
    placeSeconds,
    snapshotMs,
    snapshotBytes,
    restoreMs,
    roundTrip,
    peer,
  };
}

// ---------------------------------------------------------------------------
// Report

const round3 = (x: number): number => Number(x.toFixed(3));

/** Per main-thread CPU second: what an idle machine would show, roughly, when the core was shared. */
const cpuRate = (s: { commands: number; cpuSeconds: number }): number =>
  s.cpuSeconds > 0 ? s.commands / s.cpuSeconds : 0;

/** Wall-clock rate, with the per-CPU-second rate when the thread did not have a core to itself. */
function fmtSection(s: { commands: number; seconds: number; cpuSeconds: number }): string {
  const share = s.cpuSeconds / s.seconds;
  return share < MIN_CPU_SHARE
    ? `${fmtRate(rate(s))} (${(100 * share).toFixed(0)}% of a core; ${fmtRate(cpuRate(s))}/CPU-s)`
    : fmtRate(rate(s));
}

function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function fmtRate(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(0);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) =>
          c === 0 || c === r.length - 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const passMiss = (ok: boolean): string => (ok ? 'PASS' : 'MISS');

function machine(): {
  cpu: string;
  cores: number;
  node: string;
  v8: string;
  totalMemoryBytes: number;
  loadAverage1mAtStart: number;
  loadAverage1mAtEnd: number;
  nodeFlags: string[];
} {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    v8: process.versions.v8,
    totalMemoryBytes: os.totalmem(),
    loadAverage1mAtStart: Number(loadAtStart.toFixed(2)),
    loadAverage1mAtEnd: Number(os.loadavg()[0]!.toFixed(2)),
    nodeFlags: [...process.execArgv],
  };
}

/** How this run's V8 flags relate to the ones the engine process is spawned with. */
function flagsLine(flags: readonly string[]): string {
  const hot = hotPathNodeArgs();
  const missing = hot.filter((f) => !flags.includes(f));
  const list = flags.length === 0 ? 'none' : flags.join(' ');
  if (missing.length === 0) {
    return `node flags: ${list} (includes the engine process's hot-path flags, engine/process/node-args.ts)`;
  }
  return `node flags: ${list}; NOTE: the engine process runs with ${missing.join(' ')} too, this run does not`;
}

function streamJson(r: StreamResult | null): Record<string, number> | null {
  if (r === null) return null;
  const ours = rate(r.oursMedian);
  return {
    commands: r.oursMedian.commands,
    seconds: Number(r.oursMedian.seconds.toFixed(6)),
    commandsPerSec: Math.round(ours),
    peerCommandsPerSec: Math.round(r.peerMedianRate),
    ratio: Number((ours / r.peerMedianRate).toFixed(2)),
  };
}

function describeMix(mix: Record<string, number>, total: number): string {
  return Object.entries(mix)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${((100 * v) / total).toFixed(1)}%`)
    .join(', ');
}

function printReport(
  cfg: Config,
  factory: EngineFactory,
  requote: StreamResult | null,
  deep: StreamResult | null,
  resting: RestingResult | null,
): void {
  const m = machine();
  const out: string[] = [];
  out.push(`Engine benchmark: ${factory.name} vs ${PEER_NAME}${cfg.quick ? ' (--quick)' : ''}`);
  out.push(
    `machine: ${m.cpu}, ${m.cores} cores, Node ${m.node} (V8 ${m.v8}), ${(m.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB RAM; load average (1 min) ${m.loadAverage1mAtStart} at start, ${m.loadAverage1mAtEnd} at end`,
  );
  out.push(flagsLine(m.nodeFlags));
  out.push('');
  const rows: string[][] = [
    ['stream', 'commands', 'seconds', 'ours cmd/s', 'peer cmd/s', 'ratio', 'target'],
  ];
  if (requote !== null) {
    const ours = rate(requote.oursMedian);
    const ratio = ours / requote.peerMedianRate;
    const ok = ours >= TARGETS.requoteCommandsPerSec && ratio >= TARGETS.requoteRatio;
    rows.push([
      'requote',
      fmtInt(requote.oursMedian.commands),
      requote.oursMedian.seconds.toFixed(3),
      fmtInt(ours),
      fmtInt(requote.peerMedianRate),
      `${ratio.toFixed(1)}x`,
      `>= ${fmtRate(TARGETS.requoteCommandsPerSec)}/s and >= ${TARGETS.requoteRatio}x: ${passMiss(ok)}` +
        (ok
          ? ''
          : ` (${ours >= TARGETS.requoteCommandsPerSec ? 'rate ok' : 'rate low'}, ${ratio >= TARGETS.requoteRatio ? 'ratio ok' : 'ratio low'})`),
    ]);
  }
  if (deep !== null) {
    const ours = rate(deep.oursMedian);
    const ratio = ours / deep.peerMedianRate;
    rows.push([
      'deep queue',
      fmtInt(deep.oursMedian.commands),
      deep.oursMedian.seconds.toFixed(3),
      fmtInt(ours),
      fmtInt(deep.peerMedianRate),
      `${ratio.toFixed(1)}x`,
      `>= ${TARGETS.deepQueueRatio}x: ${passMiss(ratio >= TARGETS.deepQueueRatio)}`,
    ]);
  }
  if (rows.length > 1) out.push(table(rows));
  const shares: string[] = [];
  let busy = false;
  for (const r of [requote, deep]) {
    if (r === null) continue;
    const o = cpuShare(r.ours);
    const p = cpuShare(r.peer);
    busy ||= o < MIN_CPU_SHARE || p < MIN_CPU_SHARE;
    shares.push(`${r.name} ours ${(100 * o).toFixed(0)}% / peer ${(100 * p).toFixed(0)}%`);
  }
  if (shares.length > 0) {
    out.push(
      `share of a core the benchmark thread got during timed sections: ${shares.join(', ')}`,
    );
    if (busy) {
      out.push(
        `WARNING: below ${100 * MIN_CPU_SHARE}%: other processes competed for the CPU; these figures understate both sides (and skew the ratio when the shares differ). Rerun on an idle machine.`,
      );
      for (const r of [requote, deep]) {
        if (r === null) continue;
        const o = median(r.ours.map(cpuRate));
        const p = median(r.peer.map(cpuRate));
        out.push(
          `  per CPU-second of the benchmark thread instead: ${r.name} ours ${fmtInt(o)}, peer ${fmtInt(p)}, ratio ${(o / p).toFixed(1)}x`,
        );
      }
    }
  }
  if (resting !== null) {
    const bpo = resting.heapBytesPerOrder;
    out.push('');
    out.push(
      `resting size: ${bpo.toFixed(1)} bytes per resting order (${fmtInt(resting.orders)} orders, ${fmtInt(resting.accounts)} accounts)` +
        `   target <= ${TARGETS.heapBytesPerRestingOrder}: ${passMiss(bpo <= TARGETS.heapBytesPerRestingOrder)}` +
        (resting.peer ? `   peer: ${resting.peer.heapBytesPerOrder.toFixed(1)} bytes` : ''),
    );
    out.push(
      `snapshot at ${fmtInt(resting.orders)} resting: ${median(resting.snapshotMs).toFixed(1)} ms (${(resting.snapshotBytes / 2 ** 20).toFixed(1)} MiB)` +
        `   restore: ${median(resting.restoreMs).toFixed(1)} ms` +
        (resting.peer
          ? `   peer snapshot()+JSON.stringify: ${resting.peer.snapshotMs.toFixed(0)} ms (${(resting.peer.snapshotJsonBytes / 2 ** 20).toFixed(1)} MiB), JSON.parse+new OrderBook({snapshot}): ${resting.peer.restoreMs.toFixed(0)} ms`
          : ''),
    );
  }
  out.push('');
  out.push('how it was measured:');
  out.push(
    `- one process; streams generated up front (our command objects + precomputed peer arguments); a seeded model predicts every outcome; the peer runs in a worker thread of this process (its own V8 isolate: neither side's heap and JIT state reaches the other's sections), on the same stream, generated there from the same seed and checked by fingerprint; both sides warm up (JIT), then their timed sections alternate (ours, peer, ours, ...), never overlapping.`,
  );
  out.push(
    `- ours: full risk checks, balances, fees (maker rebates on some accounts, paid from a funded fee account) and events; the event sink is drained every ${DRAIN_EVERY} commands. The peer has no accounts, balances, fees or events.`,
  );
  for (const r of [requote, deep]) {
    if (r === null) continue;
    const peerCmds = r.peer.map((p) => p.commands);
    const truncated = r.peer.some((p) => p.truncated);
    out.push(
      `- ${r.name}: stream of ${fmtInt(r.streamCommands)} timed commands on a book seeded (untimed) with ${fmtInt(r.seedResting)} orders; mix: ${describeMix(r.mix, r.streamCommands)}.`,
    );
    out.push(
      `  ours: warm-up pass ${r.warmupSeconds.toFixed(3)} s, then ${r.ours.length} timed sections of ${r.oursMedian.laps} lap(s) (each lap = the whole stream on a fresh prepared engine), median reported; ` +
        `cmd/s per section: ${r.ours.map(fmtSection).join(', ')}; ${r.eventsPerCommand.toFixed(2)} events/command; ${fmtInt(r.expectedRejects)} rejects per lap as the stream expects (cancels racing fills).`,
    );
    out.push(
      `  peer: warm-up ${fmtInt(r.peerWarmupCommands)} commands, then ${r.peer.length} timed sections (${truncated ? `capped at ${cfg.peerMaxSeconds} s: a prefix of the same stream, ` : ''}${peerCmds.map(fmtInt).join(' / ')} commands), median reported; cmd/s per section: ${r.peer.map(fmtSection).join(', ')}; order ids ${r.peerIdStyle === 'numeric' ? "numeric strings ('123')" : "prefixed strings ('o123')"}, the spelling it ran faster with here.`,
    );
  }
  for (const r of [requote, deep]) {
    if (r === null) continue;
    const f = r.final;
    const pe = r.peer[r.peer.length - 1]!.end;
    out.push(
      `- ${r.name} end state, checked after every section: ours ${fmtInt(f.resting)} resting (${fmtInt(f.bidCount)} bids / ${fmtInt(f.askCount)} asks, ${fmtInt(f.bidVolume)} / ${fmtInt(f.askVolume)} lots), ${fmtInt(f.nextTradeId - 1)} trades, ${fmtInt(f.oursRejects)} rejects, next order id ${fmtInt(f.nextOrderId)}; ` +
        `peer after ${fmtInt(pe.afterCommands)} commands: ${fmtInt(pe.resting)} resting, ${fmtInt(pe.bidVolume)} / ${fmtInt(pe.askVolume)} lots (= the model at that point).`,
    );
  }
  out.push(
    '  (ours: reject count, resting orders, next order and trade id after every section, per-side count and volume after the warm-up pass; peer: failures, resting orders and bid/ask volume at the prefix it reached; all outside the timing.)',
  );
  if (resting !== null) {
    out.push(
      `- resting: ${fmtInt(resting.orders)} GTC orders over ${fmtInt(resting.accounts)} accounts on 2 x ${fmtInt(resting.levelsPerSide)} levels placed through submit() (${resting.placeSeconds.toFixed(2)} s); bytes = delta of heapUsed + arrayBuffers around the placement, after global.gc(), from an engine that already holds the funded accounts.`,
    );
    out.push(
      `  snapshot()/restore(): ${resting.snapshotMs.length} runs each, median; snapshot ms: ${resting.snapshotMs.map((x) => x.toFixed(1)).join(', ')}; restore ms: ${resting.restoreMs.map((x) => x.toFixed(1)).join(', ')}; ${resting.roundTrip}.`,
    );
    if (resting.peer) {
      out.push(
        `  peer: same orders via limit() (${resting.peer.placeSeconds.toFixed(2)} s), its order id strings pre-built (not counted); one snapshot and one restore run.`,
      );
    }
  }
  out.push(
    '- modelled semantics gap: the peer has no in-place size reduction (its modify() always re-queues), so the streams amend only by new price or larger size, which re-queue in both books.',
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

// ---------------------------------------------------------------------------

export interface EngineBenchOptions {
  quick: boolean;
  json: boolean;
  /** Subset of: requote, deep, resting (default all). */
  only: Set<string> | null;
}

export function parseArgs(argv: readonly string[]): EngineBenchOptions {
  const opts: EngineBenchOptions = { quick: false, json: false, only: null };
  for (const a of argv) {
    if (a === '--quick') opts.quick = true;
    else if (a === '--json') opts.json = true;
    else if (a.startsWith('--only=')) opts.only = new Set(a.slice(7).split(','));
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'usage: bench:engine [--quick] [--json] [--only=requote,deep,resting]\n' +
          '  --quick  smaller streams, shorter sections\n' +
          '  --json   also print one JSON object as the last line\n',
      );
      process.exit(0);
    } else throw new Error(`bench:engine: unknown argument ${a}`);
  }
  return opts;
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const opts = parseArgs(argv);
  const cfg = config(opts.quick);
  const want = (s: string): boolean => opts.only === null || opts.only.has(s);
  // loaded here so `bench/index.ts` can list suites even if the engine fails to load
  const { ourEngine } = await import('./subject');
  try {
    let requote: StreamResult | null = null;
    let deep: StreamResult | null = null;
    let resting: RestingResult | null = null;
    if (want('requote')) {
      progress(`requote: generating ${fmtInt(cfg.requoteCommands)} commands`);
      const stream: PeerStream = { kind: 'requote', options: { commands: cfg.requoteCommands } };
      let sc: Scenario | null = generate(stream);
      requote = await runStream(ourEngine, sc, stream, cfg);
      sc = null;
      fullGc();
    }
    if (want('deep')) {
      progress(
        `deep queue: generating ${fmtInt(cfg.deepQueueCommands)} commands on ${fmtInt(cfg.deepQueueResting)} resting orders`,
      );
      const stream: PeerStream = {
        kind: 'deep',
        options: { commands: cfg.deepQueueCommands, restingOrders: cfg.deepQueueResting },
      };
      let sc: Scenario | null = generate(stream);
      deep = await runStream(ourEngine, sc, stream, cfg);
      sc = null;
      fullGc();
    }
    if (want('resting')) resting = measureResting(ourEngine, cfg);
    printReport(cfg, ourEngine, requote, deep, resting);
    if (opts.json) {
      const requoteJson = streamJson(requote);
      const deepJson = streamJson(deep);
      const result = {
        requote: requoteJson,
        deepQueue: deepJson,
        heapBytesPerRestingOrder: resting ? Number(resting.heapBytesPerOrder.toFixed(1)) : null,
        snapshotMs1M: resting ? Number(median(resting.snapshotMs).toFixed(2)) : null,
        restoreMs1M: resting ? Number(median(resting.restoreMs).toFixed(2)) : null,
        snapshotBytes1M: resting ? resting.snapshotBytes : null,
        restingOrders: resting ? resting.orders : null,
        targets: {
          requote:
            requoteJson === null
              ? null
              : passMiss(
                  requoteJson.commandsPerSec! >= TARGETS.requoteCommandsPerSec &&
                    requoteJson.ratio! >= TARGETS.requoteRatio,
                ),
          deepQueue: deepJson === null ? null : passMiss(deepJson.ratio! >= TARGETS.deepQueueRatio),
          heapBytesPerRestingOrder:
            resting === null
              ? null
              : passMiss(resting.heapBytesPerOrder <= TARGETS.heapBytesPerRestingOrder),
        },
        peer: {
          name: PEER_NAME,
          requoteCommands: requote ? median(requote.peer.map((p) => p.commands)) : null,
          deepQueueCommands: deep ? median(deep.peer.map((p) => p.commands)) : null,
          heapBytesPerRestingOrder: resting?.peer
            ? Number(resting.peer.heapBytesPerOrder.toFixed(1))
            : null,
          snapshotMs: resting?.peer ? Number(resting.peer.snapshotMs.toFixed(1)) : null,
          restoreMs: resting?.peer ? Number(resting.peer.restoreMs.toFixed(1)) : null,
        },
        cpuShare: {
          requote: requote
            ? { ours: round3(cpuShare(requote.ours)), peer: round3(cpuShare(requote.peer)) }
            : null,
          deepQueue: deep
            ? { ours: round3(cpuShare(deep.ours)), peer: round3(cpuShare(deep.peer)) }
            : null,
        },
        mode: cfg.quick ? 'quick' : 'full',
        machine: machine(),
      };
      process.stdout.write(`${JSON.stringify(result)}\n`);
    }
  } catch (err) {
    if (err instanceof VerificationError) {
      process.stderr.write(
        `bench:engine: VERIFICATION FAILED, no figures reported: ${err.message}\n`,
      );
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(
      `bench:engine: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  });
}
