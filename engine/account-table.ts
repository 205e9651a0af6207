// Accounts as dense columns indexed by accountId, grown by doubling up to
// MAX_ACCOUNTS as larger ids are added: fee rates, open-order count, the head
// and tail of the account's open-order list (linked through the OrderPool's
// aPrev/aNext, in book-entry order) and its open client order ids.
import { MAX_ACCOUNTS } from './constants';
import { growI32, growU8, Link } from './order-pool';

export class AccountTable {
  capacity = 0;
  exists = new Uint8Array(0);
  makerBps = new Int32Array(0);
  takerBps = new Int32Array(0);
  openCount = new Int32Array(0);
  head = new Int32Array(0);
  tail = new Int32Array(0);
  /** Open client order id -> order slot, created on the account's first client order id. */
  coids: (Map<string, number> | undefined)[] = [];

  /** Whether accountId is an existing account (any value accepted). */
  has(accountId: unknown): accountId is number {
    return (
      typeof accountId === 'number' &&
      accountId >= 1 &&
      accountId < this.capacity &&
      this.exists[accountId] === 1
    );
  }

  add(accountId: number, makerBps: number, takerBps: number): void {
    if (accountId >= this.capacity) this.grow(accountId + 1);
    this.exists[accountId] = 1;
    this.makerBps[accountId] = makerBps;
    this.takerBps[accountId] = takerBps;
    this.openCount[accountId] = 0;
    this.head[accountId] = Link.NIL;
    this.tail[accountId] = Link.NIL;
  }

  private grow(min: number): void {
    const cap = Math.min(MAX_ACCOUNTS, Math.max(min, this.capacity * 2, 1024));
    this.exists = growU8(this.exists, cap);
    this.makerBps = growI32(this.makerBps, cap);
    this.takerBps = growI32(this.takerBps, cap);
    this.openCount = growI32(this.openCount, cap);
    this.head = growI32(this.head, cap);
    this.tail = growI32(this.tail, cap);
    for (let i = this.capacity; i < cap; i++) this.coids.push(undefined);
    this.capacity = cap;
  }
}
