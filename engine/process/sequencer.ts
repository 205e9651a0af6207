// The sequencer: takes commands from every link in arrival order, applies each
// to the engine at once (stamped with the batch's time), and collects one
// turn of the event loop into a batch: a journal entry (the commands, their
// results and events) plus the replies, execution reports and event pushes
// they produce. The batch is sealed on setImmediate (or when full) and
// appended with one XADD; its output is released only when Redis confirms the
// append, strictly in batch order. A failed append stops the process
// (fail-stop): nothing that was not journaled is ever acknowledged.
import type { Logger } from '../../common/logger';
import { PROTOCOL_VERSION } from '../../proto';
import { isSafeUint } from '../../proto/codec';
import { exchange } from '../../proto/gen/exchange';
import { EventKind } from '../event';
import { CommandKind, type EngineCommand, type PlaceOrder } from '../types';
import { type BatchClock, wallClockUs } from './clock';
import { decodeCommand, REJECT_NUMBER_OUT_OF_RANGE } from './command-codec';
import type { ProcessEngine } from './engine-port';
import type { EngineProcessError } from './errors';
import { type IdempotencyRecord, type IdempotencyWindow, sameOrder } from './idempotency-window';
import type { AppendListener, JournalWriter } from './journal-writer';
import { MAX_ENTRY_BYTES } from './limits';
import {
  LinkReason,
  MSG_EVENTS,
  writeDeadManSwitchResult,
  writeHelloAck,
  writeOrderStatus,
  writePong,
  writeReject,
} from './link-messages';
import {
  beginLinkTurn,
  endLinkTurn,
  type Link,
  type LinkHandler,
  type LinkServer,
} from './link-server';
import { ProtoWriter } from './proto-writer';
import { EventRanges, writeResultBody, writeStoredResultFrame } from './result-codec';

export interface SequencerOptions {
  shardId: number;
  marketIds: readonly number[];
  batchMaxCommands: number;
  maxPendingCommands: number;
  /** Appends in flight before a batch waits for one to be confirmed (0 = no bound). */
  appendsInFlight: number;
  hashEveryEntries: number;
  hashMinIntervalMs: number;
}

const TIMER: EngineCommand = Object.freeze({ kind: CommandKind.TIMER });

/** exchange.v1.Command { timer {} }: what the sequencer journals to fire due dead-man's switches. */
const TIMER_COMMAND = Buffer.from(exchange.v1.Command.encode({ timer: {} }).finish());

/** The dead-man's switch timer's granularity: it never wakes sooner than this. */
const DEAD_MAN_TICK_MS = 10;

/** How a command's outcome goes back to its link. */
const enum Reply {
  /** CommandResult (a LinkRequest.command). */
  RESULT = 0,
  /** DeadManSwitchResult (a LinkDeadManSwitch). */
  DEAD_MAN = 1,
  /** Nobody asked: the sequencer's own TIMER. */
  NONE = 2,
}

class Batch {
  commands = 0;
  lastSeq = 0;
  confirmed = false;
  readonly outputs: (Link | Buffer)[] = [];
  constructor(
    readonly id: number,
    readonly timeUs: number,
    readonly firstSeq: number,
  ) {}
}

export interface SequencerStats {
  batches: number;
  commands: number;
  entries: number;
}

