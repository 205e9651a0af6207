// Idempotent retries. The engine core only refuses a client order id that
// duplicates an OPEN order; once an order filled or was canceled the core
// forgets it. This window remembers the last N accepted PLACE_ORDER commands
// that carried a client order id (N = ENGINE_IDEMPOTENCY_WINDOW), keyed by
// (accountId, clientOrderId), with the original CommandResult bytes and the
// order's status as it evolves. A resend of the same order gets the original
// result (same order id, same seq); a different order reusing the id inside
// the window is refused DUPLICATE_CLIENT_ORDER_ID; a status query finds the
// order even after it left the book.
//
// The window is a pure function of the journal: records are added and updated
// only from the events of journaled commands, evicted oldest-first by count.
// Snapshots save it and recovery rebuilds it from the replayed tail, so after
// a crash it holds exactly what it held before.
//
// Storage is struct-of-arrays over a ring of slots plus an open-addressing key
// table: no object per record on the hot path (a window of short-lived
// objects would be copied by every young-generation GC), and V8's Map degrades
// badly under this FIFO insert/delete churn (~1 us per operation at 100k
// entries). Result bytes written live go to one byte ring (`arena`), not a
// Buffer per record: 100k live Buffers were most of what every young GC
// copied and promoted. Memory: ~130 B per slot plus the result bytes (~150 B
// for a resting order) and the client order id string.

import { assert } from '../../common/errors';
import { exchange } from '../../proto/gen/exchange';
import { type Event, EventKind } from '../event';
import type { PlaceOrder } from '../types';
import { ProtoScanner } from './proto-reader';
import { ProtoWriter } from './proto-writer';

/** exchange.v1.OrderStatus numbers. */
export const enum OrderStatus {
  NEW = 1,
  PARTIALLY_FILLED = 2,
  FILLED = 3,
  CANCELED = 4,
  EXPIRED = 5,
}

/** A detached copy of one record (resends, status queries, snapshots, tests). */
export interface IdempotencyRecord {
  readonly accountId: number;
  readonly clientOrderId: string;
  readonly orderId: number;
  readonly seq: number;
  readonly marketId: number;
  readonly side: number;
  readonly orderType: number;
  readonly timeInForce: number;
  readonly priceTicks: number;
  readonly qtyLots: number;
  readonly quoteBudgetAtoms: number;
  readonly postOnly: boolean;
  readonly stpMode: number;
  readonly status: OrderStatus;
  readonly filledLots: number;
  readonly currentPriceTicks: number;
  readonly currentQtyLots: number;
  /** CommandResult fields 2.. (everything but correlation_id). */
  readonly result: Buffer;
}

/** Whether `p` is the same order as the one recorded (a resend). */
export function sameOrder(r: IdempotencyRecord, p: PlaceOrder): boolean {
  return (
    p.marketId === r.marketId &&
    p.side === r.side &&
    p.orderType === r.orderType &&
    p.timeInForce === r.timeInForce &&
    p.priceTicks === r.priceTicks &&
    p.qtyLots === r.qtyLots &&
    p.quoteBudgetAtoms === r.quoteBudgetAtoms &&
    p.postOnly === r.postOnly &&
    p.stpMode === r.stpMode
  );
}

const EMPTY = Buffer.alloc(0);

function keyHash(accountId: number, cid: string): number {
  let h = (accountId * 0x9e3779b1) | 0;
  for (let i = 0; i < cid.length; i++) h = Math.imul(h ^ cid.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 15)) >>> 0;
}

/**
 * Converts a JournaledCommand (1 seq, 2 time_us, 3 command, 4 reject_reason,
 * 5 events) into the CommandResult body the live sequencer wrote for it
 * (2 seq, 3 reject_reason, 4 events, 5 engine_time_us): the event bytes are
 * the same encoder's, so the result is byte for byte the original.
 */
function resultFromJournaled(src: Buffer, start: number, end: number): Buffer {
  const s = new ProtoScanner(src, start, end);
  let seq = 0;
  let time = 0;
  let reason = 0;
  const w = new ProtoWriter(end - start + 16);
  const events: [number, number][] = [];
  while (s.next()) {
    if (s.field === 1) seq = s.uint();
    else if (s.field === 2) time = s.uint();
    else if (s.field === 4) reason = s.uint();
    else if (s.field === 5) events.push(s.lenRange());
    else s.skip();
  }
  w.uint(2, seq);
  w.uint(3, reason);
  for (const [a, b] of events) w.bytes(4, src, a, b);
  w.uint(5, time);
  return w.copy();
}

