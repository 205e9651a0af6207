// The bench's order flow, pre-encoded as exchange.v1.Command bytes: resting
// limit orders that do not cross (buys below 10,000 ticks, sells above), each
// with a client order id, and cancels (by client order id) of the order placed
// `cancelLag` commands earlier, so the book stays at a steady size. With
// cancelLag 0 it only places (building a big book).
import { ProtoWriter } from '../../engine/process/proto-writer';

export const BENCH_MARKET = 1;
export const BENCH_ACCOUNTS = 100;
export const FIRST_ACCOUNT = 101;

export class CommandStream {
  private readonly w = new ProtoWriter(256);
  private placed = 0;
  private readonly ring: string[];
  private readonly ringAccounts: Int32Array;
  private cancelNext = false;

  constructor(
    private readonly prefix: string,
    private readonly cancelLag: number,
  ) {
    this.ring = new Array(Math.max(1, cancelLag));
    this.ringAccounts = new Int32Array(Math.max(1, cancelLag));
  }

  /** The next command's bytes (valid until the next call). */
  next(): Uint8Array {
    const w = this.w;
    w.reset();
    if (this.cancelNext && this.cancelLag > 0 && this.placed >= this.cancelLag) {
      this.cancelNext = false;
      const slot = this.placed % this.cancelLag;
      const m = w.beginLen(2); // cancel_order
      w.uint(1, this.ringAccounts[slot]!);
      w.string(3, this.ring[slot]!);
      w.endLen(m);
      return w.buf.subarray(0, w.pos);
    }
    this.cancelNext = true;
    const i = this.placed++;
    const account = FIRST_ACCOUNT + (i % BENCH_ACCOUNTS);
    const buy = (i & 1) === 0;
    const cid = `${this.prefix}${i}`;
    const m = w.beginLen(1); // place_order
    w.uint(1, account);
    w.uint(2, BENCH_MARKET);
    w.uint(3, buy ? 1 : 2);
    w.uint(4, 1); // limit
    w.uint(5, 1); // GTC
    w.uint(6, buy ? 9_999 - (i % 1_000) : 10_001 + (i % 1_000));
    w.uint(7, 1 + (i % 10));
    w.string(11, cid);
    w.endLen(m);
    if (this.cancelLag > 0) {
      const slot = i % this.cancelLag;
      this.ring[slot] = cid;
      this.ringAccounts[slot] = account;
    }
    return w.buf.subarray(0, w.pos);
  }
}
