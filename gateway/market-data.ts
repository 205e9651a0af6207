// Market data from the shard feed: a BookMirror per market (BOOK_LEVEL
// events), a ring of recent public trades (REST), and fan-out over uWS
// pub/sub, one topic per market and channel:
//   b:<market>  BookUpdate  (absolute level quantities; 0 deletes)
//   t:<market>  PublicTrade
//   q:<market>  BestBidOffer
// A BookUpdate covers the engine seq range first_seq..last_seq: every command
// in it that touched the book is included, so first_seq == previous
// last_seq + 1 always holds for a subscriber, and a snapshot's seq is the
// last_seq its book reflects. Updates are coalesced per applied chunk (one
// link message, or up to 512 journal commands).
import { EventKind } from '../engine/event';
import { exchange } from '../proto';
import { BookMirror } from './book-mirror';
import { nowUs } from './clock';
import { TRADE_RING_SIZE } from './limits';
import type { FeedCommand } from './reports';

const v1 = exchange.v1;

export function bookTopic(marketId: number): string {
  return `b:${marketId}`;
}
export function tradesTopic(marketId: number): string {
  return `t:${marketId}`;
}
export function bboTopic(marketId: number): string {
  return `q:${marketId}`;
}

export interface PublicTradeRecord {
  tradeId: number;
  priceTicks: number;
  qtyLots: number;
  takerSide: number;
  engineSeq: number;
  timeUs: number;
}

/**
 * Fixed-size ring of the newest public trades of one market. Records are
 * overwritten in place once the ring is full: a trade lives here for a good
 * fraction of a second, long enough to be promoted out of V8's young
 * generation, so a new object per trade became old-generation garbage.
 */
export class TradeRing {
  private readonly items: PublicTradeRecord[] = [];
  private next = 0;

  push(
    tradeId: number,
    priceTicks: number,
    qtyLots: number,
    takerSide: number,
    engineSeq: number,
    timeUs: number,
  ): void {
    if (this.items.length < TRADE_RING_SIZE) {
      this.items.push({ tradeId, priceTicks, qtyLots, takerSide, engineSeq, timeUs });
    } else {
      const t = this.items[this.next]!;
      t.tradeId = tradeId;
      t.priceTicks = priceTicks;
      t.qtyLots = qtyLots;
      t.takerSide = takerSide;
      t.engineSeq = engineSeq;
      t.timeUs = timeUs;
    }
    this.next = (this.next + 1) % TRADE_RING_SIZE;
  }

  /** Newest first, at most `limit`: copies (the ring's records are reused). */
  newest(limit: number): PublicTradeRecord[] {
    const n = Math.min(limit, this.items.length);
    const out: PublicTradeRecord[] = [];
    let i = (this.next - 1 + this.items.length) % Math.max(1, this.items.length);
    for (let k = 0; k < n; k++) {
      out.push({ ...this.items[i]! });
      i = (i - 1 + this.items.length) % this.items.length;
    }
    return out;
  }
}

/**
 * Levels changed in one chunk, last write wins, in first-touch order.
 * Parallel arrays reused from chunk to chunk: a Map and an object per level,
 * cleared per chunk, allocated a hash table per chunk and an object per event.
 */
class DirtyLevels {
  private readonly prices: number[] = [];
  private readonly qtys: number[] = [];
  private readonly counts: number[] = [];
  private n = 0;
  /** price -> index, only once a chunk touches many levels (linear search below that). */
  private index: Map<number, number> | undefined;
  private indexed = false;

  set(price: number, qty: number, count: number): void {
    const n = this.n;
    let i = -1;
    if (this.indexed) {
      i = this.index!.get(price) ?? -1;
    } else {
      for (let k = 0; k < n; k++) {
        if (this.prices[k] === price) {
          i = k;
          break;
        }
      }
    }
    if (i >= 0) {
      this.qtys[i] = qty;
      this.counts[i] = count;
      return;
    }
    this.prices[n] = price;
    this.qtys[n] = qty;
    this.counts[n] = count;
    this.n = n + 1;
    if (this.indexed) this.index!.set(price, n);
    else if (n + 1 === DIRTY_LINEAR_MAX) {
      this.index ??= new Map();
      for (let k = 0; k <= n; k++) this.index.set(this.prices[k]!, k);
      this.indexed = true;
    }
  }

