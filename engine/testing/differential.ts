// The randomized differential test: one command stream through the reference
// model (NaiveEngine) and the fast engine, comparing every event of every
// command, the returned reject reasons, the invariants of both states and their
// state hashes. The first difference stops the run with a report precise
// enough to replay (`npm run fuzz:engine -- --seed S --commands N`).
import { EventKind, eventToPlain, type PlainEvent } from '../event';
import { checkInvariants, InvariantTracker } from '../invariants';
import type { EngineOptions, MatchingEngine } from '../matching-engine';
import { NaiveEngine } from '../order-book-naive';
import { REJECT_REASON_NAMES } from '../reject-reason';
import type { EngineCommand as Command } from '../types';
import { CommandGenerator, feeAccountIdForSeed, type GeneratorOptions } from './command-generator';

/** Builds the engine under test; `maxOrders` (when given) is its order pool size. */
export type MakeEngine = (options: EngineOptions & { maxOrders?: number }) => MatchingEngine;

export interface DifferentialOptions {
  /** Check invariants on both engines every k commands (0 = only at the end). Default 1. */
  invariantEvery?: number;
  /** Compare state hashes every k commands (0 = only at the end). Default 250. */
  hashEvery?: number;
  /** Fee account id; by default the one the seed picks. */
  feeAccountId?: number;
  /** Order pool size for both engines (small values exercise ORDER_CAPACITY). */
  maxOrders?: number;
  /** Passed to the generator when commands are generated. */
  generator?: Partial<GeneratorOptions>;
  /** Commands shown before the failing one in the report. Default 3. */
  context?: number;
}

export interface DifferentialStats {
  commands: number;
  events: number;
  /** Count per event kind name. */
  eventKinds: Record<string, number>;
  /** Count per reject reason name (commands and batch items). */
  rejects: Record<string, number>;
  invariantChecks: number;
  hashChecks: number;
}

export interface DifferentialFailure {
  /** Index of the command in the stream (0-based; its seq is index + 1). */
  index: number;
  command: Command;
  /** What differed, in one line. */
  what: string;
  expected: PlainEvent[];
  actual: PlainEvent[];
  /** The human-readable report (also what the CLI prints). */
  report: string;
}

export interface DifferentialResult {
  seed: number;
  ok: boolean;
  /** The commands that ran (the stream, up to and including a failing one). */
  commands: Command[];
  failure?: DifferentialFailure;
  stats: DifferentialStats;
  ms: number;
}

const EVENT_KIND_NAMES: Record<number, string> = {
  [EventKind.ORDER_ACCEPTED]: 'ORDER_ACCEPTED',
  [EventKind.ORDER_REJECTED]: 'ORDER_REJECTED',
  [EventKind.TRADE]: 'TRADE',
  [EventKind.ORDER_CANCELED]: 'ORDER_CANCELED',
  [EventKind.ORDER_EXPIRED]: 'ORDER_EXPIRED',
  [EventKind.ORDER_AMENDED]: 'ORDER_AMENDED',
  [EventKind.SELF_TRADE_PREVENTED]: 'SELF_TRADE_PREVENTED',
  [EventKind.BOOK_LEVEL]: 'BOOK_LEVEL',
  [EventKind.BALANCE]: 'BALANCE',
  [EventKind.DEPOSITED]: 'DEPOSITED',
  [EventKind.WITHDRAWAL_LOCKED]: 'WITHDRAWAL_LOCKED',
  [EventKind.WITHDRAWAL_FINALIZED]: 'WITHDRAWAL_FINALIZED',
  [EventKind.WITHDRAWAL_RELEASED]: 'WITHDRAWAL_RELEASED',
  [EventKind.FEES_SET]: 'FEES_SET',
  [EventKind.ASSET_ADDED]: 'ASSET_ADDED',
  [EventKind.ACCOUNT_ADDED]: 'ACCOUNT_ADDED',
  [EventKind.MARKET_ADDED]: 'MARKET_ADDED',
  [EventKind.MARKET_STATUS_SET]: 'MARKET_STATUS_SET',
  [EventKind.DEAD_MAN_SWITCH_SET]: 'DEAD_MAN_SWITCH_SET',
  [EventKind.DEAD_MAN_SWITCH_FIRED]: 'DEAD_MAN_SWITCH_FIRED',
};

export function eventKindName(kind: number): string {
  return EVENT_KIND_NAMES[kind] ?? `KIND_${kind}`;
}

/** JSON that keeps NaN, Infinity, undefined and -0 visible. */
export function showJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (typeof v === 'number') {
      if (Number.isNaN(v)) return 'NaN';
      if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
      if (Object.is(v, -0)) return '-0';
      if (!Number.isSafeInteger(v) && Number.isInteger(v)) return `${v} (unsafe)`;
    }
    if (v === undefined) return 'undefined';
    return v;
  });
}