export class IdempotencyWindow {
  private head = 0;
  private n = 0;
  // One entry per ring slot.
  private readonly accountIds: Float64Array;
  private readonly cids: string[];
  private readonly orderIds: Float64Array;
  private readonly seqs: Float64Array;
  private readonly marketIds: Float64Array;
  private readonly enums: Int32Array; // side, orderType, timeInForce, stpMode, status (5 per slot)
  private readonly nums: Float64Array; // price, qty, budget, filled, currentPrice, currentQty (6 per slot)
  private readonly postOnly: Uint8Array;
  /**
   * Results written live: bytes at virtual offsets [resultOff, +resultLen) of
   * the arena (physical = virtual % arena.length; a record may wrap). Slots are
   * evicted oldest first, so live bytes are one virtual range that starts at
   * the oldest slot's offset; the arena doubles when a result would not fit.
   */
  private arena: Buffer;
  private arenaTail = 0;
  private readonly resultOff: Float64Array;
  private readonly resultLen: Int32Array;
  /** Results from replay or snapshots (Buffers, held as given); undefined for arena results. */
  private readonly results: (Buffer | undefined)[];
  /** A slot's result still in JournaledCommand form (replay): converted when first needed. */
  private readonly resultStart: Int32Array;
  private readonly resultEnd: Int32Array;
  // The key table: (accountId, clientOrderId) -> slot + 1, linear probing.
  // Entry i is table[2i] = slot + 1 (0 = empty) and table[2i + 1] = the key's
  // hash: side by side, so a probe costs one cache line, not two.
  private readonly table: Int32Array;
  private readonly mask: number;
  /** Each slot's key hash (eviction unindexes without rehashing the client order id). */
  private readonly slotHash: Uint32Array;
  /** The last key hashed by a lookup: the add that usually follows it reuses the hash. */
  private memoAccount = -1;
  private memoCid = '';
  private memoHash = 0;

  constructor(readonly capacity: number) {
    const c = Math.max(1, capacity);
    this.accountIds = new Float64Array(c);
    this.cids = new Array<string>(c).fill('');
    this.orderIds = new Float64Array(c);
    this.seqs = new Float64Array(c);
    this.marketIds = new Float64Array(c);
    this.enums = new Int32Array(c * 5);
    this.nums = new Float64Array(c * 6);
    this.postOnly = new Uint8Array(c);
    this.results = new Array<Buffer | undefined>(c).fill(undefined);
    this.arena = Buffer.allocUnsafe(Math.min(1 << 20, c * 256));
    this.resultOff = new Float64Array(c);
    this.resultLen = new Int32Array(c);
    this.resultStart = new Int32Array(c).fill(-1);
    this.resultEnd = new Int32Array(c);
    let size = 16;
    while (size < c * 2) size *= 2;
    this.table = new Int32Array(size * 2);
    this.mask = size - 1;
    this.slotHash = new Uint32Array(c);
  }

  private hashOf(accountId: number, cid: string): number {
    if (accountId === this.memoAccount && cid === this.memoCid) return this.memoHash;
    const h = keyHash(accountId, cid);
    this.memoAccount = accountId;
    this.memoCid = cid;
    this.memoHash = h;
    return h;
  }

  get size(): number {
    return this.n;
  }

  // ------------------------------------------------------------ lookups

  /** Slot of (accountId, clientOrderId), -1 if absent. */
  private find(accountId: number, cid: string): number {
    if (this.n === 0) return -1;
    const h = this.hashOf(accountId, cid) | 0;
    const table = this.table;
    let i = h & this.mask;
    for (;;) {
      const v = table[2 * i]!;
      if (v === 0) return -1;
      if (
        table[2 * i + 1] === h &&
        this.accountIds[v - 1] === accountId &&
        this.cids[v - 1] === cid
      )
        return v - 1;
      i = (i + 1) & this.mask;
    }
  }