  appendTo(out: exchange.v1.IBookLevelUpdate[], side: number): void {
    for (let k = 0; k < this.n; k++) {
      out.push({
        side,
        priceTicks: this.prices[k]!,
        qtyLots: this.qtys[k]!,
        orderCount: this.counts[k]!,
      });
    }
  }

  reset(): void {
    this.n = 0;
    if (this.indexed) {
      this.index!.clear();
      this.indexed = false;
    }
  }
}

/** Levels per side a chunk may touch before DirtyLevels indexes them. */
const DIRTY_LINEAR_MAX = 16;

interface MarketState {
  readonly book: BookMirror;
  /** Its topics, built once (publishing checks them on every chunk). */
  readonly bookTopic: string;
  readonly tradesTopic: string;
  readonly bboTopic: string;
  readonly trades: TradeRing;
  /** Levels changed in the current chunk (last write wins), per side. */
  readonly dirtyBids: DirtyLevels;
  readonly dirtyAsks: DirtyLevels;
  /** In MarketData.dirty this chunk. */
  isDirty: boolean;
  /**
   * Subscriber counts of the three topics, valid while `subsEpoch` equals
   * MarketData's (uWS's numSubscribers crosses into C++ with the topic
   * string: asked per order it was 5% of the gateway's busy time at saturation).
   */
  subsEpoch: number;
  bookSubs: number;
  tradesSubs: number;
  bboSubs: number;
  bboBid: number;
  bboBidQty: number;
  bboAsk: number;
  bboAskQty: number;
}

export class MarketData {
  private readonly markets = new Map<number, MarketState>();
  /** Markets touched in the current chunk (an array: a Set's clear() allocates a table per chunk). */
  private readonly dirty: MarketState[] = [];
  /** Messages published (for metrics). */
  published = 0;
  /** Bumped by subscriptionsChanged(): cached subscriber counts older than this are asked again. */
  private subsEpoch = 0;

  /**
   * `publishBytes` is uWS's app.publish (or the gateway's deferring wrapper
   * of it); `subscribers` its numSubscribers: a topic nobody follows is not
   * encoded at all.
   */
  constructor(
    private readonly publishBytes: (topic: string, bytes: Uint8Array) => void,
    private readonly subscribers: (topic: string) => number = () => 1,
  ) {}

  book(marketId: number): BookMirror | undefined {
    return this.markets.get(marketId)?.book;
  }

  trades(marketId: number): TradeRing | undefined {
    return this.markets.get(marketId)?.trades;
  }

  private state(marketId: number): MarketState {
    let m = this.markets.get(marketId);
    if (m === undefined) {
      m = {
        book: new BookMirror(marketId),
        bookTopic: bookTopic(marketId),
        tradesTopic: tradesTopic(marketId),
        bboTopic: bboTopic(marketId),
        trades: new TradeRing(),
        dirtyBids: new DirtyLevels(),
        dirtyAsks: new DirtyLevels(),
        isDirty: false,
        subsEpoch: -1,
        bookSubs: 0,
        tradesSubs: 0,
        bboSubs: 0,
        bboBid: 0,
        bboBidQty: 0,
        bboAsk: 0,
        bboAskQty: 0,
      };
      this.markets.set(marketId, m);
    }
    return m;
  }

  /**
   * A topic was subscribed or unsubscribed, or a subscriber's connection
   * closed. Must be called after every subscribe, or its topic may be taken
   * for one nobody follows; a missed unsubscribe only costs an encode.
   */
  subscriptionsChanged(): void {
    this.subsEpoch++;
  }

  /** The market's subscriber counts, asked of uWS at most once per subscription change. */
  private subscribed(m: MarketState): MarketState {
    if (m.subsEpoch !== this.subsEpoch) {
      m.subsEpoch = this.subsEpoch;
      m.bookSubs = this.subscribers(m.bookTopic);
      m.tradesSubs = this.subscribers(m.tradesTopic);
      m.bboSubs = this.subscribers(m.bboTopic);
    }
    return m;
  }

  /** Makes sure a market has a (possibly empty) book, e.g. one that never traded. */
  ensure(marketId: number): BookMirror {
    return this.state(marketId).book;
  }