export class Sequencer implements LinkHandler, AppendListener<Batch> {
  private state: 'running' | 'draining' | 'stopped' = 'running';
  private batch: Batch | null = null;
  private nextBatchId = 1;
  private readonly jw = new ProtoWriter(1024 * 1024);
  private readonly ranges = new EventRanges();
  private readonly sub = new ProtoWriter(64 * 1024);
  private readonly touched: Link[] = [];
  /** Per command of the open batch: its link (null: the sequencer's own) and events (for event pushes). */
  private cmdLinks: (Link | null)[] = [];
  private cmdFirstEvent = new Int32Array(1024);
  private cmdEventCount = new Int32Array(1024);
  private readonly pending: Batch[] = [];
  private pendingHead = 0;
  private pendingCommands = 0;
  private entriesSinceHash = 0;
  private lastHashAt = performance.now();
  /** Longest state hash so far (ms of matching-thread time). */
  maxHashMs = 0;
  /** The setImmediate seal: one link turn (link-server.ts), so its output flushes when it returns. */
  private readonly sealCb = () => {
    beginLinkTurn();
    try {
      this.seal();
    } finally {
      endLinkTurn();
    }
  };
  /** The open batch waits for an append to be confirmed before it is sealed. */
  private sealWaiting = false;
  /** The dead-man's switch wake-up, and the deadline it is set for. */
  private dmsTimer: NodeJS.Timeout | undefined;
  private dmsTimerFor = 0;
  private readonly dmsWakeCb = () => this.onDeadManWake();
  private readonly dmsCmd = new ProtoWriter(64);
  private drainWaiter: (() => void) | undefined;
  readonly stats: SequencerStats = { batches: 0, commands: 0, entries: 0 };
  /** Called after each journaled batch is released (snapshots, trimming). */
  onReleased: (lastSeq: number) => void = () => {};
  /** Called once when the sequencer must stop the process. */
  onFatal: (err: Error) => void = () => {};
  journal!: JournalWriter<Batch>;
  server!: LinkServer;

  constructor(
    private readonly engine: ProcessEngine,
    private readonly window: IdempotencyWindow,
    private readonly clock: BatchClock,
    private readonly opts: SequencerOptions,
    private readonly log: Logger,
  ) {}

  /** The last seq confirmed by Redis. */
  confirmedSeq = 0;

  private get stopped(): boolean {
    return this.state === 'stopped';
  }

  get pendingCount(): number {
    return this.pendingCommands;
  }

  // ------------------------------------------------------------- requests

  onCommand(link: Link, corr: number, buf: Uint8Array, start: number, end: number): void {
    if (this.state !== 'running') {
      link.reject(corr, LinkReason.ENGINE_SHUTTING_DOWN, 'engine shutting down');
      return;
    }
    if (this.pendingCommands >= this.opts.maxPendingCommands) {
      link.reject(corr, LinkReason.ENGINE_UNAVAILABLE, 'engine overloaded: journal backlog full');
      return;
    }
    const cmd = decodeCommand(buf, start, end);
    if (typeof cmd === 'number') {
      link.reject(
        corr,
        cmd,
        cmd === REJECT_NUMBER_OUT_OF_RANGE
          ? 'a 64-bit field above 2^53-1'
          : 'undecodable or unknown command',
      );
      return;
    }
    if (
      cmd.kind === CommandKind.ADD_MARKET &&
      this.opts.marketIds.length > 0 &&
      !this.opts.marketIds.includes(cmd.marketId)
    ) {
      link.reject(
        corr,
        LinkReason.MARKET_UNKNOWN,
        `market ${cmd.marketId} is not owned by shard ${this.opts.shardId}`,
      );
      return;
    }
    const place = cmd.kind === CommandKind.PLACE_ORDER ? (cmd as PlaceOrder) : undefined;
    if (place !== undefined && place.clientOrderId !== '') {
      if (this.window.has(place.accountId, place.clientOrderId)) {
        this.answerResend(
          link,
          corr,
          place,
          this.window.get(place.accountId, place.clientOrderId)!,
        );
        return;
      }
    }
    this.apply(link, corr, cmd, place, buf, start, end, Reply.RESULT);
  }