function showEvent(ev: PlainEvent): string {
  const { kind, ...rest } = ev;
  return `${eventKindName(kind)} ${showJson(rest)}`;
}

/**
 * A reversible JSON encoding of commands (NaN, +-Infinity, -0 and undefined
 * survive as {"$": "NaN"} etc.), for saving a failing list and replaying it.
 */
export function encodeCommands(commands: readonly Command[]): string {
  return JSON.stringify(
    commands,
    function (this: Record<string, unknown>, key, v) {
      const raw = key === '' ? v : this[key];
      if (typeof raw === 'number') {
        if (Number.isNaN(raw)) return { $: 'NaN' };
        if (raw === Number.POSITIVE_INFINITY) return { $: 'Infinity' };
        if (raw === Number.NEGATIVE_INFINITY) return { $: '-Infinity' };
        if (Object.is(raw, -0)) return { $: '-0' };
      }
      if (raw === undefined && key !== '') return { $: 'undefined' };
      return v;
    },
    0,
  );
}

export function decodeCommands(text: string): Command[] {
  const special: Record<string, unknown> = {
    NaN: Number.NaN,
    Infinity: Number.POSITIVE_INFINITY,
    '-Infinity': Number.NEGATIVE_INFINITY,
    '-0': -0,
    undefined: undefined,
  };
  const revive = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(revive);
    if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1 && keys[0] === '$' && typeof o.$ === 'string' && o.$ in special) {
        return special[o.$];
      }
      const out: Record<string, unknown> = {};
      for (const k of keys) out[k] = revive(o[k]);
      return out;
    }
    return v;
  };
  return revive(JSON.parse(text)) as Command[];
}

/** Field-by-field equality (Object.is: NaN equals NaN, -0 differs from 0). */
export function samePlainEvent(a: PlainEvent, b: PlainEvent): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) {
      return false;
    }
  }
  return true;
}

function drain(engine: MatchingEngine): PlainEvent[] {
  const out: PlainEvent[] = [];
  const sink = engine.events;
  for (let i = 0; i < sink.count; i++) out.push(eventToPlain(sink.at(i)));
  sink.clear();
  return out;
}

