// The peer: nodejs-order-book 10.1.1 driven with the same streams. It has no
// accounts, balances, fees or events; cancels and amends go by its string ids
// (our order id, prefixed). Its modify() always re-queues (cancel + re-add), so
// the streams only amend in ways that re-queue in our engine too.
import { OrderBook } from 'nodejs-order-book';
import { type PeerOp, PeerOpKind } from './streams';

export function newPeerBook(): OrderBook {
  return new OrderBook(); // journaling off (its default)
}

export interface PeerRun {
  /** Commands applied (a prefix when the time limit cut it short). */
  commands: number;
  seconds: number;
  /** Calls reporting failure: err set, or cancel() found nothing. */
  failures: number;
}

/**
 * Apply ops[0..) to `book` until done or `maxSeconds` passed (checked every 64
 * ops); timed with process.hrtime.bigint().
 */
export function runPeer(book: OrderBook, ops: readonly PeerOp[], maxSeconds: number): PeerRun {
  const n = ops.length;
  const limitNs = Number.isFinite(maxSeconds) ? BigInt(Math.round(maxSeconds * 1e9)) : -1n;
  let failures = 0;
  let done = n;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const op = ops[i]!;
    switch (op.kind) {
      case PeerOpKind.LIMIT:
        if (book.limit(op.limit!).err !== null) failures++;
        break;
      case PeerOpKind.MARKET:
        if (book.market(op.market!).err !== null) failures++;
        break;
      case PeerOpKind.CANCEL:
        if (book.cancel(op.id) === undefined) failures++;
        break;
      case PeerOpKind.MODIFY:
        if (book.modify(op.id, op.update!).err !== null) failures++;
        break;
    }
    if ((i & 63) === 63 && limitNs > 0n && process.hrtime.bigint() - t0 >= limitNs) {
      done = i + 1;
      break;
    }
  }
  const t1 = process.hrtime.bigint();
  return { commands: done, seconds: Number(t1 - t0) / 1e9, failures };
}

export interface PeerBookState {
  resting: number;
  bidVolume: number;
  askVolume: number;
}

/** Through its public snapshot(); not for timed paths. */
export function peerBookState(book: OrderBook): PeerBookState {
  const snap = book.snapshot();
  let resting = 0;
  let bidVolume = 0;
  let askVolume = 0;
  for (const level of snap.bids) {
    resting += level.orders.length;
    for (const o of level.orders) bidVolume += o.size;
  }
  for (const level of snap.asks) {
    resting += level.orders.length;
    for (const o of level.orders) askVolume += o.size;
  }
  return { resting, bidVolume, askVolume };
}