  /**
   * LinkDeadManSwitch: journaled as a SET_DEAD_MAN_SWITCH command like any
   * other and answered with DeadManSwitchResult once the append is confirmed.
   */
  onDeadManSwitch(link: Link, corr: number, req: exchange.v1.ILinkDeadManSwitch): void {
    if (this.state !== 'running') {
      link.reject(corr, LinkReason.ENGINE_SHUTTING_DOWN, 'engine shutting down');
      return;
    }
    if (this.pendingCommands >= this.opts.maxPendingCommands) {
      link.reject(corr, LinkReason.ENGINE_UNAVAILABLE, 'engine overloaded: journal backlog full');
      return;
    }
    const accountId = req.accountId ?? 0;
    const marketId = req.marketId ?? 0;
    const timeoutMs = req.timeoutMs ?? 0;
    // exchange.v1.Command { set_dead_man_switch (16) { account_id, market_id, timeout_ms } }
    const w = this.dmsCmd;
    w.reset();
    const m = w.beginLen(CommandKind.SET_DEAD_MAN_SWITCH);
    w.uint(1, accountId);
    w.uint(2, marketId);
    w.uint(3, timeoutMs);
    w.endLen(m);
    const bytes = w.copy();
    const cmd: EngineCommand = {
      kind: CommandKind.SET_DEAD_MAN_SWITCH,
      accountId,
      marketId,
      timeoutMs,
    };
    this.apply(link, corr, cmd, undefined, bytes, 0, bytes.length, Reply.DEAD_MAN);
  }

  /** Applies one command to the engine in the open batch, journals it and queues its reply. */
  private apply(
    link: Link | null,
    corr: number,
    cmd: EngineCommand,
    place: PlaceOrder | undefined,
    buf: Uint8Array,
    start: number,
    end: number,
    reply: Reply,
  ): void {
    const b = this.openBatch();
    const engine = this.engine;
    const events = engine.events;
    const from = events.count;
    let reason: number;
    try {
      reason = engine.submit(cmd, b.timeUs);
    } catch (err) {
      // A broken invariant: the state can no longer be trusted. Nothing of this
      // batch is journaled or acknowledged; recovery replays the journal.
      this.fatal(err as Error);
      return;
    }
    const seq = engine.lastSeq;
    const to = events.count;
    const n = to - from;
    let opened = -1;
    const window = this.window;
    for (let i = from; i < to; i++) {
      const slot = window.observe(events.view(i), place);
      if (slot >= 0) opened = slot;
    }

    // The journaled command, its events encoded once (their positions kept).
    const jw = this.jw;
    const ranges = this.ranges;
    const m = jw.beginLen(5);
    jw.uint(1, seq);
    jw.uint(2, b.timeUs);
    jw.bytes(3, buf, start, end);
    jw.uint(4, reason);
    const first = ranges.encode(jw, 5, events, from, to);
    ranges.shift(first, jw.endLen(m));

    if (link !== null && reply === Reply.RESULT) {
      const out = this.outFor(link, b);
      const f = out.beginFrame();
      const mm = out.beginLen(1);
      out.uint(1, corr);
      const bodyStart = out.pos;
      writeResultBody(out, seq, reason, ranges, jw.buf, first, n, b.timeUs);
      if (opened >= 0) window.copyResult(opened, out.buf, bodyStart, out.pos);
      out.endLen(mm);
      out.endFrame(f);
    } else if (link !== null && reply === Reply.DEAD_MAN) {
      let firesAtUs = 0;
      let timeoutMs = 0;
      for (let i = from; i < to; i++) {
        const ev = events.view(i);
        if (ev.kind === EventKind.DEAD_MAN_SWITCH_SET) {
          firesAtUs = ev.deadlineUs;
          timeoutMs = ev.timeoutMs;
        }
      }
      writeDeadManSwitchResult(this.outFor(link, b), corr, reason, firesAtUs, timeoutMs);
    }

    const k = b.commands;
    if (k === this.cmdFirstEvent.length) this.growCmdArrays();
    this.cmdLinks[k] = link;
    this.cmdFirstEvent[k] = first;
    this.cmdEventCount[k] = n;
    b.commands = k + 1;
    b.lastSeq = seq;
    this.pendingCommands++;
    if (b.commands >= this.opts.batchMaxCommands || jw.pos >= MAX_ENTRY_BYTES) this.seal(true);
    if (this.pendingCommands >= (this.opts.maxPendingCommands * 3) / 4) this.server.pauseReading();
  }

  // ------------------------------------------------------ dead-man's switch

