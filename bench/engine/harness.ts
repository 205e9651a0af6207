// Timing and verification for the engine benchmark. Everything here is
// engine-agnostic (it takes an EngineFactory), so a test can smoke-run a tiny
// stream through it; timings are never asserted anywhere.
import fs from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { MatchingEngine } from '../../engine/matching-engine';
import { RejectReason } from '../../engine/reject-reason';
import type { Command } from '../../engine/types';
import { Side } from '../../engine/types';
import { newPeerBook, type PeerBookState, type PeerRun, peerBookState, runPeer } from './peer';
import type { PeerOp, Scenario } from './streams';

/** What the benchmark needs from an engine beyond the MatchingEngine contract. */
export interface EngineUnderTest extends MatchingEngine {
  snapshot(): Uint8Array;
  restingOrderCount(): number;
}

export interface EngineFactory {
  readonly name: string;
  create(feeAccountId: number): EngineUnderTest;
  restore(bytes: Uint8Array): EngineUnderTest;
}

/** Raised when a book does not end where the stream says it must: no figure is reported. */
export class VerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerificationError';
  }
}

function check(cond: boolean, message: string): void {
  if (!cond) throw new VerificationError(message);
}

let gcFn: (() => void) | undefined;
/** global.gc (run node with --expose-gc); falls back to enabling it at runtime. */
export function fullGc(times = 1): void {
  if (gcFn === undefined) {
    const g = (globalThis as { gc?: () => void }).gc;
    if (typeof g === 'function') {
      gcFn = g;
    } else {
      v8.setFlagsFromString('--expose-gc');
      gcFn = vm.runInNewContext('gc') as () => void;
    }
  }
  for (let i = 0; i < times; i++) gcFn();
}

