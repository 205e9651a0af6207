// Balances per (account, asset): an open-addressing hash from the key
// accountId * MAX_ASSETS + assetId to a stable slot, and the balances in one
// 64-byte record per slot (one cache line; see order-pool.ts). Slots are never freed (a zero balance is just skipped), so
// a slot index stays valid for the engine's life; the hash table rehashes
// without moving them.
import { assert } from '../common/errors';
import { MAX_ASSETS } from './constants';

/** Bytes per balance record. */
export const BALANCE_RECORD_BYTES = 64;

/** Double fields: `f[(s << 3) + field]` (bytes 0..39 of the record). */
export const enum BalanceF64 {
  available = 0,
  locked = 1,
  /** Generation of the command that last touched it, and its values before that command. */
  stamp = 2,
  beforeAvailable = 3,
  beforeLocked = 4,
}

/** Int32 fields: `i[(s << 4) + field]` (bytes 40..51). */
export const enum BalanceI32 {
  /** accountId * MAX_ASSETS + assetId */
  key = 10,
  account = 11,
  asset = 12,
}

const INITIAL_SLOTS = 256;

export class BalanceTable {
  /** Slots in use. */
  count = 0;
  /** Slots the buffer holds. */
  private capacity = INITIAL_SLOTS;
  /** The records seen as doubles and int32s (one buffer; replaced when it grows). */
  f: Float64Array;
  i: Int32Array;

  /** Hash table: key + 1 (0 = empty) and slot. */
  private hKeys = new Int32Array(512);
  private hSlots = new Int32Array(512);
  private hMask = 511;
  private hShift = 23; // 32 - log2(512)

  constructor() {
    const buf = new ArrayBuffer(INITIAL_SLOTS * BALANCE_RECORD_BYTES);
    this.f = new Float64Array(buf);
    this.i = new Int32Array(buf);
  }

  /** The slot of (accountId, assetId), or -1 when it was never created. */
  find(accountId: number, assetId: number): number {
    const k = accountId * MAX_ASSETS + assetId + 1;
    const keys = this.hKeys;
    const mask = this.hMask;
    let h = Math.imul(k, 0x9e3779b1) >>> this.hShift;
    for (;;) {
      const hk = keys[h]!;
      if (hk === k) return this.hSlots[h]!;
      if (hk === 0) return -1;
      h = (h + 1) & mask;
    }
  }

  /** The slot of (accountId, assetId), created with zero balances if new. */
  slot(accountId: number, assetId: number): number {
    const s = this.find(accountId, assetId);
    return s >= 0 ? s : this.create(accountId * MAX_ASSETS + assetId);
  }

  private create(key: number): number {
    if (this.count === this.capacity) this.growSlots();
    const s = this.count++;
    const i = this.i;
    i[(s << 4) + BalanceI32.key] = key;
    i[(s << 4) + BalanceI32.account] = Math.floor(key / MAX_ASSETS);
    i[(s << 4) + BalanceI32.asset] = key % MAX_ASSETS;
    const f = this.f;
    f[(s << 3) + BalanceF64.available] = 0;
    f[(s << 3) + BalanceF64.locked] = 0;
    f[(s << 3) + BalanceF64.stamp] = 0;
    if (this.count * 2 > this.hKeys.length) this.rehash(this.hKeys.length * 2);
    else this.insert(key + 1, s);
    return s;
  }

  private insert(k: number, s: number): void {
    const keys = this.hKeys;
    const mask = this.hMask;
    let h = Math.imul(k, 0x9e3779b1) >>> this.hShift;
    while (keys[h] !== 0) h = (h + 1) & mask;
    keys[h] = k;
    this.hSlots[h] = s;
  }

  private rehash(size: number): void {
    this.hKeys = new Int32Array(size);
    this.hSlots = new Int32Array(size);
    this.hMask = size - 1;
    this.hShift = 32 - Math.log2(size);
    for (let s = 0; s < this.count; s++) this.insert(this.i[(s << 4) + BalanceI32.key]! + 1, s);
  }

  private growSlots(): void {
    const cap = this.capacity * 2;
    // Record offsets are computed in int32 (slot << 4): 2^27 slots (8 GiB of records) at most.
    assert(cap <= 2 ** 27, 'balance record offsets fit an int32');
    const buf = new ArrayBuffer(cap * BALANCE_RECORD_BYTES);
    const f = new Float64Array(buf);
    f.set(this.f);
    this.f = f;
    this.i = new Int32Array(buf);
    this.capacity = cap;
  }
}