  /**
   * Journals a TIMER in the open batch when an armed switch's deadline has
   * passed by the batch's time. Called as each batch is sealed and by the
   * wake-up timer, so switches fire within about DEAD_MAN_TICK_MS of their
   * deadline whether or not other commands arrive.
   */
  private fireDueSwitches(b: Batch): void {
    if (this.state !== 'running') return;
    const due = this.engine.nextDeadManDeadlineUs();
    if (due === 0 || due > b.timeUs) return;
    this.apply(null, 0, TIMER, undefined, TIMER_COMMAND, 0, TIMER_COMMAND.length, Reply.NONE);
  }

  /** (Re)sets the wake-up for the earliest armed deadline; none when nothing is armed. */
  scheduleDeadMan(): void {
    const due = this.state === 'running' ? this.engine.nextDeadManDeadlineUs() : 0;
    if (due === this.dmsTimerFor && (due === 0 || this.dmsTimer !== undefined)) return;
    if (this.dmsTimer !== undefined) clearTimeout(this.dmsTimer);
    this.dmsTimer = undefined;
    this.dmsTimerFor = due;
    if (due === 0) return;
    const ms = Math.max(DEAD_MAN_TICK_MS, Math.ceil((due - wallClockUs()) / 1000));
    this.dmsTimer = setTimeout(this.dmsWakeCb, Math.min(ms, 2 ** 31 - 1));
    this.dmsTimer.unref();
  }

  private onDeadManWake(): void {
    this.dmsTimer = undefined;
    this.dmsTimerFor = 0;
    if (this.state !== 'running') return;
    const due = this.engine.nextDeadManDeadlineUs();
    if (due !== 0 && due <= wallClockUs()) {
      // The batch seals on setImmediate; seal() journals the TIMER.
      this.openBatch();
      return;
    }
    this.scheduleDeadMan();
  }

  onOrderStatus(link: Link, corr: number, q: exchange.v1.IOrderStatusQuery): void {
    if (this.state === 'stopped') return;
    const accountId = q.accountId ?? 0;
    const orderId = q.orderId ?? 0;
    const cid = q.clientOrderId ?? '';
    if (!isSafeUint(orderId)) {
      link.reject(corr, LinkReason.NUMBER_OUT_OF_RANGE, 'order_id above 2^53-1');
      return;
    }
    let open =
      orderId !== 0
        ? this.engine.getOrder(orderId)
        : this.engine.getOrderByClientId(accountId, cid);
    if (open !== undefined && open.accountId !== accountId) open = undefined;
    let closed: IdempotencyRecord | undefined;
    if (open === undefined) {
      closed = orderId !== 0 ? this.window.getByOrderId(orderId) : this.window.get(accountId, cid);
      if (closed !== undefined && closed.accountId !== accountId) closed = undefined;
    }
    // Answered with the batch: the state it reveals may not be journaled yet.
    const b = this.openBatch();
    writeOrderStatus(this.outFor(link, b), corr, this.engine.lastSeq, open, closed);
  }

  onHello(link: Link, corr: number, hello: exchange.v1.ILinkHello): void {
    if (this.state === 'stopped') return;
    const v = hello.protocolVersion ?? 0;
    if (v !== PROTOCOL_VERSION) {
      link.reject(
        corr,
        LinkReason.UNSUPPORTED_MESSAGE,
        `protocol version ${v}, this engine speaks ${PROTOCOL_VERSION}`,
      );
      return;
    }
    link.name = hello.clientName ?? '';
    link.subscribed = hello.subscribeEvents === true;
    let markets = this.opts.marketIds;
    if (markets.length === 0) {
      const present: number[] = [];
      this.engine.forEachMarket((m) => {
        present.push(m.marketId);
      });
      markets = present;
    }
    const b = this.openBatch();
    writeHelloAck(this.outFor(link, b), this.opts.shardId, this.engine.lastSeq, markets);
    writeHelloAck(
      this.outFor(link, b),
      this.opts.shardId,
      this.engine.lastSeq,
      this.opts.marketIds,
    );
  }