/** heapUsed + arrayBuffers after full GCs. */
export function liveBytes(): number {
  fullGc(2);
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

export function hrSeconds(t0: bigint, t1: bigint): number {
  return Number(t1 - t0) / 1e9;
}

let threadStatUnavailable = false;
/**
 * CPU seconds used by this (the main) thread, from /proc/thread-self/stat on
 * Linux (10 ms ticks), else the whole process's. Compared with wall time it
 * shows whether other processes took the core away during a timed section.
 */
export function threadCpuSeconds(): number {
  if (!threadStatUnavailable) {
    try {
      const stat = fs.readFileSync('/proc/thread-self/stat', 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, USER_HZ = 100
    } catch {
      threadStatUnavailable = true;
    }
  }
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** The caller drains the engine's event sink every this many commands. */
export const DRAIN_EVERY = 1_000;
/** Arbitrary fixed clock origin (µs) the streams are stamped from. */
const TIME_ORIGIN_US = 1_750_000_000_000_000;

export interface LapResult {
  rejects: number;
  events: number;
}

/**
 * The timed inner loop: submit every command, count rejects, drain the event
 * sink every DRAIN_EVERY commands (as the engine process does per batch).
 */
export function runLap(engine: EngineUnderTest, cmds: readonly Command[]): LapResult {
  const sink = engine.events;
  const n = cmds.length;
  let rejects = 0;
  let events = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (engine.submit(cmds[i]!, TIME_ORIGIN_US + i) !== RejectReason.NONE) rejects++;
    if (++k === DRAIN_EVERY) {
      events += sink.count;
      sink.clear();
      k = 0;
    }
  }
  events += sink.count;
  sink.clear();
  return { rejects, events };
}

/** Untimed: every command must be accepted. */
export function applyAll(engine: EngineUnderTest, cmds: readonly Command[], what: string): void {
  const sink = engine.events;
  for (let i = 0; i < cmds.length; i++) {
    const r = engine.submit(cmds[i]!, TIME_ORIGIN_US - cmds.length + i);
    if (r !== RejectReason.NONE) {
      throw new VerificationError(`${what}: command ${i} rejected with reason ${r}`);
    }
    if (i % DRAIN_EVERY === DRAIN_EVERY - 1) sink.clear();
  }
  sink.clear();
}

/** A fresh engine with the scenario's accounts, fees, deposits and starting book. */
export function prepareEngine(factory: EngineFactory, sc: Scenario): EngineUnderTest {
  const engine = factory.create(sc.feeAccountId);
  applyAll(engine, sc.setup, `${sc.name} setup`);
  applyAll(engine, sc.seed, `${sc.name} seed`);
  check(
    engine.restingOrderCount() === sc.expect.seedResting,
    `${sc.name}: ${engine.restingOrderCount()} resting after the seed, expected ${sc.expect.seedResting}`,
  );
  return engine;
}

/** Cheap end-of-stream checks (counters the engine exposes). */
export function verifyEngine(engine: EngineUnderTest, sc: Scenario, lap: LapResult): void {
  const f = sc.expect.final;
  const tag = `${sc.name} (ours)`;
  check(lap.rejects === f.oursRejects, `${tag}: ${lap.rejects} rejects, expected ${f.oursRejects}`);
  check(
    engine.restingOrderCount() === f.resting,
    `${tag}: ${engine.restingOrderCount()} resting orders, expected ${f.resting}`,
  );
  check(
    engine.nextOrderId === f.nextOrderId,
    `${tag}: nextOrderId ${engine.nextOrderId}, expected ${f.nextOrderId}`,
  );
  check(
    engine.nextTradeId === f.nextTradeId,
    `${tag}: nextTradeId ${engine.nextTradeId} (trades + 1), expected ${f.nextTradeId}`,
  );
}

/** Thorough but slower: walks the resting orders (per side count and volume). */
export function verifyEngineBook(engine: EngineUnderTest, sc: Scenario): void {
  const f = sc.expect.final;
  const tag = `${sc.name} (ours)`;
  let count = 0;
  let volume = 0;
  const visit = (o: { remainingLots: number }): void => {
    count++;
    volume += o.remainingLots;
  };
  engine.forEachRestingOrder(sc.marketId, Side.BUY, visit);
  check(
    count === f.bidCount && volume === f.bidVolume,
    `${tag}: bids ${count}/${volume} lots, expected ${f.bidCount}/${f.bidVolume}`,
  );
  count = 0;
  volume = 0;
  engine.forEachRestingOrder(sc.marketId, Side.SELL, visit);
  check(
    count === f.askCount && volume === f.askVolume,
    `${tag}: asks ${count}/${volume} lots, expected ${f.askCount}/${f.askVolume}`,
  );
}

export interface Section {
  commands: number;
  seconds: number;
  /** Main-thread CPU seconds over the same window. */
  cpuSeconds: number;
  events: number;
  laps: number;
}

/**
 * One timed section: `laps` fresh engines are prepared first (untimed), then
 * the whole stream runs on each in turn inside one hrtime window.
 */
export function timeEngineSection(factory: EngineFactory, sc: Scenario, laps: number): Section {
  const engines: EngineUnderTest[] = [];
  for (let l = 0; l < laps; l++) engines.push(prepareEngine(factory, sc));
  fullGc();
  const results: LapResult[] = [];
  const c0 = threadCpuSeconds();
  const t0 = process.hrtime.bigint();
  for (let l = 0; l < laps; l++) results.push(runLap(engines[l]!, sc.commands));
  const t1 = process.hrtime.bigint();
  const cpuSeconds = threadCpuSeconds() - c0;
  let events = 0;
  for (let l = 0; l < laps; l++) {
    verifyEngine(engines[l]!, sc, results[l]!);
    events += results[l]!.events;
  }
  return {
    commands: laps * sc.commands.length,
    seconds: hrSeconds(t0, t1),
    cpuSeconds,
    events,
    laps,
  };
}

/** Untimed-for-report warm-up pass with full verification; returns its duration. */
export function warmUpEngine(
  factory: EngineFactory,
  sc: Scenario,
): { seconds: number; events: number } {
  const engine = prepareEngine(factory, sc);
  const t0 = process.hrtime.bigint();
  const lap = runLap(engine, sc.commands);
  const t1 = process.hrtime.bigint();
  verifyEngine(engine, sc, lap);
  verifyEngineBook(engine, sc);
  return { seconds: hrSeconds(t0, t1), events: lap.events };
}

// ---------------------------------------------------------------------------
// Peer

export function preparePeer(sc: Scenario): ReturnType<typeof newPeerBook> {
  const book = newPeerBook();
  const seeded = runPeer(book, sc.seedPeer, Number.POSITIVE_INFINITY);
  check(seeded.failures === 0, `${sc.name} (peer): ${seeded.failures} failures in the seed`);
  return book;
}

/** The peer after ops[0..run.commands) must match the model at that prefix. */
export function verifyPeer(
  book: ReturnType<typeof newPeerBook>,
  sc: Scenario,
  run: PeerRun,
): PeerBookState {
  const tag = `${sc.name} (peer)`;
  const e = sc.expect;
  const k = run.commands;
  check(k > 0, `${tag}: no command completed`);
  const failures = e.peerFailuresAfter[k - 1]!;
  check(
    run.failures === failures,
    `${tag}: ${run.failures} failures after ${k} ops, expected ${failures}`,
  );
  const s = peerBookState(book);
  check(
    s.resting === e.restingAfter[k - 1] &&
      s.bidVolume === e.bidVolumeAfter[k - 1] &&
      s.askVolume === e.askVolumeAfter[k - 1],
    `${tag}: after ${k} ops ${s.resting} resting, ${s.bidVolume}/${s.askVolume} lots bid/ask; expected ${e.restingAfter[k - 1]}, ${e.bidVolumeAfter[k - 1]}/${e.askVolumeAfter[k - 1]}`,
  );
  return s;
}

export interface PeerSection {
  commands: number;
  seconds: number;
  /** CPU seconds of the thread that ran it (the peer worker's) over the same window. */
  cpuSeconds: number;
  laps: number;
  /** True when the time limit stopped it before the end of the stream. */
  truncated: boolean;
  /** The last book's verified state and how many ops it had applied. */
  end: PeerBookState & { afterCommands: number };
}

/**
 * Timed peer section: `laps` fresh, seeded books run the stream in turn inside
 * one window; stops early (on a prefix of the stream) once `maxSeconds` pass.
 */
export function timePeerSection(sc: Scenario, laps: number, maxSeconds: number): PeerSection {
  const books: ReturnType<typeof newPeerBook>[] = [];
  for (let l = 0; l < laps; l++) books.push(preparePeer(sc));
  fullGc();
  const runs: PeerRun[] = [];
  let truncated = false;
  const c0 = threadCpuSeconds();
  const t0 = process.hrtime.bigint();
  for (let l = 0; l < laps; l++) {
    const left = maxSeconds - hrSeconds(t0, process.hrtime.bigint());
    if (left <= 0) {
      truncated = true;
      break;
    }
    const run = runPeer(books[l]!, sc.peer, left);
    runs.push(run);
    if (run.commands < sc.peer.length) {
      truncated = true;
      break;
    }
  }
  const t1 = process.hrtime.bigint();
  const cpuSeconds = threadCpuSeconds() - c0;
  let commands = 0;
  let end: PeerSection['end'] = { resting: 0, bidVolume: 0, askVolume: 0, afterCommands: 0 };
  for (let l = 0; l < runs.length; l++) {
    end = { ...verifyPeer(books[l]!, sc, runs[l]!), afterCommands: runs[l]!.commands };
    commands += runs[l]!.commands;
  }
  return { commands, seconds: hrSeconds(t0, t1), cpuSeconds, laps: runs.length, truncated, end };
}

export function warmUpPeer(sc: Scenario, maxSeconds: number): PeerRun {
  const book = preparePeer(sc);
  const run = runPeer(book, sc.peer, maxSeconds);
  verifyPeer(book, sc, run);
  return run;
}

/** Runs `ops` on a fresh peer book (used for the resting-size comparison). */
export function peerApply(ops: readonly PeerOp[]): ReturnType<typeof newPeerBook> {
  const book = newPeerBook();
  const run = runPeer(book, ops, Number.POSITIVE_INFINITY);
  check(run.failures === 0, `peer: ${run.failures} failures`);
  return book;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