  /**
   * Slot of an order id, -1 if absent. Ids ascend along the ring and are
   * close to evenly spread (the engine numbers orders one by one), so an
   * interpolation guess lands within a few slots of the answer; each guess
   * narrows the range like a binary search step would, and after a few the
   * search halves instead, so the worst case stays logarithmic.
   */
  private findOrder(orderId: number): number {
    let lo = 0;
    let hi = this.n - 1;
    const cap = this.capacity;
    const ids = this.orderIds;
    const head = this.head;
    for (let step = 0; lo <= hi; step++) {
      const loId = ids[(head + lo) % cap]!;
      const hiId = ids[(head + hi) % cap]!;
      if (orderId < loId || orderId > hiId) return -1;
      let mid: number;
      if (step < 4 && hiId > loId) {
        mid = lo + Math.floor(((orderId - loId) * (hi - lo)) / (hiId - loId));
        if (mid > hi) mid = hi; // rounding, with ids far above 2^31
      } else {
        mid = (lo + hi) >>> 1;
      }
      const slot = (head + mid) % cap;
      const id = ids[slot]!;
      if (id === orderId) return slot;
      if (id < orderId) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Whether a record exists for (accountId, clientOrderId): the hot-path check. */
  has(accountId: number, clientOrderId: string): boolean {
    return this.find(accountId, clientOrderId) >= 0;
  }

  get(accountId: number, clientOrderId: string): IdempotencyRecord | undefined {
    const slot = this.find(accountId, clientOrderId);
    return slot < 0 ? undefined : this.record(slot);
  }

  getByOrderId(orderId: number): IdempotencyRecord | undefined {
    const slot = this.findOrder(orderId);
    return slot < 0 ? undefined : this.record(slot);
  }

  private record(slot: number): IdempotencyRecord {
    const e = slot * 5;
    const x = slot * 6;
    return {
      accountId: this.accountIds[slot]!,
      clientOrderId: this.cids[slot]!,
      orderId: this.orderIds[slot]!,
      seq: this.seqs[slot]!,
      marketId: this.marketIds[slot]!,
      side: this.enums[e]!,
      orderType: this.enums[e + 1]!,
      timeInForce: this.enums[e + 2]!,
      stpMode: this.enums[e + 3]!,
      status: this.enums[e + 4]! as OrderStatus,
      priceTicks: this.nums[x]!,
      qtyLots: this.nums[x + 1]!,
      quoteBudgetAtoms: this.nums[x + 2]!,
      filledLots: this.nums[x + 3]!,
      currentPriceTicks: this.nums[x + 4]!,
      currentQtyLots: this.nums[x + 5]!,
      postOnly: this.postOnly[slot] === 1,
      result: this.resultOf(slot),
    };
  }

  private resultOf(slot: number): Buffer {
    const r = this.results[slot];
    if (r === undefined) return this.arenaCopy(slot);
    if (this.resultStart[slot]! < 0) return r;
    const converted = resultFromJournaled(r, this.resultStart[slot]!, this.resultEnd[slot]!);
    this.results[slot] = converted;
    this.resultStart[slot] = -1;
    return converted;
  }

  // ------------------------------------------------------------ updates

  /**
   * Follows one event of a journaled command. `place` is the command when it
   * is a PLACE_ORDER (its ORDER_ACCEPTED opens a record). Returns the slot
   * opened (-1 if none), for setResult().
   */
  observe(ev: Event, place: PlaceOrder | undefined): number {
    switch (ev.kind) {
      case EventKind.ORDER_ACCEPTED:
        if (place !== undefined && place.clientOrderId !== '' && this.capacity > 0) {
          const slot = this.add(place.accountId, place.clientOrderId, ev.orderId, ev.seq);
          const e = slot * 5;
          const x = slot * 6;
          this.marketIds[slot] = place.marketId;
          this.enums[e] = place.side;
          this.enums[e + 1] = place.orderType;
          this.enums[e + 2] = place.timeInForce;
          this.enums[e + 3] = place.stpMode;
          this.enums[e + 4] = OrderStatus.NEW;
          this.nums[x] = place.priceTicks;
          this.nums[x + 1] = place.qtyLots;
          this.nums[x + 2] = place.quoteBudgetAtoms;
          this.nums[x + 3] = 0;
          this.nums[x + 4] = ev.priceTicks;
          this.nums[x + 5] = ev.qtyLots;
          this.postOnly[slot] = place.postOnly ? 1 : 0;
          return slot;
        }
        return -1;
      case EventKind.TRADE: {
        if (this.n === 0) return -1;
        const t = this.findOrder(ev.orderId);
        if (t >= 0) this.fill(t, ev.qtyLots, ev.remainingLots);
        const m = this.findOrder(ev.makerOrderId);
        if (m >= 0) this.fill(m, ev.qtyLots, ev.makerRemainingLots);
        return -1;
      }
      case EventKind.ORDER_CANCELED:
      case EventKind.ORDER_EXPIRED: {
        if (this.n === 0) return -1;
        const slot = this.findOrder(ev.orderId);
        if (slot >= 0) {
          this.enums[slot * 5 + 4] =
            ev.kind === EventKind.ORDER_CANCELED ? OrderStatus.CANCELED : OrderStatus.EXPIRED;
        }
        return -1;
      }
      case EventKind.ORDER_AMENDED: {
        if (this.n === 0) return -1;
        const slot = this.findOrder(ev.orderId);
        if (slot >= 0) {
          this.nums[slot * 6 + 4] = ev.priceTicks;
          this.nums[slot * 6 + 5] = ev.qtyLots;
        }
        return -1;
      }
      case EventKind.SELF_TRADE_PREVENTED:
        // DECREMENT: both orders lose the overlap from their total quantity.
        if (this.n === 0 || ev.stpMode !== 5) return -1;
        for (const id of [ev.orderId, ev.makerOrderId]) {
          const slot = this.findOrder(id);
          if (slot >= 0) this.nums[slot * 6 + 5] -= ev.qtyLots;
        }
        return -1;
      default:
        return -1;
    }
  }

  /** The original result of the record in `slot` (bytes are kept as given). */
  setResult(slot: number, result: Buffer): void {
    this.results[slot] = result;
    this.resultStart[slot] = -1;
  }

  /**
   * The live path: copies src[start, end) into the arena as the result of
   * `slot`, which must be the record just opened (the newest).
   */
  copyResult(slot: number, src: Uint8Array, start: number, end: number): void {
    const newest = (this.head + this.n - 1) % this.capacity;
    assert(slot === newest && this.resultLen[slot] === 0, 'copyResult: not the newest record');
    const len = end - start;
    const oldest = this.resultOff[this.head]!;
    if (this.arenaTail + len - oldest > this.arena.length) this.growArena(oldest, len);
    const size = this.arena.length;
    const at = this.arenaTail % size;
    const first = Math.min(len, size - at);
    this.arena.set(src.subarray(start, start + first), at);
    if (first < len) this.arena.set(src.subarray(start + first, end), 0);
    this.resultOff[slot] = this.arenaTail;
    this.resultLen[slot] = len;
    this.arenaTail += len;
  }

  /** Doubles the arena (as often as needed) keeping the live range [oldest, tail). */
  private growArena(oldest: number, more: number): void {
    const live = this.arenaTail - oldest;
    let size = this.arena.length * 2;
    while (size < live + more) size *= 2;
    const next = Buffer.allocUnsafe(size);
    // Copy byte by byte position: each virtual offset keeps its meaning.
    for (let v = oldest; v < this.arenaTail; ) {
      const from = v % this.arena.length;
      const run = Math.min(this.arenaTail - v, this.arena.length - from, size - (v % size));
      this.arena.copy(next, v % size, from, from + run);
      v += run;
    }
    this.arena = next;
  }

  /** A copy of an arena result (resends, status queries, snapshots). */
  private arenaCopy(slot: number): Buffer {
    const len = this.resultLen[slot]!;
    if (len === 0) return EMPTY;
    const out = Buffer.allocUnsafe(len);
    const size = this.arena.length;
    const at = this.resultOff[slot]! % size;
    const first = Math.min(len, size - at);
    this.arena.copy(out, 0, at, at + first);
    if (first < len) this.arena.copy(out, first, 0, len - first);
    return out;
  }

  /** Replay: the result is the JournaledCommand at src[start, end), converted lazily. */
  setJournaledResult(slot: number, src: Buffer, start: number, end: number): void {
    this.results[slot] = src;
    this.resultStart[slot] = start;
    this.resultEnd[slot] = end;
  }

  private fill(slot: number, qty: number, remaining: number): void {
    this.nums[slot * 6 + 3] += qty;
    this.enums[slot * 5 + 4] = remaining === 0 ? OrderStatus.FILLED : OrderStatus.PARTIALLY_FILLED;
  }

  private add(accountId: number, cid: string, orderId: number, seq: number): number {
    const cap = this.capacity;
    let slot: number;
    if (this.n === cap) {
      slot = this.head;
      this.unindex(slot);
      this.head = (this.head + 1) % cap;
    } else {
      slot = (this.head + this.n) % cap;
      this.n++;
    }
    this.accountIds[slot] = accountId;
    this.cids[slot] = cid;
    this.orderIds[slot] = orderId;
    this.seqs[slot] = seq;
    this.results[slot] = undefined;
    this.resultStart[slot] = -1;
    this.resultOff[slot] = this.arenaTail;
    this.resultLen[slot] = 0;
    const h = this.hashOf(accountId, cid);
    this.slotHash[slot] = h;
    let i = h & this.mask;
    while (this.table[2 * i] !== 0) i = (i + 1) & this.mask;
    this.table[2 * i] = slot + 1;
    this.table[2 * i + 1] = h | 0;
    return slot;
  }

  /** Removes a slot from the key table (backward-shift deletion: no tombstones). */
  private unindex(slot: number): void {
    const table = this.table;
    const mask = this.mask;
    let i = this.slotHash[slot]! & mask;
    while (table[2 * i] !== slot + 1) {
      if (table[2 * i] === 0) return;
      i = (i + 1) & mask;
    }
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const v = table[2 * j]!;
      if (v === 0) break;
      const home = table[2 * j + 1]! & mask;
      // Move entry j into the hole unless its home lies cyclically in (i, j].
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        table[2 * i] = v;
        table[2 * i + 1] = table[2 * j + 1]!;
        i = j;
      }
    }
    table[2 * i] = 0;
  }