  onPing(link: Link, _corr: number, ping: exchange.v1.ILinkPing): void {
    const w = this.sub;
    w.reset();
    writePong(w, isSafeUint(ping.timeUs) ? ping.timeUs : 0, wallClockUs());
    link.write(w.buf, 0, w.pos);
  }

  onLinkClosed(_link: Link): void {
    // Its pending output is dropped at release (the link is closed); the
    // gateway issues cancel-on-disconnect itself where a session asked for it.
  }

  // ------------------------------------------------------------- batches

  private openBatch(): Batch {
    let b = this.batch;
    if (b === null) {
      b = new Batch(this.nextBatchId++, this.clock.stamp(), this.engine.lastSeq + 1);
      this.batch = b;
      setImmediate(this.sealCb);
    }
    return b;
  }

  private outFor(link: Link, b: Batch): ProtoWriter {
    if (link.outBatch !== b.id) {
      link.outBatch = b.id;
      link.out.reset();
      this.touched.push(link);
    }
    return link.out;
  }

  private answerResend(link: Link, corr: number, place: PlaceOrder, rec: IdempotencyRecord): void {
    const b = this.openBatch();
    const out = this.outFor(link, b);
    if (sameOrder(rec, place)) {
      writeStoredResultFrame(out, corr, rec.result);
    } else {
      writeReject(
        out,
        corr,
        LinkReason.DUPLICATE_CLIENT_ORDER_ID,
        `client order id ${place.clientOrderId} was used by order ${rec.orderId} (seq ${rec.seq}) with other parameters`,
      );
    }
  }

  private growCmdArrays(): void {
    const a = new Int32Array(this.cmdFirstEvent.length * 2);
    a.set(this.cmdFirstEvent);
    this.cmdFirstEvent = a;
    const c = new Int32Array(this.cmdEventCount.length * 2);
    c.set(this.cmdEventCount);
    this.cmdEventCount = c;
  }

  /**
   * Seals the open batch: finishes its journal entry, parks its output and
   * appends it. While opts.appendsInFlight appends are unconfirmed the batch
   * stays open instead (unless `force`d: full, or draining) and is sealed when
   * the next confirmation arrives: under light load that turns several
   * one-command appends into one, which costs less per command in write
   * syscalls, wake-ups and Redis time than the wait costs in latency.
   */
  seal(force = false): void {
    let b = this.batch;
    if (b === null || this.state === 'stopped') return;
    const bound = this.opts.appendsInFlight;
    if (!force && bound > 0 && b.commands > 0 && this.journal.appendsInFlight >= bound) {
      this.sealWaiting = true;
      return;
    }
    this.sealWaiting = false;
    this.fireDueSwitches(b);
    // A full batch may have been sealed by the TIMER itself (or it broke an invariant).
    if (this.batch === null || this.stopped) return;
    b = this.batch;
    this.batch = null;
    let entry: Buffer | undefined;
    let hashed = false;
    if (b.commands > 0) {
      const jw = this.jw;
      jw.uint(1, PROTOCOL_VERSION);
      jw.uint(2, this.opts.shardId);
      jw.uint(3, b.firstSeq);
      jw.uint(4, b.lastSeq);
      this.entriesSinceHash++;
      if (
        this.opts.hashEveryEntries > 0 &&
        this.entriesSinceHash >= this.opts.hashEveryEntries &&
        performance.now() - this.lastHashAt >= this.opts.hashMinIntervalMs
      ) {
        const t0 = performance.now();
        jw.string(6, this.engine.stateHash());
        hashed = true;
        const ms = performance.now() - t0;
        this.maxHashMs = Math.max(this.maxHashMs, ms);
        this.lastHashAt = performance.now();
        this.entriesSinceHash = 0;
        if (ms >= 50)
          this.log.info({ seq: b.lastSeq, ms: Math.round(ms) }, 'state hash recorded (slow)');
      }
      // A view: journal.append copies it into the request, and nothing
      // writes to jw before that.
      entry = jw.buf.subarray(0, jw.pos);
      this.stats.entries++;
      this.stats.commands += b.commands;
    }
    for (const link of this.touched) {
      b.outputs.push(link, link.out.copy());
      link.outBatch = -1;
    }
    this.touched.length = 0;
    if (entry !== undefined) this.pushEvents(b, entry);
    this.ranges.reset();
    this.engine.events.clear();
    this.cmdLinks.length = 0;
    this.stats.batches++;
    this.pending.push(b);
    if (entry !== undefined) {
      this.journal.append(b.lastSeq, entry, 0, entry.length, hashed, b);
      this.jw.reset();
    } else {
      b.confirmed = true;
      this.release();
    }
    this.scheduleDeadMan();
  }

