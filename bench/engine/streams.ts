// Pre-generated command streams for the engine benchmark: for each scenario an
// array of our engine's command objects and an equivalent array of
// nodejs-order-book operations, built before any timing so neither side pays
// for generation. A BookModel predicts every outcome (order ids, fills,
// rejects, the book after each command), which is how the harness checks both
// books cheaply after a timed run. Importable by tests (tiny streams) — it has
// no side effects and never touches an engine.
import {
  type LimitOrderOptions,
  type MarketOrderOptions,
  type OrderUpdatePrice,
  Side as PeerSide,
  SelfTradePreventionMode,
} from 'nodejs-order-book';
import {
  type AddAccount,
  type AddAsset,
  type AddMarket,
  type AmendOrder,
  type CancelOrder,
  type Command,
  CommandKind,
  type Deposit,
  MarketStatus,
  OrderType,
  type PlaceOrder,
  Side,
  StpMode,
  TimeInForce,
} from '../../engine/types';
import { BookModel, ModelOrder } from './model';

// ---------------------------------------------------------------------------
// Deterministic randomness

/** mulberry32: small, fast, deterministic; quality is ample for workloads. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
}

// ---------------------------------------------------------------------------
// Market and accounts shared by every scenario

export const FEE_ACCOUNT_ID = 1;
export const MARKET_ID = 1;
export const BASE_ASSET_ID = 1; // e.g. BTC, 8 decimals
export const QUOTE_ASSET_ID = 2; // e.g. USDT, 6 decimals
/** 100,000.00 quote per base at a 0.01 tick. */
export const MID_TICKS = 10_000_000;
/** One lot = 0.001 base = 100,000 base atoms. */
export const BASE_ATOMS_PER_LOT = 100_000;
/** 0.01 quote per base x 0.001 base per lot = 10 quote atoms per tick-lot. */
export const QUOTE_ATOMS_PER_TICK_LOT = 10;
export const PRICE_BAND_BPS = 500;

const MARKET: Omit<AddMarket, 'kind'> = {
  marketId: MARKET_ID,
  baseAssetId: BASE_ASSET_ID,
  quoteAssetId: QUOTE_ASSET_ID,
  baseAtomsPerLot: BASE_ATOMS_PER_LOT,
  quoteAtomsPerTickLot: QUOTE_ATOMS_PER_TICK_LOT,
  minQtyLots: 1,
  maxQtyLots: 1_000_000,
  maxPriceTicks: 100_000_000,
  minNotionalAtoms: 10_000_000, // 10 quote
  priceBandBps: PRICE_BAND_BPS,
  allowSelfTrade: false,
  status: MarketStatus.ACTIVE,
};

interface AccountSpec {
  accountId: number;
  makerFeeBps: number;
  takerFeeBps: number;
  baseAtoms: number;
  quoteAtoms: number;
}

/**
 * Assets, the market, accounts with their fee rates, deposits (fee account too:
 * it pays rebates). The engine keeps each asset's total supply within 2^53-1,
 * so funding is sized per scenario: ample for every lock and trade flow the
 * stream can produce, and the sum over all accounts stays below that bound.
 */