function errorText(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

/**
 * Runs `commands` (a count: generate that many from `seed`; or an explicit
 * list: replay it) through the reference model and `makeFast`'s engine.
 */
export function runDifferential(
  seed: number,
  commands: number | readonly Command[],
  makeFast: MakeEngine,
  options: DifferentialOptions = {},
): DifferentialResult {
  const started = Date.now();
  const invariantEvery = options.invariantEvery ?? 1;
  const hashEvery = options.hashEvery ?? 250;
  const feeAccountId = options.feeAccountId ?? feeAccountIdForSeed(seed);
  const context = options.context ?? 3;
  const engineOptions =
    options.maxOrders === undefined
      ? { feeAccountId }
      : { feeAccountId, maxOrders: options.maxOrders };
  const naive = new NaiveEngine(engineOptions);
  const stats: DifferentialStats = {
    commands: 0,
    events: 0,
    eventKinds: {},
    rejects: {},
    invariantChecks: 0,
    hashChecks: 0,
  };
  const ran: Command[] = [];
  const result = (failure?: Omit<DifferentialFailure, 'report'>): DifferentialResult => {
    const out: DifferentialResult = {
      seed,
      ok: failure === undefined,
      commands: ran,
      stats,
      ms: Date.now() - started,
    };
    if (failure !== undefined) {
      out.failure = {
        ...failure,
        report: formatReport(
          seed,
          ran,
          failure,
          context,
          typeof commands === 'number' ? options : null,
        ),
      };
    }
    return out;
  };

  let fast: MatchingEngine;
  try {
    fast = makeFast(engineOptions);
  } catch (e) {
    return result({
      index: -1,
      command: {} as Command,
      what: `fast engine constructor threw: ${errorText(e)}`,
      expected: [],
      actual: [],
    });
  }
  const gen =
    typeof commands === 'number'
      ? new CommandGenerator(seed, { feeAccountId, ...options.generator })
      : undefined;
  const total = typeof commands === 'number' ? commands : commands.length;
  const naiveTracker = new InvariantTracker();
  const fastTracker = new InvariantTracker();

  for (let i = 0; i < total; i++) {
    const cmd = gen ? gen.next() : (commands as readonly Command[])[i]!;
    // Generated streams carry their own clock (jumps fire dead-man's switches);
    // an explicit list is replayed at 1 ms per command.
    const timeUs = gen ? gen.timeUs : i * 1000;
    ran.push(cmd);
    const fail = (what: string, expected: PlainEvent[] = [], actual: PlainEvent[] = []) =>
      result({ index: i, command: cmd, what, expected, actual });
    // The engines may keep references into the command: give each its own copy
    // so a mutation by one cannot reach the other (structuredClone keeps NaN/undefined).
    const cmdForFast = structuredClone(cmd);
    let naiveRet: number;
    let fastRet: number;
    try {
      naiveRet = naive.submit(cmd, timeUs);
    } catch (e) {
      return fail(`the reference model threw: ${errorText(e)}`);
    }
    const expected = drain(naive);
    try {
      fastRet = fast.submit(cmdForFast, timeUs);
    } catch (e) {
      return fail(`the fast engine threw: ${errorText(e)}`, expected);
    }
    let actual: PlainEvent[];
    try {
      actual = drain(fast);
    } catch (e) {
      return fail(`reading the fast engine's events threw: ${errorText(e)}`, expected);
    }
    stats.commands += 1;
    stats.events += expected.length;
    for (const ev of expected) {
      const name = eventKindName(ev.kind);
      stats.eventKinds[name] = (stats.eventKinds[name] ?? 0) + 1;
      if (ev.kind === EventKind.ORDER_REJECTED) {
        const reason = REJECT_REASON_NAMES[ev.reason as number] ?? String(ev.reason);
        stats.rejects[reason] = (stats.rejects[reason] ?? 0) + 1;
      }
      gen?.observe(ev);
      naiveTracker.observe(ev);
    }
    for (const ev of actual) fastTracker.observe(ev);

    if (naiveRet !== fastRet) {
      return fail(
        `returned ${REJECT_REASON_NAMES[naiveRet] ?? naiveRet} (reference) vs ${REJECT_REASON_NAMES[fastRet] ?? fastRet} (fast)`,
        expected,
        actual,
      );
    }
    const n = Math.max(expected.length, actual.length);
    for (let j = 0; j < n; j++) {
      const a = expected[j];
      const b = actual[j];
      if (a === undefined || b === undefined || !samePlainEvent(a, b)) {
        return fail(
          `event #${j} differs (reference has ${expected.length} events, fast ${actual.length})`,
          expected,
          actual,
        );
      }
    }
    const last = i === total - 1;
    const hashNow = (hashEvery > 0 && (i + 1) % hashEvery === 0) || last;
    if ((invariantEvery > 0 && (i + 1) % invariantEvery === 0) || last) {
      stats.invariantChecks += 1;
      // Walking every account can cost O(largest id): only with the hash checks.
      const check = { walkAccounts: hashNow };
      const vn = checkInvariants(naive, naiveTracker, check);
      if (vn.length > 0) {
        return fail(`reference model invariants violated:\n  ${vn.join('\n  ')}`, expected, actual);
      }
      let vf: string[];
      try {
        vf = checkInvariants(fast, fastTracker, check);
      } catch (e) {
        return fail(`walking the fast engine's state threw: ${errorText(e)}`, expected, actual);
      }
      if (vf.length > 0) {
        return fail(`fast engine invariants violated:\n  ${vf.join('\n  ')}`, expected, actual);
      }
    }
    if (hashNow) {
      stats.hashChecks += 1;
      let hf: string;
      try {
        hf = fast.stateHash();
      } catch (e) {
        return fail(`fast stateHash() threw: ${errorText(e)}`, expected, actual);
      }
      const hn = naive.stateHash();
      if (hn !== hf) {
        return fail(
          `state hashes differ after the command: ${describeStateDiff(naive, fast)}`,
          expected,
          actual,
        );
      }
    }
  }
  return result();
}

/** A short account of where two states differ (for hash mismatches). */
export function describeStateDiff(a: MatchingEngine, b: MatchingEngine): string {
  const dump = (e: MatchingEngine): Map<string, string> => {
    const m = new Map<string, string>();
    m.set('counters', showJson([e.lastSeq, e.nextOrderId, e.nextTradeId, e.feeAccountId]));
    const assets: number[] = [];
    e.forEachAsset((x) => assets.push(x));
    m.set('assets', showJson(assets));
    e.forEachAccount((id, mk, tk) => m.set(`account ${id}`, showJson([mk, tk])));
    e.forEachBalance((acc, asset, av, lk) => m.set(`balance ${acc}:${asset}`, showJson([av, lk])));
    const markets: number[] = [];
    e.forEachMarket((cfg, status) => {
      markets.push(cfg.marketId);
      m.set(`market ${cfg.marketId}`, showJson([cfg, status]));
    });
    for (const id of markets) {
      for (const side of [1, 2] as const) {
        const orders: unknown[] = [];
        e.forEachRestingOrder(id, side, (o) => orders.push({ ...o }));
        m.set(`book ${id}/${side}`, showJson(orders));
      }
    }
    e.forEachPendingWithdrawal((ref, acc, asset, amt) =>
      m.set(`withdrawal ${ref}`, showJson([acc, asset, amt])),
    );
    const dep: number[] = [];
    e.forEachDepositRef((r) => dep.push(r));
    m.set('depositRefs', showJson(dep));
    const wd: number[] = [];
    e.forEachWithdrawalRef((r) => wd.push(r));
    m.set('withdrawalRefs', showJson(wd));
    return m;
  };
  const da = dump(a);
  const db = dump(b);
  const lines: string[] = [];
  for (const k of new Set([...da.keys(), ...db.keys()])) {
    if (da.get(k) !== db.get(k)) {
      lines.push(`${k}: reference ${da.get(k) ?? '(none)'} / fast ${db.get(k) ?? '(none)'}`);
    }
  }
  return lines.length === 0 ? 'no visible difference' : `\n  ${lines.slice(0, 20).join('\n  ')}`;
}

/** The fuzz-engine arguments that regenerate this stream with these options. */
export function replayArgs(seed: number, commands: number, o: DifferentialOptions): string {
  const args = [`--seed ${seed}`, `--commands ${commands}`];
  if (o.maxOrders !== undefined) args.push(`--max-orders ${o.maxOrders}`);
  if (o.generator?.garbageRate !== undefined) args.push(`--garbage ${o.generator.garbageRate}`);
  if (o.generator?.nonObjects) args.push('--non-objects');
  if (o.generator?.bookTarget !== undefined) args.push(`--book-target ${o.generator.bookTarget}`);
  if (o.feeAccountId !== undefined) args.push(`--fee-account ${o.feeAccountId}`);
  return args.join(' ');
}

function formatReport(
  seed: number,
  ran: readonly Command[],
  f: Omit<DifferentialFailure, 'report'>,
  context: number,
  /** null when the commands were an explicit list, not generated. */
  options: DifferentialOptions | null,
): string {
  const lines: string[] = [];
  lines.push(`DIFFERENTIAL MISMATCH seed=${seed} command index=${f.index} (seq ${f.index + 1})`);
  lines.push(
    options === null
      ? 'replay: the explicit command list given to runDifferential (see --replay)'
      : `replay: npm run fuzz:engine -- ${replayArgs(seed, f.index + 1, options)}`,
  );
  lines.push(`what: ${f.what}`);
  for (let k = Math.max(0, f.index - context); k < f.index; k++) {
    lines.push(`  before #${k}: ${showJson(ran[k])}`);
  }
  lines.push(`command #${f.index}: ${showJson(f.command)}`);
  const n = Math.max(f.expected.length, f.actual.length);
  if (n > 0) {
    lines.push('events (reference | fast):');
    for (let j = 0; j < n; j++) {
      const a = f.expected[j];
      const b = f.actual[j];
      const same = a !== undefined && b !== undefined && samePlainEvent(a, b);
      if (same) {
        lines.push(`   ${j}  = ${showEvent(a)}`);
      } else {
        lines.push(`   ${j}  - ${a ? showEvent(a) : '(none)'}`);
        lines.push(`   ${j}  + ${b ? showEvent(b) : '(none)'}`);
      }
    }
  }
  return lines.join('\n');
}

/**
 * Delta-debugging: the shortest sub-list of `commands` (kept in order) that
 * still makes runDifferential fail, within `budgetMs`.
 */
export function shrinkFailure(
  seed: number,
  commands: readonly Command[],
  makeFast: MakeEngine,
  options: DifferentialOptions = {},
  budgetMs = 60_000,
): Command[] {
  const deadline = Date.now() + budgetMs;
  const fails = (list: readonly Command[]) =>
    !runDifferential(seed, list, makeFast, { ...options, invariantEvery: 1, hashEvery: 1 }).ok;
  let current = [...commands];
  let chunks = 2;
  while (current.length >= 2 && Date.now() < deadline) {
    const size = Math.ceil(current.length / chunks);
    let reduced = false;
    for (let start = 0; start < current.length && Date.now() < deadline; start += size) {
      const candidate = [...current.slice(0, start), ...current.slice(start + size)];
      if (candidate.length > 0 && fails(candidate)) {
        current = candidate;
        chunks = Math.max(chunks - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (size === 1) break;
      chunks = Math.min(current.length, chunks * 2);
    }
  }
  return current;
}
