// Runs engine commands through an in-process engine (the fast Engine, as the
// engine process does) and writes the results as journal entries exactly as
// the engine process's sequencer encodes them: JournalEntry {version, shard,
// first_seq, last_seq, commands: {seq, time_us, command bytes, reject_reason,
// events}}, stream id `<lastSeq>-0`, field `e`. Tests, the chaos script and
// the benchmark use it instead of a running engine process.
import type Redis from 'ioredis';
import { Engine } from '../../engine/engine';
import type { Event } from '../../engine/event';
import {
  entryId,
  IdempotencyWindow,
  journalKey,
  SnapshotStore,
  writeEventBody,
} from '../../engine/process';
import { ProtoWriter } from '../../engine/process/proto-writer';
import type { Command } from '../../engine/types';
import { PROTOCOL_VERSION } from '../../proto';
import { encodeCommand } from './command-proto';

export interface BuiltEntry {
  readonly id: string;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly bytes: Buffer;
}

export type EventListener = (ev: Event, seq: number, timeUs: number) => void;

export class JournalBuilder {
  readonly engine: Engine;
  private readonly w = new ProtoWriter(1024 * 1024);
  private firstSeq = 0;
  private lastSeq = 0;
  private commands = 0;
  readonly sealed: BuiltEntry[] = [];
  private listeners: EventListener[] = [];

  constructor(
    readonly shard: number,
    readonly feeAccountId: number,
  ) {
    this.engine = new Engine({ feeAccountId });
  }

  onEvent(fn: EventListener): void {
    this.listeners.push(fn);
  }

  /** Applies one command (stamped timeUs) and adds it to the open entry. Returns the reject reason. */
  submit(cmd: Command, timeUs: number): number {
    const engine = this.engine;
    const events = engine.events;
    events.clear();
    const reason = engine.submit(cmd, timeUs);
    const seq = engine.lastSeq;
    if (this.commands === 0) this.firstSeq = seq;
    const w = this.w;
    const m = w.beginLen(5);
    w.uint(1, seq);
    w.uint(2, timeUs);
    w.bytes(3, encodeCommand(cmd));
    w.uint(4, reason);
    for (let i = 0; i < events.count; i++) {
      const ev = events.at(i);
      const em = w.beginLen(5);
      writeEventBody(w, ev);
      w.endLen(em);
      for (const l of this.listeners) l(ev, seq, timeUs);
    }
    w.endLen(m);
    events.clear();
    this.lastSeq = seq;
    this.commands++;
    return reason;
  }

  get openCommands(): number {
    return this.commands;
  }

  /** Closes the open entry (if any). stateHash: record the engine's hash, as the sequencer does every so often. */
  seal(stateHash = false): BuiltEntry | undefined {
    if (this.commands === 0) return undefined;
    const w = this.w;
    w.uint(1, PROTOCOL_VERSION);
    w.uint(2, this.shard);
    w.uint(3, this.firstSeq);
    w.uint(4, this.lastSeq);
    if (stateHash) w.string(6, this.engine.stateHash());
    const e: BuiltEntry = {
      id: entryId(this.lastSeq),
      firstSeq: this.firstSeq,
      lastSeq: this.lastSeq,
      bytes: w.copy(),
    };
    w.reset();
    this.commands = 0;
    this.sealed.push(e);
    return e;
  }

  /** XADDs the sealed entries not written yet (in order), pipelined. */
  async flush(redis: Redis, from = 0): Promise<number> {
    const key = journalKey(this.shard);
    let n = 0;
    const p = redis.pipeline();
    for (let i = from; i < this.sealed.length; i++) {
      const e = this.sealed[i]!;
      p.xadd(key, e.id, 'e', e.bytes);
      n++;
      if (n % 500 === 0) await p.exec().then(() => undefined);
    }
    const res = await p.exec();
    for (const r of res ?? []) if (r[0]) throw r[0];
    return n;
  }

  /** Writes a snapshot of the engine as the engine process does (for reconciliation from a snapshot). */
  async snapshot(redis: Redis, lastTimeUs: number): Promise<void> {
    const store = new SnapshotStore(redis, this.shard);
    await store.write({
      lastSeq: this.engine.lastSeq,
      lastTimeUs,
      stateHash: this.engine.stateHash(),
      engineBytes: this.engine.snapshot(),
      windowBytes: new IdempotencyWindow(1000).encode(),
    });
  }
}