  /** EventBatch for every subscribed link: the events of other links' commands. */
  private pushEvents(b: Batch, entry: Buffer): void {
    if (this.server.links.size === 0) return;
    for (const link of this.server.links) {
      if (!link.subscribed || link.closed) continue;
      const w = this.sub;
      w.reset();
      const f = w.beginFrame();
      const m = w.beginLen(MSG_EVENTS);
      w.uint(1, b.firstSeq);
      w.uint(2, b.lastSeq);
      let included = 0;
      for (let k = 0; k < b.commands; k++) {
        if (this.cmdLinks[k] === link) continue;
        this.ranges.copyTo(w, 3, entry, this.cmdFirstEvent[k]!, this.cmdEventCount[k]!);
        if (this.cmdEventCount[k]! > 0) included++;
      }
      if (included === 0) continue;
      // command_time_us: one per command with events here (a batch shares one stamp).
      const p = w.beginLen(4);
      for (let i = 0; i < included; i++) w.varint(b.timeUs);
      w.endLen(p);
      w.endLen(m);
      w.endFrame(f);
      b.outputs.push(link, w.copy());
    }
  }

  /** A Redis read's confirmations are one link turn: what they release flushes once, after the last. */
  onConfirmationsStart(): void {
    beginLinkTurn();
  }

  onConfirmationsEnd(): void {
    endLinkTurn();
  }

  onAppended(b: Batch): void {
    b.confirmed = true;
    this.release();
    if (this.sealWaiting) this.seal();
  }

  private release(): void {
    const q = this.pending;
    while (this.pendingHead < q.length && q[this.pendingHead]!.confirmed) {
      const b = q[this.pendingHead]!;
      q[this.pendingHead++] = undefined as unknown as Batch;
      const outs = b.outputs;
      for (let i = 0; i < outs.length; i += 2) (outs[i] as Link).write(outs[i + 1] as Buffer);
      if (b.commands > 0) {
        this.pendingCommands -= b.commands;
        this.confirmedSeq = b.lastSeq;
        this.onReleased(b.lastSeq);
      }
    }
    if (this.pendingHead > 1024 && this.pendingHead * 2 > q.length) {
      q.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
    if (this.server.readingPaused && this.pendingCommands <= this.opts.maxPendingCommands / 4) {
      this.server.resumeReading();
    }
    if (this.drainWaiter !== undefined && this.pendingHead === q.length) {
      const w = this.drainWaiter;
      this.drainWaiter = undefined;
      w();
    }
  }

  // ------------------------------------------------------------- stopping

  /** Journal failure or broken invariant: tell the links, stop everything, never acknowledge more. */
  fatal(err: Error): void {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.scheduleDeadMan();
    const code = (err as EngineProcessError).code ?? 'E_FATAL';
    this.log.fatal({ err, code, confirmedSeq: this.confirmedSeq }, 'engine stopping: fail-stop');
    this.server.shutdownAll(
      LinkReason.ENGINE_UNAVAILABLE,
      `engine stopped (${code}): ${err.message}`,
    );
    this.onFatal(err);
  }

  /** Graceful stop: refuse new commands, journal and release what is in flight. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.state !== 'running') return this.state === 'draining';
    this.state = 'draining';
    this.server.stopAccepting();
    this.seal(true);
    this.scheduleDeadMan();
    if (this.pendingHead === this.pending.length) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.drainWaiter = undefined;
        resolve(false);
      }, timeoutMs);
      this.drainWaiter = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }
}