function setupCommands(accounts: AccountSpec[]): Command[] {
  const out: Command[] = [];
  const addAsset = (assetId: number): AddAsset => ({ kind: CommandKind.ADD_ASSET, assetId });
  out.push(addAsset(BASE_ASSET_ID), addAsset(QUOTE_ASSET_ID));
  out.push({ kind: CommandKind.ADD_MARKET, ...MARKET });
  let refId = 1;
  const deposit = (accountId: number, assetId: number, amountAtoms: number): Deposit => ({
    kind: CommandKind.DEPOSIT,
    accountId,
    assetId,
    amountAtoms,
    refId: refId++,
  });
  out.push(deposit(FEE_ACCOUNT_ID, BASE_ASSET_ID, 1e11));
  out.push(deposit(FEE_ACCOUNT_ID, QUOTE_ASSET_ID, 1e13));
  let base = 1e11;
  let quote = 1e13;
  for (const a of accounts) {
    base += a.baseAtoms;
    quote += a.quoteAtoms;
  }
  if (base > 2 ** 53 - 1 || quote > 2 ** 53 - 1) throw new Error('streams: funding exceeds 2^53-1');
  for (const a of accounts) {
    const add: AddAccount = {
      kind: CommandKind.ADD_ACCOUNT,
      accountId: a.accountId,
      makerFeeBps: a.makerFeeBps,
      takerFeeBps: a.takerFeeBps,
    };
    out.push(add);
    out.push(deposit(a.accountId, BASE_ASSET_ID, a.baseAtoms));
    out.push(deposit(a.accountId, QUOTE_ASSET_ID, a.quoteAtoms));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Our commands

function placeCmd(
  accountId: number,
  side: Side,
  orderType: OrderType,
  timeInForce: TimeInForce,
  priceTicks: number,
  qtyLots: number,
  postOnly: boolean,
): PlaceOrder {
  return {
    kind: CommandKind.PLACE_ORDER,
    accountId,
    marketId: MARKET_ID,
    side,
    orderType,
    timeInForce,
    priceTicks,
    qtyLots,
    quoteBudgetAtoms: 0,
    postOnly,
    stpMode: StpMode.UNSPECIFIED, // = EXPIRE_TAKER; the streams never self-match
    clientOrderId: '',
  };
}

function cancelCmd(accountId: number, orderId: number): CancelOrder {
  return { kind: CommandKind.CANCEL_ORDER, accountId, orderId, clientOrderId: '' };
}

function amendCmd(
  accountId: number,
  orderId: number,
  newPriceTicks: number,
  newQtyLots: number,
): AmendOrder {
  return {
    kind: CommandKind.AMEND_ORDER,
    accountId,
    orderId,
    clientOrderId: '',
    newPriceTicks,
    newQtyLots,
  };
}

// ---------------------------------------------------------------------------
// The peer's operations (nodejs-order-book 10.1.1)

export const enum PeerOpKind {
  LIMIT = 0,
  MARKET = 1,
  CANCEL = 2,
  MODIFY = 3,
}

/** One peer call with its arguments precomputed (one shape for every kind). */
export class PeerOp {
  constructor(
    readonly kind: PeerOpKind,
    /** cancel / modify target */
    readonly id: string,
    readonly limit: LimitOrderOptions | null,
    readonly market: MarketOrderOptions | null,
    readonly update: OrderUpdatePrice | null,
  ) {}
}

// The package's string enums. TimeInForce is not exported from its index, so
// its values are spelled here with the declared type.
const PEER_BUY = PeerSide.BUY;
const PEER_SELL = PeerSide.SELL;
type PeerTif = NonNullable<LimitOrderOptions['timeInForce']>;
const PEER_TIF: Record<number, PeerTif> = {
  [TimeInForce.GTC]: 'GTC' as PeerTif,
  [TimeInForce.IOC]: 'IOC' as PeerTif,
  [TimeInForce.FOK]: 'FOK' as PeerTif,
};
/** Same guard as ours (the taker expires on a self-match); the streams never trigger it. */
const PEER_STP = SelfTradePreventionMode.EXPIRE_TAKER;

/**
 * How peer order ids are spelt: our engine's order id as a numeric string
 * ('123', which V8 keeps as an array-index key) or prefixed ('o123', a named
 * key). Each stream uses whichever the peer ran faster with on that workload.
 */
export type PeerIdStyle = 'numeric' | 'prefixed';

export function peerOrderId(orderId: number, style: PeerIdStyle): string {
  return style === 'numeric' ? String(orderId) : `o${orderId}`;
}

class PeerIds {
  private readonly accounts = new Map<number, string>();
  constructor(readonly style: PeerIdStyle) {}
  order(orderId: number): string {
    return peerOrderId(orderId, this.style);
  }
  account(accountId: number): string {
    let s = this.accounts.get(accountId);
    if (s === undefined) {
      s = `a${accountId}`;
      this.accounts.set(accountId, s);
    }
    return s;
  }
}

function peerLimit(
  ids: PeerIds,
  orderId: number,
  accountId: number,
  side: Side,
  tif: TimeInForce,
  price: number,
  size: number,
  postOnly: boolean,
): PeerOp {
  const o: LimitOrderOptions = {
    id: ids.order(orderId),
    side: side === Side.BUY ? PEER_BUY : PEER_SELL,
    size,
    price,
    postOnly,
    timeInForce: PEER_TIF[tif]!,
    accountId: ids.account(accountId),
    stpMode: PEER_STP,
  };
  return new PeerOp(PeerOpKind.LIMIT, '', o, null, null);
}

function peerMarket(ids: PeerIds, accountId: number, side: Side, size: number): PeerOp {
  const o: MarketOrderOptions = {
    side: side === Side.BUY ? PEER_BUY : PEER_SELL,
    size,
    accountId: ids.account(accountId),
    stpMode: PEER_STP,
  };
  return new PeerOp(PeerOpKind.MARKET, '', null, o, null);
}

function peerCancel(ids: PeerIds, orderId: number): PeerOp {
  return new PeerOp(PeerOpKind.CANCEL, ids.order(orderId), null, null, null);
}

/** modify() takes the new price and the new *remaining* size (it re-queues the order). */
function peerModify(ids: PeerIds, orderId: number, price: number, size: number): PeerOp {
  return new PeerOp(PeerOpKind.MODIFY, ids.order(orderId), null, null, { price, size });
}

// ---------------------------------------------------------------------------
// Scenarios

/** What both books must look like; per-command arrays allow checking any prefix. */
export interface Expectation {
  /** Resting orders once the seed is applied. */
  seedResting: number;
  /** After command i of `commands` (0-based). */
  restingAfter: Int32Array;
  bidVolumeAfter: Int32Array;
  askVolumeAfter: Int32Array;
  /** Commands our engine rejects, cumulative. */
  oursRejectsAfter: Int32Array;
  /** Peer calls that report failure (err set, or cancel finds nothing), cumulative. */
  peerFailuresAfter: Int32Array;
  /** After the whole stream. */
  final: {
    resting: number;
    bidCount: number;
    askCount: number;
    bidVolume: number;
    askVolume: number;
    nextOrderId: number;
    nextTradeId: number;
    oursRejects: number;
    peerFailures: number;
  };
  /** What the stream is made of (for the report). */
  mix: Record<string, number>;
}

export interface Scenario {
  name: string;
  feeAccountId: number;
  marketId: number;
  peerIdStyle: PeerIdStyle;
  /** Ours only, untimed: assets, market, accounts, fee rates, deposits. */
  setup: Command[];
  /** Untimed: builds the starting book (identically on both sides). */
  seed: Command[];
  seedPeer: PeerOp[];
  /** Timed. */
  commands: Command[];
  peer: PeerOp[];
  expect: Expectation;
}

class Recorder {
  readonly commands: Command[] = [];
  readonly peer: PeerOp[] = [];
  readonly restingAfter: Int32Array;
  readonly bidVolumeAfter: Int32Array;
  readonly askVolumeAfter: Int32Array;
  readonly oursRejectsAfter: Int32Array;
  readonly peerFailuresAfter: Int32Array;
  oursRejects = 0;
  peerFailures = 0;
  readonly mix: Record<string, number> = {};

  constructor(
    readonly n: number,
    private readonly book: BookModel,
  ) {
    this.restingAfter = new Int32Array(n);
    this.bidVolumeAfter = new Int32Array(n);
    this.askVolumeAfter = new Int32Array(n);
    this.oursRejectsAfter = new Int32Array(n);
    this.peerFailuresAfter = new Int32Array(n);
  }

  get length(): number {
    return this.commands.length;
  }

  /** Record one command pair after the model has applied it. */
  add(label: string, cmd: Command, op: PeerOp, oursRejects: boolean, peerFails: boolean): void {
    const i = this.commands.length;
    this.commands.push(cmd);
    this.peer.push(op);
    if (oursRejects) this.oursRejects++;
    if (peerFails) this.peerFailures++;
    this.restingAfter[i] = this.book.restingCount;
    this.bidVolumeAfter[i] = this.book.bidVolume;
    this.askVolumeAfter[i] = this.book.askVolume;
    this.oursRejectsAfter[i] = this.oursRejects;
    this.peerFailuresAfter[i] = this.peerFailures;
    this.mix[label] = (this.mix[label] ?? 0) + 1;
  }

  expectation(seedResting: number): Expectation {
    const b = this.book;
    return {
      seedResting,
      restingAfter: this.restingAfter,
      bidVolumeAfter: this.bidVolumeAfter,
      askVolumeAfter: this.askVolumeAfter,
      oursRejectsAfter: this.oursRejectsAfter,
      peerFailuresAfter: this.peerFailuresAfter,
      final: {
        resting: b.restingCount,
        bidCount: b.bidCount,
        askCount: b.askCount,
        bidVolume: b.bidVolume,
        askVolume: b.askVolume,
        nextOrderId: b.nextOrderId,
        nextTradeId: b.nextTradeId,
        oursRejects: this.oursRejects,
        peerFailures: this.peerFailures,
      },
      mix: this.mix,
    };
  }
}

/** Shared taker logic: IOC / FOK limit or market by lots from a non-maker account. */
function takerCommand(
  rng: Rng,
  book: BookModel,
  ids: PeerIds,
  rec: Recorder,
  accountId: number,
  kind: 'ioc' | 'fok' | 'market',
  maxQty: number,
): boolean {
  const side = rng.next() < 0.5 ? Side.BUY : Side.SELL;
  const touch = side === Side.BUY ? book.bestAsk : book.bestBid;
  if (touch === 0) return false;
  let qty = rng.range(1, maxQty);
  if (kind === 'market') {
    // protection price as the engine computes it; the peer has no band, so only
    // send what fills inside it (then both books do exactly the same).
    const p =
      side === Side.BUY
        ? Math.min(MARKET.maxPriceTicks, Math.floor((touch * (10_000 + PRICE_BAND_BPS)) / 10_000))
        : Math.max(1, Math.ceil((touch * (10_000 - PRICE_BAND_BPS)) / 10_000));
    qty = Math.min(qty, book.available(side, p, qty));
    if (qty === 0) return false;
    book.takeOrderId(); // a market order gets an id too
    if (book.take(side, p, qty) !== qty) throw new Error('model: market order should fill');
    rec.add(
      'market',
      placeCmd(accountId, side, OrderType.MARKET, TimeInForce.UNSPECIFIED, 0, qty, false),
      peerMarket(ids, accountId, side, qty),
      false,
      false,
    );
    return true;
  }
  // -1: behind the touch (an IOC that misses), 0..2 ticks through it
  const through = rng.range(-1, 2);
  const limit = side === Side.BUY ? touch + through : touch - through;
  const tif = kind === 'ioc' ? TimeInForce.IOC : TimeInForce.FOK;
  const orderId = book.takeOrderId();
  let peerFails = false;
  if (kind === 'fok' && book.available(side, limit, qty) < qty) {
    peerFails = true; // ours: accepted then ORDER_EXPIRED(FOK_UNFILLABLE); peer: err
  } else {
    book.take(side, limit, qty);
  }
  rec.add(
    peerFails ? 'fokUnfillable' : kind,
    placeCmd(accountId, side, OrderType.LIMIT, tif, limit, qty, false),
    peerLimit(ids, orderId, accountId, side, tif, limit, qty, false),
    false,
    peerFails,
  );
  return true;
}

function lateCancel(
  book: BookModel,
  ids: PeerIds,
  rec: Recorder,
  accountOf: (orderId: number) => number,
): boolean {
  const filled = book.recentlyFilled;
  if (filled.length === 0) return false;
  const orderId = filled.pop()!;
  rec.add(
    'lateCancel',
    cancelCmd(accountOf(orderId), orderId),
    peerCancel(ids, orderId),
    true, // ORDER_UNKNOWN: it filled before the cancel arrived
    true, // the peer's cancel returns undefined
  );
  return true;
}

export interface RequoteOptions {
  /** Timed commands. */
  commands: number;
  seed?: number;
  /** Orders the market maker keeps resting (about). */
  makerOrders?: number;
  /** Default 'prefixed' (the peer measured ~10% faster with it on this stream). */
  peerIds?: PeerIdStyle;
}

/**
 * requote: one market maker (maker rebate) keeps ~1,000 post-only orders within
 * 50 ticks of a drifting fair price — placing, cancelling the stalest of two
 * random orders, amending (new price, or more size at the same price: both
 * re-queue, as the peer's modify() does) — while 20 other accounts send IOC,
 * FOK and market orders that trade against it. ~1% of commands are cancels of
 * orders that filled just before (rejected ORDER_UNKNOWN by us, "not found" by
 * the peer), as real requote traffic races fills.
 */
export function generateRequote(opts: RequoteOptions): Scenario {
  const rng = new Rng(opts.seed ?? 1);
  const target = opts.makerOrders ?? 1_000;
  const W = 50; // quoting window, ticks from fair
  const mm = 2;
  const takers: number[] = [];
  for (let i = 0; i < 20; i++) takers.push(10 + i);
  const accounts: AccountSpec[] = [
    { accountId: mm, makerFeeBps: -2, takerFeeBps: 4, baseAtoms: 1e12, quoteAtoms: 1e14 },
    ...takers.map((accountId, i) => ({
      accountId,
      makerFeeBps: i % 4 === 0 ? -1 : 2,
      takerFeeBps: 5 + (i % 3),
      baseAtoms: 1e12,
      quoteAtoms: 1e14,
    })),
  ];
  const book = new BookModel(MID_TICKS - 20_000, MID_TICKS + 20_000);
  const ids = new PeerIds(opts.peerIds ?? 'prefixed');
  let fair = MID_TICKS;

  const quotePrice = (side: Side): number => {
    const d = 1 + Math.floor(rng.next() ** 2 * W); // dense at the touch
    if (side === Side.BUY) {
      const p = fair - d;
      return book.bestAsk !== 0 && p >= book.bestAsk ? book.bestAsk - 1 - rng.int(3) : p;
    }
    const p = fair + d;
    return p <= book.bestBid ? book.bestBid + 1 + rng.int(3) : p;
  };

  const placeMaker = (r: Recorder, label: string): void => {
    const side = rng.next() < 0.5 ? Side.BUY : Side.SELL;
    const price = quotePrice(side);
    const qty = rng.range(1, 20);
    const o = new ModelOrder(book.takeOrderId(), mm, side, price, qty);
    book.rest(o);
    r.add(
      label,
      placeCmd(mm, side, OrderType.LIMIT, TimeInForce.GTC, price, qty, true),
      peerLimit(ids, o.orderId, mm, side, TimeInForce.GTC, price, qty, true),
      false,
      false,
    );
  };

  // seed: the maker's initial quotes
  const seedRec = new Recorder(target, book);
  for (let i = 0; i < target; i++) placeMaker(seedRec, 'place');
  const seedResting = book.restingCount;

  const rec = new Recorder(opts.commands, book);
  while (rec.length < opts.commands) {
    if (rng.next() < 0.02) {
      fair += rng.next() < 0.5 + (MID_TICKS - fair) / 4_000 ? 1 : -1;
    }
    const r = rng.next();
    if (r < 0.05) {
      if (takerCommand(rng, book, ids, rec, takers[rng.int(takers.length)]!, 'ioc', 30)) continue;
    } else if (r < 0.07) {
      if (takerCommand(rng, book, ids, rec, takers[rng.int(takers.length)]!, 'market', 30))
        continue;
    } else if (r < 0.075) {
      if (takerCommand(rng, book, ids, rec, takers[rng.int(takers.length)]!, 'fok', 60)) continue;
    } else if (r < 0.085) {
      if (lateCancel(book, ids, rec, () => mm)) continue;
    }
    // the market maker
    const live = book.live;
    const pPlace = Math.min(0.9, Math.max(0.1, 0.4 + (target - live.length) / 100));
    const m = rng.next();
    if (live.length === 0 || m < pPlace) {
      placeMaker(rec, 'place');
    } else if (m < pPlace + (1 - pPlace) * 0.55) {
      // cancel the staler of two random quotes
      const a = live[rng.int(live.length)]!;
      const b = live[rng.int(live.length)]!;
      const o = Math.abs(a.priceTicks - fair) >= Math.abs(b.priceTicks - fair) ? a : b;
      book.unrest(o);
      rec.add('cancel', cancelCmd(mm, o.orderId), peerCancel(ids, o.orderId), false, false);
    } else {
      const o = live[rng.int(live.length)]!;
      let price = o.priceTicks;
      let qty = o.qtyLots;
      let cmd: AmendOrder;
      if (rng.next() < 0.15) {
        // more size at the same price (re-queues)
        qty = o.qtyLots + rng.range(1, 10);
        cmd = amendCmd(mm, o.orderId, 0, qty);
      } else {
        price = quotePrice(o.side);
        if (price === o.priceTicks) price += o.side === Side.BUY ? -1 : 1;
        if (rng.next() < 0.5) {
          cmd = amendCmd(mm, o.orderId, price, 0); // keep quantity
        } else {
          qty = o.filledLots + rng.range(1, 20);
          cmd = amendCmd(mm, o.orderId, price, qty);
        }
      }
      book.unrest(o);
      const n = new ModelOrder(o.orderId, mm, o.side, price, qty);
      n.filledLots = o.filledLots;
      n.remainingLots = qty - o.filledLots;
      book.rest(n);
      rec.add('amend', cmd, peerModify(ids, o.orderId, price, n.remainingLots), false, false);
    }
  }

  return {
    name: 'requote',
    feeAccountId: FEE_ACCOUNT_ID,
    marketId: MARKET_ID,
    peerIdStyle: ids.style,
    setup: setupCommands(accounts),
    seed: seedRec.commands,
    seedPeer: seedRec.peer,
    commands: rec.commands,
    peer: rec.peer,
    expect: rec.expectation(seedResting),
  };
}

export interface DeepQueueOptions {
  /** Timed commands. */
  commands: number;
  seed?: number;
  /** Resting orders kept in the book (about). */
  restingOrders?: number;
  /** Default 'numeric' (the peer measured ~2x faster with it on this stream). */
  peerIds?: PeerIdStyle;
}

/**
 * deep queue: ~100k resting orders from 1,000 accounts (every 10th with a
 * maker rebate) on 4 price levels (2 bid, 2 ask: ~25k orders per queue).
 * Steady state: cancel a uniformly random resting order / place a replacement
 * at the back of a random level, with ~1% small IOC orders from 10 other
 * accounts taking from the front of the best level.
 */
export function generateDeepQueue(opts: DeepQueueOptions): Scenario {
  const rng = new Rng(opts.seed ?? 2);
  const target = opts.restingOrders ?? 100_000;
  const makers: number[] = [];
  for (let i = 0; i < 1_000; i++) makers.push(100 + i);
  const takers: number[] = [];
  for (let i = 0; i < 10; i++) takers.push(2_000 + i);
  const accounts: AccountSpec[] = [
    ...makers.map((accountId, i) => ({
      accountId,
      makerFeeBps: i % 10 === 0 ? -1 : 1,
      takerFeeBps: 5,
      baseAtoms: 1e11,
      quoteAtoms: 2e12,
    })),
    ...takers.map((accountId) => ({
      accountId,
      makerFeeBps: 1,
      takerFeeBps: 5,
      baseAtoms: 1e11,
      quoteAtoms: 2e12,
    })),
  ];
  const prices = [MID_TICKS - 2, MID_TICKS - 1, MID_TICKS + 1, MID_TICKS + 2];
  const book = new BookModel(MID_TICKS - 100, MID_TICKS + 100);
  const ids = new PeerIds(opts.peerIds ?? 'numeric');

  const place = (r: Recorder): void => {
    const accountId = makers[rng.int(makers.length)]!;
    const k = rng.int(prices.length);
    const price = prices[k]!;
    const side = k < 2 ? Side.BUY : Side.SELL;
    const qty = rng.range(1, 10);
    const o = new ModelOrder(book.takeOrderId(), accountId, side, price, qty);
    book.rest(o);
    r.add(
      'place',
      placeCmd(accountId, side, OrderType.LIMIT, TimeInForce.GTC, price, qty, false),
      peerLimit(ids, o.orderId, accountId, side, TimeInForce.GTC, price, qty, false),
      false,
      false,
    );
  };

  const seedRec = new Recorder(target, book);
  for (let i = 0; i < target; i++) place(seedRec);
  const seedResting = book.restingCount;

  const rec = new Recorder(opts.commands, book);
  while (rec.length < opts.commands) {
    const r = rng.next();
    if (r < 0.01) {
      const accountId = takers[rng.int(takers.length)]!;
      if (takerCommand(rng, book, ids, rec, accountId, 'ioc', 5)) continue;
    }
    const live = book.live;
    const pPlace = Math.min(0.9, Math.max(0.1, 0.5 + (target - live.length) / 2_000));
    if (live.length === 0 || rng.next() < pPlace) {
      place(rec);
    } else {
      const o = live[rng.int(live.length)]!;
      book.unrest(o);
      rec.add(
        'cancel',
        cancelCmd(o.accountId, o.orderId),
        peerCancel(ids, o.orderId),
        false,
        false,
      );
    }
  }

  return {
    name: 'deepQueue',
    feeAccountId: FEE_ACCOUNT_ID,
    marketId: MARKET_ID,
    peerIdStyle: ids.style,
    setup: setupCommands(accounts),
    seed: seedRec.commands,
    seedPeer: seedRec.peer,
    commands: rec.commands,
    peer: rec.peer,
    expect: rec.expectation(seedResting),
  };
}

export interface RestingStream {
  setup: Command[];
  /** GTC limit orders that never cross: every one rests. */
  orders: Command[];
  peerOrders: PeerOp[];
  accounts: number;
  /** Distinct price levels per side. */
  levelsPerSide: number;
}

/**
 * resting size: `orders` non-crossing GTC limit orders spread evenly over
 * `accounts` accounts (half bids, half asks) on 2 x 5,000 price levels.
 */
export function generateResting(opts: {
  orders: number;
  accounts?: number;
  seed?: number;
  withPeer?: boolean;
}): RestingStream {
  const rng = new Rng(opts.seed ?? 3);
  const nAccounts = opts.accounts ?? 10_000;
  const levels = 5_000;
  const accounts: AccountSpec[] = [];
  for (let i = 0; i < nAccounts; i++) {
    accounts.push({
      accountId: 2 + i,
      makerFeeBps: i % 10 === 0 ? -1 : 2,
      takerFeeBps: 5,
      // per account at most half of (orders / accounts) bids of <= 100 lots near MID_TICKS
      baseAtoms: Math.ceil(opts.orders / nAccounts / 2 + 1) * 100 * BASE_ATOMS_PER_LOT,
      quoteAtoms:
        Math.ceil(opts.orders / nAccounts / 2 + 1) * 100 * MID_TICKS * QUOTE_ATOMS_PER_TICK_LOT,
    });
  }
  const ids = new PeerIds('numeric');
  const orders: Command[] = new Array(opts.orders);
  const peerOrders: PeerOp[] = opts.withPeer ? new Array(opts.orders) : [];
  for (let i = 0; i < opts.orders; i++) {
    const accountId = 2 + (i % nAccounts);
    const side = Math.floor(i / nAccounts) & 1 ? Side.SELL : Side.BUY; // each account: half bids, half asks
    const off = 1 + rng.int(levels);
    const price = side === Side.BUY ? MID_TICKS - off : MID_TICKS + off;
    const qty = rng.range(1, 100);
    orders[i] = placeCmd(accountId, side, OrderType.LIMIT, TimeInForce.GTC, price, qty, false);
    if (opts.withPeer) {
      peerOrders[i] = peerLimit(ids, i + 1, accountId, side, TimeInForce.GTC, price, qty, false);
    }
  }
  return {
    setup: setupCommands(accounts),
    orders,
    peerOrders,
    accounts: nAccounts,
    levelsPerSide: levels,
  };
}