  // ------------------------------------------------------------ persistence

  /** Oldest first. */
  forEach(fn: (r: IdempotencyRecord) => void): void {
    for (let i = 0; i < this.n; i++) fn(this.record((this.head + i) % this.capacity));
  }

  encode(): Uint8Array {
    const records: exchange.v1.IIdempotencyRecord[] = [];
    this.forEach((r) => {
      records.push({ ...r, status: r.status as number });
    });
    return exchange.v1.IdempotencyWindow.encode({ records }).finish();
  }

  /** Rebuilds a window from encode() bytes (throws on malformed input: the caller names the snapshot). */
  static decode(bytes: Uint8Array, capacity: number): IdempotencyWindow {
    const w = new IdempotencyWindow(capacity);
    const msg = exchange.v1.IdempotencyWindow.decode(bytes);
    // A smaller capacity than when saved keeps the newest records.
    const from = Math.max(0, msg.records.length - capacity);
    for (let i = from; i < msg.records.length; i++) {
      const x = msg.records[i]!;
      const slot = w.add(
        x.accountId ?? 0,
        x.clientOrderId ?? '',
        Number(x.orderId ?? 0),
        Number(x.seq ?? 0),
      );
      const e = slot * 5;
      const k = slot * 6;
      w.marketIds[slot] = x.marketId ?? 0;
      w.enums[e] = x.side ?? 0;
      w.enums[e + 1] = x.orderType ?? 0;
      w.enums[e + 2] = x.timeInForce ?? 0;
      w.enums[e + 3] = x.stpMode ?? 0;
      w.enums[e + 4] = x.status ?? 0;
      w.nums[k] = Number(x.priceTicks ?? 0);
      w.nums[k + 1] = Number(x.qtyLots ?? 0);
      w.nums[k + 2] = Number(x.quoteBudgetAtoms ?? 0);
      w.nums[k + 3] = Number(x.filledLots ?? 0);
      w.nums[k + 4] = Number(x.currentPriceTicks ?? 0);
      w.nums[k + 5] = Number(x.currentQtyLots ?? 0);
      w.postOnly[slot] = x.postOnly ? 1 : 0;
      w.setResult(slot, Buffer.from(x.result ?? EMPTY));
    }
    return w;
  }
}