  /** Folds one command's book and trade events in (call applyDone at the end of the chunk). */
  applyCommand(cmd: FeedCommand, live: boolean): void {
    const events = cmd.events;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i]!;
      const kind: number = ev.kind ?? 0;
      if (kind === EventKind.BOOK_LEVEL) {
        const m = this.state(ev.marketId ?? 0);
        const side = ev.side ?? 0;
        const price = ev.priceTicks ?? 0;
        const qty = ev.qtyLots ?? 0;
        const count = ev.orderCount ?? 0;
        m.book.setLevel(side, price, qty, count);
        (side === 1 ? m.dirtyBids : m.dirtyAsks).set(price, qty, count);
        if (!m.isDirty) {
          m.isDirty = true;
          this.dirty.push(m);
        }
      } else if (kind === EventKind.TRADE) {
        const marketId = ev.marketId ?? 0;
        const m = this.state(marketId);
        const tradeId = ev.tradeId ?? 0;
        const priceTicks = ev.priceTicks ?? 0;
        const qtyLots = ev.qtyLots ?? 0;
        const takerSide = ev.side ?? 0;
        m.trades.push(tradeId, priceTicks, qtyLots, takerSide, cmd.seq, cmd.timeUs);
        // The message is built only when someone follows the topic.
        if (live && this.subscribed(m).tradesSubs !== 0) {
          this.publish(m.tradesTopic, {
            trade: {
              marketId,
              tradeId,
              priceTicks,
              qtyLots,
              takerSide,
              engineSeq: cmd.seq,
              timeUs: cmd.timeUs,
            },
          });
        }
      }
    }
  }

  /** End of a chunk whose last command is `lastSeq`: one BookUpdate (and BBO if it moved) per touched market. */
  applyDone(lastSeq: number, live: boolean): void {
    const dirty = this.dirty;
    if (dirty.length === 0) return;
    for (let k = 0; k < dirty.length; k++) {
      const m = dirty[k]!;
      m.isDirty = false;
      const book = m.book;
      const marketId = book.marketId;
      if (live && this.subscribed(m).bookSubs !== 0) {
        const updates: exchange.v1.IBookLevelUpdate[] = [];
        m.dirtyBids.appendTo(updates, v1.Side.SIDE_BUY);
        m.dirtyAsks.appendTo(updates, v1.Side.SIDE_SELL);
        this.publish(m.bookTopic, {
          bookUpdate: { marketId, firstSeq: book.seq + 1, lastSeq, updates },
        });
      }
      book.seq = lastSeq;
      m.dirtyBids.reset();
      m.dirtyAsks.reset();
      const bid = book.bids.best();
      const ask = book.asks.best();
      if (
        bid.priceTicks !== m.bboBid ||
        bid.qtyLots !== m.bboBidQty ||
        ask.priceTicks !== m.bboAsk ||
        ask.qtyLots !== m.bboAskQty
      ) {
        m.bboBid = bid.priceTicks;
        m.bboBidQty = bid.qtyLots;
        m.bboAsk = ask.priceTicks;
        m.bboAskQty = ask.qtyLots;
        if (live && this.subscribed(m).bboSubs !== 0) {
          this.publish(m.bboTopic, { bbo: this.bbo(marketId)! });
        }
      }
    }
    dirty.length = 0;
  }

  /** Recomputes every market's best bid and offer from its book (after seeding). */
  resetBbo(): void {
    for (const m of this.markets.values()) {
      const bid = m.book.bids.best();
      const ask = m.book.asks.best();
      m.bboBid = bid.priceTicks;
      m.bboBidQty = bid.qtyLots;
      m.bboAsk = ask.priceTicks;
      m.bboAskQty = ask.qtyLots;
    }
  }

  snapshot(marketId: number, depth: number): exchange.v1.IBookSnapshot {
    const book = this.ensure(marketId);
    return { marketId, seq: book.seq, bids: book.bids.top(depth), asks: book.asks.top(depth) };
  }

  bbo(marketId: number): exchange.v1.IBestBidOffer | undefined {
    const m = this.markets.get(marketId);
    if (m === undefined) return undefined;
    return {
      marketId,
      bidPriceTicks: m.bboBid,
      bidQtyLots: m.bboBidQty,
      askPriceTicks: m.bboAsk,
      askQtyLots: m.bboAskQty,
      seq: m.book.seq,
    };
  }

  /** Callers check the topic has subscribers first (before building `body`). */
  private publish(topic: string, body: exchange.v1.IServerMessage): void {
    const now = nowUs();
    body.recvTimeUs = now;
    body.sendTimeUs = now;
    const bytes = v1.ServerMessage.encode(body).finish();
    this.publishBytes(topic, bytes);
    this.published++;
  }
}
