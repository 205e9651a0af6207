// Balances per (account, asset): an open-addressing hash from the key
// accountId * MAX_ASSETS + assetId to a stable slot, and the balances in
// columns by slot. Slots are never freed (a zero balance is just skipped), so
// a slot index stays valid for the engine's life; the hash table rehashes
// without moving them.
import { MAX_ASSETS } from './constants';
import { growF64, growI32 } from './order-pool';

export class BalanceTable {
  /** Slots in use. */
  count = 0;
  key = new Int32Array(256);
  account = new Int32Array(256);
  asset = new Int32Array(256);
  available = new Float64Array(256);
  locked = new Float64Array(256);
  /** Generation of the command that last touched it, and its values before that command. */
  stamp = new Float64Array(256);
  beforeAvailable = new Float64Array(256);
  beforeLocked = new Float64Array(256);

  /** Hash table: key + 1 (0 = empty) and slot. */
  private hKeys = new Int32Array(512);
  private hSlots = new Int32Array(512);
  private hMask = 511;
  private hShift = 23; // 32 - log2(512)

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
    if (this.count === this.key.length) this.growSlots();
    const s = this.count++;
    this.key[s] = key;
    this.account[s] = Math.floor(key / MAX_ASSETS);
    this.asset[s] = key % MAX_ASSETS;
    this.available[s] = 0;
    this.locked[s] = 0;
    this.stamp[s] = 0;
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
    for (let s = 0; s < this.count; s++) this.insert(this.key[s]! + 1, s);
  }

  private growSlots(): void {
    const cap = this.key.length * 2;
    this.key = growI32(this.key, cap);
    this.account = growI32(this.account, cap);
    this.asset = growI32(this.asset, cap);
    this.available = growF64(this.available, cap);
    this.locked = growF64(this.locked, cap);
    this.stamp = growF64(this.stamp, cap);
    this.beforeAvailable = growF64(this.beforeAvailable, cap);
    this.beforeLocked = growF64(this.beforeLocked, cap);
  }
}
