// Seeded, deterministic generator of realistic (and sometimes malformed)
// engine command streams for the differential test. It knows nothing of
// either engine's internals: it learns which orders are live, what balances
// are and which withdrawals are pending only from the events it is shown
// (observe()), normally the reference model's.
import {
  MAX_ACCOUNTS,
  MAX_ASSETS,
  MAX_BATCH_ITEMS,
  MAX_MAKER_FEE_BPS,
  MAX_MARKETS,
  MAX_PRICE_BAND_BPS,
  MAX_SAFE,
  MAX_TAKER_FEE_BPS,
  MIN_MAKER_FEE_BPS,
} from '../constants';
import { type Event, EventKind, type PlainEvent } from '../event';
import type { MatchingEngine } from '../matching-engine';
import {
  type CancelOrder,
  CancelReason,
  type Command,
  CommandKind,
  DEAD_MAN_MAX_TIMEOUT_MS,
  DEAD_MAN_MIN_TIMEOUT_MS,
  type EngineCommand,
  type MarketConfig,
  MarketStatus,
  OrderType,
  type PlaceOrder,
  Side,
  StpMode,
  TimeInForce,
} from '../types';

// ---------------------------------------------------------------- PRNG

/** mulberry32: a small, fast, deterministic 32-bit PRNG (no Math.random anywhere). */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = (seed ^ 0x9e3779b9) >>> 0;
    for (let i = 0; i < 4; i++) this.u32();
  }
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** [0, 1) */
  float(): number {
    return this.u32() / 4294967296;
  }
  /** Integer in [lo, hi] (inclusive); exact for spans up to 2^53. */
  int(lo: number, hi: number): number {
    if (hi <= lo) return lo;
    const span = hi - lo + 1;
    if (span <= 4294967296) return lo + Math.floor(this.float() * span);
    const r = this.u32() * 2097152 + (this.u32() >>> 11); // 53 random bits
    return lo + (r % span);
  }
  chance(p: number): boolean {
    return this.float() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }
  /** Index chosen with the given weights. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i]!;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
}

// ---------------------------------------------------------------- model of the world

/** Values that do not belong in a numeric (or any) field. */
const GARBAGE: readonly unknown[] = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -1,
  0,
  -0,
  1.5,
  -0.5,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  MAX_SAFE,
  1e300,
  '1',
  '',
  'abc',
  null,
  undefined,
  true,
  false,
  {},
  [],
  [1],
];

interface LiveOrder {
  orderId: number;
  accountId: number;
  marketId: number;
  side: Side;
  priceTicks: number;
  qtyLots: number;
  remainingLots: number;
  clientOrderId: string;
  postOnly: boolean;
}

interface GenMarket {
  config: MarketConfig;
  /** Drifting mid price in ticks, around which orders cluster. */
  mid: number;
  /** Typical tick distance of order prices from mid. */
  spread: number;
  /** Typical largest order, in lots. */
  qtyHi: number;
  status: MarketStatus;
  /** Restore ACTIVE after this command number (when not ACTIVE). */
  restoreAt: number;
  lastAccount: number;
}

export interface GeneratorOptions {
  /** The engine's fee account id (the generator funds it, and tries to trade with it). */
  feeAccountId: number;
  /** Share of commands that are garbage (default 0.03). */
  garbageRate?: number;
  /** Also produce non-object commands and batch items (null, numbers). Default false. */
  nonObjects?: boolean;
  /** Live orders the stream aims to keep on the books (default 60): more cancels above it. */
  bookTarget?: number;
}

/** The fee account id a seed's stream uses (the harness builds both engines with it). */
export function feeAccountIdForSeed(seed: number): number {
  return [1, 7, 999, 100_000][new Rng(seed ^ 0x5eed).int(0, 3)]!;
}

export class CommandGenerator {
  readonly rng: Rng;
  readonly feeAccountId: number;
  private readonly garbageRate: number;
  private readonly nonObjects: boolean;
  private readonly bookTarget: number;
  private readonly setup: Command[] = [];
  private produced = 0;
  /** The time of the command next() last produced (monotonic, with jumps so switches fire). */
  private clockUs = 1_000_000;
  private lastTimeUs: number = 1_000_000;

  private readonly assetIds: number[] = [];
  private readonly traders: number[] = [];
  private vaultAccount = 0;
  private vaultAsset = 0;
  private readonly markets: GenMarket[] = [];
  private readonly assetScale = new Map<number, number>();

  /** Live orders, in a swap-remove array for uniform picks, plus an index. */
  private readonly live: LiveOrder[] = [];
  private readonly liveIndex = new Map<number, number>();
  private readonly deadOrderIds: number[] = [];
  private maxOrderId = 0;
  private readonly balances = new Map<string, { available: number; locked: number }>();
  private readonly pendingWithdrawals: number[] = [];
  private readonly usedWithdrawalRefs: number[] = [];
  private nextDepositRef = 1;
  private nextWithdrawalRef = 1;
  private readonly clientPrefix: string;

  constructor(seed: number, options: GeneratorOptions) {
    this.rng = new Rng(seed);
    this.feeAccountId = options.feeAccountId;
    this.garbageRate = options.garbageRate ?? 0.03;
    this.nonObjects = options.nonObjects ?? false;
    this.bookTarget = options.bookTarget ?? 60;
    this.clientPrefix = this.rng.pick(['c', 'cl-', 'ORD_', 'x']);
    this.planSetup();
  }

  /**
   * The time (microseconds) to submit the command next() last produced with:
   * non-decreasing, mostly a few ms apart with occasional jumps of seconds to
   * minutes so dead-man's switches fire; in nonObjects mode now and then a
   * garbage time (NaN, negative, fractional), which the engines read as 0.
   */
  get timeUs(): number {
    return this.lastTimeUs;
  }

  /** How many commands next() has produced. */
  get count(): number {
    return this.produced;
  }

  // ------------------------------------------------------------ observing events

  observe(ev: Event | PlainEvent): void {
    const e = ev as unknown as Record<string, number & string>;
    switch (ev.kind) {
      case EventKind.ORDER_ACCEPTED: {
        this.maxOrderId = Math.max(this.maxOrderId, e.orderId);
        if (e.orderType === OrderType.LIMIT && e.timeInForce === TimeInForce.GTC) {
          this.addLive({
            orderId: e.orderId,
            accountId: e.accountId,
            marketId: e.marketId,
            side: e.side as Side,
            priceTicks: e.priceTicks,
            qtyLots: e.qtyLots,
            remainingLots: e.qtyLots,
            clientOrderId: e.clientOrderId,
            postOnly: (e.flags & 1) !== 0,
          });
        } else {
          this.noteDead(e.orderId);
        }
        break;
      }
      case EventKind.TRADE: {
        const maker = this.getLive(e.makerOrderId);
        if (maker) {
          maker.remainingLots = e.makerRemainingLots;
          if (maker.remainingLots === 0) this.removeLive(maker.orderId);
        }
        const taker = this.getLive(e.orderId);
        if (taker) {
          taker.remainingLots = e.remainingLots;
          if (taker.remainingLots === 0) this.removeLive(taker.orderId);
        }
        break;
      }
      case EventKind.SELF_TRADE_PREVENTED:
        if (e.stpMode === StpMode.DECREMENT) {
          for (const id of [e.makerOrderId, e.orderId]) {
            const o = this.getLive(id);
            if (o) {
              o.qtyLots -= e.qtyLots;
              o.remainingLots -= e.qtyLots;
            }
          }
        }
        break;
      case EventKind.ORDER_CANCELED:
      case EventKind.ORDER_EXPIRED:
        this.removeLive(e.orderId);
        break;
      case EventKind.ORDER_AMENDED: {
        const o = this.getLive(e.orderId);
        if (o) {
          o.priceTicks = e.priceTicks;
          o.qtyLots = e.qtyLots;
          o.remainingLots = e.remainingLots;
        }
        break;
      }
      case EventKind.BALANCE:
        this.balances.set(`${e.accountId}:${e.assetId}`, {
          available: e.availableAtoms,
          locked: e.lockedAtoms,
        });
        break;
      case EventKind.WITHDRAWAL_LOCKED:
        this.pendingWithdrawals.push(e.refId);
        this.usedWithdrawalRefs.push(e.refId);
        break;
      case EventKind.WITHDRAWAL_FINALIZED:
      case EventKind.WITHDRAWAL_RELEASED: {
        const i = this.pendingWithdrawals.indexOf(e.refId);
        if (i >= 0) this.pendingWithdrawals.splice(i, 1);
        break;
      }
      case EventKind.MARKET_STATUS_SET: {
        const m = this.markets.find((x) => x.config.marketId === e.marketId);
        if (m) m.status = e.status as MarketStatus;
        break;
      }
      default:
        break;
    }
  }

  private addLive(o: LiveOrder): void {
    this.liveIndex.set(o.orderId, this.live.length);
    this.live.push(o);
  }

  private getLive(orderId: number): LiveOrder | undefined {
    const i = this.liveIndex.get(orderId);
    return i === undefined ? undefined : this.live[i];
  }

  private removeLive(orderId: number): void {
    const i = this.liveIndex.get(orderId);
    if (i === undefined) return;
    const last = this.live.pop()!;
    if (last.orderId !== orderId) {
      this.live[i] = last;
      this.liveIndex.set(last.orderId, i);
    }
    this.liveIndex.delete(orderId);
    this.noteDead(orderId);
  }

  private noteDead(orderId: number): void {
    this.deadOrderIds.push(orderId);
    if (this.deadOrderIds.length > 64) this.deadOrderIds.shift();
  }

  private available(accountId: number, assetId: number): number {
    return this.balances.get(`${accountId}:${assetId}`)?.available ?? 0;
  }

  // ------------------------------------------------------------ setup

  private planSetup(): void {
    const r = this.rng;
    const S = this.setup;
    // Assets: a few distinct ids, some sparse.
    const nAssets = r.int(3, 6);
    while (this.assetIds.length < nAssets) {
      const id = r.chance(0.7) ? r.int(1, 8) : r.int(9, MAX_ASSETS - 1);
      if (!this.assetIds.includes(id)) this.assetIds.push(id);
    }
    for (const id of this.assetIds) S.push({ kind: CommandKind.ADD_ASSET, assetId: id });
    // An asset only the vault holds, so its supply can be driven to exactly 2^53-1.
    do this.vaultAsset = r.int(1, MAX_ASSETS - 1);
    while (this.assetIds.includes(this.vaultAsset));
    S.push({ kind: CommandKind.ADD_ASSET, assetId: this.vaultAsset });
    S.push({ kind: CommandKind.ADD_ASSET, assetId: this.assetIds[0]! }); // ASSET_EXISTS
    S.push({ kind: CommandKind.ADD_ASSET, assetId: r.pick([0, MAX_ASSETS, -1, 1.5]) });

    // Accounts: traders with varied fees (one with a rebate), and a vault.
    const nTraders = r.int(3, 8);
    const used = new Set<number>([this.feeAccountId]);
    const freshAccountId = () => {
      for (;;) {
        const id = r.chance(0.8) ? r.int(1, 40) : r.int(41, MAX_ACCOUNTS - 1);
        if (!used.has(id)) {
          used.add(id);
          return id;
        }
      }
    };
    for (let i = 0; i < nTraders; i++) {
      const id = freshAccountId();
      this.traders.push(id);
      let maker: number;
      let taker: number;
      if (i === 0) {
        maker = r.int(MIN_MAKER_FEE_BPS, -1); // the rebate account
        taker = r.int(0, 50);
      } else {
        [maker, taker] = r.pick([
          [0, 0],
          [10, 20],
          [2, 7],
          [r.int(-20, 30), r.int(0, 60)],
          [MAX_MAKER_FEE_BPS, MAX_TAKER_FEE_BPS],
          [1, 1],
          [-1, 3],
        ]);
      }
      S.push({
        kind: CommandKind.ADD_ACCOUNT,
        accountId: id,
        makerFeeBps: maker,
        takerFeeBps: taker,
      });
    }
    this.vaultAccount = freshAccountId();
    S.push({
      kind: CommandKind.ADD_ACCOUNT,
      accountId: this.vaultAccount,
      makerFeeBps: 0,
      takerFeeBps: 0,
    });
    S.push({
      kind: CommandKind.ADD_ACCOUNT,
      accountId: this.feeAccountId,
      makerFeeBps: 0,
      takerFeeBps: 0,
    });
    S.push({
      kind: CommandKind.ADD_ACCOUNT,
      accountId: this.traders[0]!,
      makerFeeBps: 0,
      takerFeeBps: 0,
    });
    S.push({
      kind: CommandKind.ADD_ACCOUNT,
      accountId: freshAccountId(),
      makerFeeBps: -101,
      takerFeeBps: 0,
    });
    S.push({
      kind: CommandKind.ADD_ACCOUNT,
      accountId: freshAccountId(),
      makerFeeBps: 0,
      takerFeeBps: 1001,
    });
    S.push({
      kind: CommandKind.ADD_ACCOUNT,
      accountId: r.pick([0, MAX_ACCOUNTS, -3]),
      makerFeeBps: 0,
      takerFeeBps: 0,
    });

    // Markets.
    const nMarkets = r.int(2, 5);
    const marketIds: number[] = [];
    while (marketIds.length < nMarkets) {
      const id = r.chance(0.8) ? r.int(1, 10) : r.int(11, MAX_MARKETS - 1);
      if (!marketIds.includes(id)) marketIds.push(id);
    }
    for (let i = 0; i < nMarkets; i++) {
      const gm = this.makeMarket(marketIds[i]!, i);
      this.markets.push(gm);
      S.push({ kind: CommandKind.ADD_MARKET, ...gm.config, status: MarketStatus.ACTIVE });
    }
    // Invalid market configurations and a duplicate.
    const m0 = this.markets[0]!.config;
    S.push({ kind: CommandKind.ADD_MARKET, ...m0, status: MarketStatus.ACTIVE });
    const badId = r.int(11, MAX_MARKETS - 1);
    const bads: Partial<MarketConfig & { status: number }>[] = [
      { quoteAssetId: m0.baseAssetId },
      { baseAssetId: 1000 },
      { minQtyLots: 10, maxQtyLots: 9 },
      { maxPriceTicks: 2 ** 40, maxQtyLots: 2 ** 10, quoteAtomsPerTickLot: 2 ** 4 },
      { maxQtyLots: 2 ** 30, baseAtomsPerLot: 2 ** 24 },
      { maxPriceTicks: Math.floor(MAX_SAFE / 20000) + 1, maxQtyLots: 1, quoteAtomsPerTickLot: 1 },
      { priceBandBps: MAX_PRICE_BAND_BPS + 1 },
      { baseAtomsPerLot: 0 },
      { minNotionalAtoms: -1 },
      { status: 4 },
      { status: 0 },
    ];
    for (const b of r.chance(0.5) ? bads : bads.slice(0, 4)) {
      S.push({ kind: CommandKind.ADD_MARKET, ...m0, marketId: badId, ...b } as Command);
    }
    S.push({ kind: CommandKind.ADD_MARKET, ...m0, marketId: r.pick([0, MAX_MARKETS]), status: 1 });
    // A market added CANCEL_ONLY then activated.
    if (r.chance(0.5)) {
      const gm = this.markets[nMarkets - 1]!;
      const cmd = S.find(
        (c) => c.kind === CommandKind.ADD_MARKET && c.marketId === gm.config.marketId,
      ) as { status: MarketStatus };
      cmd.status = MarketStatus.CANCEL_ONLY;
      gm.status = MarketStatus.CANCEL_ONLY;
      gm.restoreAt = r.int(30, 300);
    }

    // Asset scales: atoms of a typical order, for sizing deposits.
    for (const gm of this.markets) {
      const c = gm.config;
      const q = Math.max(1, Math.floor(gm.qtyHi / 2));
      const base = q * c.baseAtomsPerLot;
      const quote = gm.mid * q * c.quoteAtomsPerTickLot;
      this.assetScale.set(c.baseAssetId, Math.max(this.assetScale.get(c.baseAssetId) ?? 0, base));
      this.assetScale.set(
        c.quoteAssetId,
        Math.max(this.assetScale.get(c.quoteAssetId) ?? 0, quote),
      );
    }
    for (const a of this.assetIds) if (!this.assetScale.has(a)) this.assetScale.set(a, 1000);

    // Deposits: traders in everything (some poor), the fee account sometimes.
    for (const acc of this.traders) {
      for (const asset of this.assetIds) {
        if (r.chance(0.1)) continue;
        const mult = r.chance(0.15) ? r.int(1, 3) : r.int(20, 200);
        S.push(this.depositCmd(acc, asset, this.scale(asset) * mult));
      }
    }
    for (const asset of this.assetIds) {
      if (r.chance(0.5))
        S.push(this.depositCmd(this.feeAccountId, asset, r.int(1, this.scale(asset))));
    }
    // The vault: its asset's total supply at exactly 2^53-1, then one atom more
    // overflows (BALANCE_OVERFLOW), as does any later deposit of it elsewhere.
    S.push(this.depositCmd(this.vaultAccount, this.vaultAsset, MAX_SAFE - 5));
    S.push(this.depositCmd(this.vaultAccount, this.vaultAsset, 5));
    S.push(this.depositCmd(this.vaultAccount, this.vaultAsset, 1));
  }

  private scale(asset: number): number {
    return Math.max(1, this.assetScale.get(asset) ?? 1000);
  }

  private depositCmd(accountId: number, assetId: number, amount: number): Command {
    return {
      kind: CommandKind.DEPOSIT,
      accountId,
      assetId,
      amountAtoms: Math.max(1, Math.min(MAX_SAFE, Math.floor(amount))),
      refId: this.nextDepositRef++,
    };
  }

  private makeMarket(marketId: number, index: number): GenMarket {
    const r = this.rng;
    let base = r.pick(this.assetIds);
    let quote = r.pick(this.assetIds);
    while (quote === base) quote = r.pick(this.assetIds);
    if (index === 0) {
      base = this.assetIds[0]!;
      quote = this.assetIds[1]!;
    }
    const template = index === 0 ? 0 : r.int(0, 4);
    let cfg: Omit<MarketConfig, 'marketId' | 'baseAssetId' | 'quoteAssetId'>;
    let mid: number;
    let qtyHi: number;
    switch (template) {
      case 0: // plain units
        cfg = {
          baseAtomsPerLot: 1,
          quoteAtomsPerTickLot: 1,
          minQtyLots: 1,
          maxQtyLots: 1_000_000,
          maxPriceTicks: 100_000,
          minNotionalAtoms: 0,
          priceBandBps: r.pick([0, 50, 500, 5000]),
          allowSelfTrade: r.chance(0.5),
        };
        mid = r.int(50, 3000);
        qtyHi = r.int(5, 40);
        break;
      case 1: // small bounds: hits maxQty and maxPrice often
        cfg = {
          baseAtomsPerLot: r.int(1, 1000),
          quoteAtomsPerTickLot: r.int(1, 100),
          minQtyLots: r.int(1, 3),
          maxQtyLots: r.int(15, 40),
          maxPriceTicks: r.int(20, 120),
          minNotionalAtoms: r.int(0, 200),
          priceBandBps: r.int(0, MAX_PRICE_BAND_BPS),
          allowSelfTrade: r.chance(0.5),
        };
        mid = Math.floor((cfg.maxPriceTicks * r.int(40, 90)) / 100);
        qtyHi = cfg.maxQtyLots;
        break;
      case 2: // big scale: notionals near 10^12..10^14
        cfg = {
          baseAtomsPerLot: r.pick([1_000_000, 100_000_000, 12_345_678]),
          quoteAtomsPerTickLot: r.pick([1000, 10_000, 3_333]),
          minQtyLots: 1,
          maxQtyLots: 100_000,
          maxPriceTicks: r.pick([100_000, 200_000]),
          minNotionalAtoms: r.pick([0, 1_000_000, 100_000_000]),
          priceBandBps: r.pick([100, 1000, 2500]),
          allowSelfTrade: r.chance(0.5),
        };
        mid = r.int(20_000, 80_000);
        qtyHi = r.int(3, 60);
        break;
      case 3: // odd units, no band, self trade allowed, meaningful min notional
        cfg = {
          baseAtomsPerLot: r.pick([7, 13, 10]),
          quoteAtomsPerTickLot: r.pick([3, 7, 11]),
          minQtyLots: r.int(1, 5),
          maxQtyLots: r.int(100, 500),
          maxPriceTicks: r.int(500, 5000),
          minNotionalAtoms: r.int(100, 3000),
          priceBandBps: 0,
          allowSelfTrade: true,
        };
        mid = r.int(100, cfg.maxPriceTicks - 100);
        qtyHi = r.int(10, 60);
        break;
      default: // wide band, prices near 1
        cfg = {
          baseAtomsPerLot: r.int(1, 50),
          quoteAtomsPerTickLot: r.int(1, 50),
          minQtyLots: 1,
          maxQtyLots: r.int(50, 10_000),
          maxPriceTicks: r.int(10, 40),
          minNotionalAtoms: 0,
          priceBandBps: MAX_PRICE_BAND_BPS,
          allowSelfTrade: r.chance(0.3),
        };
        mid = r.int(2, 6);
        qtyHi = r.int(5, 50);
        break;
    }
    const config: MarketConfig = { marketId, baseAssetId: base, quoteAssetId: quote, ...cfg };
    return {
      config,
      mid,
      spread: Math.max(1, Math.round(mid * r.pick([0.002, 0.005, 0.01, 0.03]))),
      qtyHi: Math.min(qtyHi, config.maxQtyLots),
      status: MarketStatus.ACTIVE,
      restoreAt: 0,
      lastAccount: 0,
    };
  }

  // ------------------------------------------------------------ the stream

  next(): EngineCommand {
    const n = this.produced++;
    if (n < this.setup.length) return this.setup[n]!;
    const r = this.rng;
    const jump = r.float();
    this.clockUs +=
      jump < 0.002
        ? r.int(100_000_000, 700_000_000)
        : jump < 0.03
          ? r.int(500_000, 8_000_000)
          : r.int(0, 3_000);
    this.lastTimeUs =
      this.nonObjects && r.chance(0.01)
        ? r.pick([Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY, 2 ** 60])
        : this.clockUs;
    // Restore markets whose pause is over.
    for (const gm of this.markets) {
      if (gm.status !== MarketStatus.ACTIVE && n >= gm.restoreAt && r.chance(0.5)) {
        return {
          kind: CommandKind.SET_MARKET_STATUS,
          marketId: gm.config.marketId,
          status: MarketStatus.ACTIVE,
        };
      }
    }
    if (r.chance(this.garbageRate)) return this.garbage();
    const crowded = this.live.length > this.bookTarget;
    const sparse = this.live.length < this.bookTarget / 2;
    const weights = [
      /* 0 limit */ crowded ? 30 : 45,
      /* 1 market */ 7,
      /* 2 cancel */ crowded ? 25 : sparse ? 5 : 11,
      /* 3 cancel all */ crowded ? 2 : sparse ? 0.2 : 1.2,
      /* 4 amend */ 10,
      /* 5 batch place */ 2.5,
      /* 6 batch cancel */ 1.5,
      /* 7 deposit */ 4,
      /* 8 withdrawals */ 3,
      /* 9 fees */ 0.7,
      /* 10 market status */ 0.4,
      /* 11 admin */ 0.3,
      /* 12 dead-man's switch */ 1.2,
      /* 13 timer */ 2,
    ];
    switch (r.weighted(weights)) {
      case 0:
        return this.place(false);
      case 1:
        return this.place(true);
      case 2:
        return this.cancel();
      case 3:
        return this.cancelAll();
      case 4:
        return this.amend();
      case 5:
        return this.batchPlace();
      case 6:
        return this.batchCancel();
      case 7:
        return this.deposit();
      case 8:
        return this.withdrawal();
      case 9:
        return this.setFees();
      case 10:
        return this.marketStatus();
      case 12:
        return this.deadMan();
      case 13:
        return { kind: CommandKind.TIMER };
      default:
        return this.admin();
    }
  }

  private deadMan(): EngineCommand {
    const r = this.rng;
    const x = r.float();
    const marketId =
      x < 0.35
        ? 0
        : x < 0.95
          ? this.pickMarket().config.marketId
          : r.pick<unknown>([4094, -1, Number.NaN, undefined, -0]);
    const t = r.float();
    const timeoutMs =
      t < 0.2
        ? 0
        : t < 0.75
          ? r.int(DEAD_MAN_MIN_TIMEOUT_MS, 6_000)
          : t < 0.95
            ? r.int(DEAD_MAN_MIN_TIMEOUT_MS, DEAD_MAN_MAX_TIMEOUT_MS)
            : r.pick<unknown>([999, 600_001, -0, 1500.5, Number.NaN, '2000', -1000]);
    return {
      kind: CommandKind.SET_DEAD_MAN_SWITCH,
      accountId: r.chance(0.04)
        ? r.pick([this.feeAccountId, 0, 999_999, Number.NaN])
        : this.pickTrader(),
      marketId: marketId as number,
      timeoutMs: timeoutMs as number,
    };
  }

  private pickMarket(): GenMarket {
    return this.rng.pick(this.markets);
  }

  private pickTrader(gm?: GenMarket): number {
    const r = this.rng;
    // Often the last account to trade here: self-trades are what STP is about.
    if (gm && gm.lastAccount !== 0 && r.chance(0.25)) return gm.lastAccount;
    // A skewed pick: the first traders are busier.
    const i = Math.min(this.traders.length - 1, Math.floor(this.traders.length * r.float() ** 1.6));
    return this.traders[i]!;
  }

  private drift(gm: GenMarket): void {
    const r = this.rng;
    const step = Math.max(1, Math.round(gm.spread / 3));
    gm.mid += r.int(-1, 1) * step;
    gm.mid = Math.max(1, Math.min(gm.config.maxPriceTicks, gm.mid));
  }

  private limitPrice(gm: GenMarket, side: Side): unknown {
    const r = this.rng;
    const c = gm.config;
    if (r.chance(0.03)) {
      return r.pick([0, -1, 1, c.maxPriceTicks, c.maxPriceTicks + 1, 1.5, Number.NaN, '10']);
    }
    // Buys mostly below mid, sells above, with a crossing tail.
    // When the books are thinner than the target, more orders rest further out.
    const depth = this.live.length < this.bookTarget / 2 && this.bookTarget > 60 ? 8 : 2.6;
    const away = Math.round(gm.spread * (r.float() * depth - 0.9));
    const p = side === Side.BUY ? gm.mid - away : gm.mid + away;
    return Math.max(1, Math.min(c.maxPriceTicks, p));
  }

  private qty(gm: GenMarket): unknown {
    const r = this.rng;
    const c = gm.config;
    if (r.chance(0.03)) {
      return r.pick([
        0,
        -1,
        c.minQtyLots - 1,
        c.maxQtyLots,
        c.maxQtyLots + 1,
        1.5,
        Number.NaN,
        2 ** 53,
        '3',
      ]);
    }
    const hi = Math.max(c.minQtyLots, Math.min(c.maxQtyLots, gm.qtyHi));
    return r.chance(0.6)
      ? r.int(c.minQtyLots, Math.max(c.minQtyLots, Math.ceil(hi / 3)))
      : r.int(c.minQtyLots, hi);
  }

  private clientOrderId(accountId: number): unknown {
    const r = this.rng;
    const x = r.float();
    if (x < 0.5) return '';
    if (x < 0.82) return `${this.clientPrefix}${r.int(0, 400)}`;
    if (x < 0.9) {
      // A client id of one of the account's live orders: duplicates.
      const mine = this.live.filter((o) => o.accountId === accountId && o.clientOrderId !== '');
      if (mine.length > 0) return r.pick(mine).clientOrderId;
      return `${this.clientPrefix}${r.int(0, 25)}`;
    }
    return r.pick<unknown>([
      'has space',
      'x'.repeat(36),
      'y'.repeat(37),
      'ünï',
      'a.b',
      'A-Z_09',
      42,
      undefined,
      null,
    ]);
  }

  private stpMode(): unknown {
    const r = this.rng;
    const i = r.weighted([28, 5, 15, 15, 10, 20, 1]);
    if (i < 6) return i;
    return r.pick([6, -1, 1.5, Number.NaN, '2']);
  }

  private placeCmd(market: boolean, gm: GenMarket = this.pickMarket()): PlaceOrder {
    const r = this.rng;
    const c = gm.config;
    this.drift(gm);
    const accountId = r.chance(0.01)
      ? r.pick([this.feeAccountId, 0, 123_456, Number.NaN])
      : this.pickTrader(gm);
    gm.lastAccount = accountId;
    const side: Side = r.chance(0.5) ? Side.BUY : Side.SELL;
    const cmd: PlaceOrder = {
      kind: CommandKind.PLACE_ORDER,
      accountId,
      marketId: r.chance(0.01) ? r.pick([0, 4095, 77]) : c.marketId,
      side: r.chance(0.005) ? (r.pick([0, 3]) as Side) : side,
      orderType: OrderType.LIMIT,
      timeInForce: TimeInForce.GTC,
      priceTicks: 0,
      qtyLots: 0,
      quoteBudgetAtoms: 0,
      postOnly: false,
      stpMode: this.stpMode() as StpMode,
      clientOrderId: this.clientOrderId(accountId) as string,
    };
    if (!market) {
      cmd.priceTicks = this.limitPrice(gm, side) as number;
      cmd.qtyLots = this.qty(gm) as number;
      const t = r.weighted([64, 15, 18, 3]);
      cmd.timeInForce =
        t < 3
          ? [TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK][t]!
          : (r.pick([0, 4]) as TimeInForce);
      if (r.chance(0.12)) {
        cmd.postOnly = true;
        if (r.chance(0.85)) cmd.timeInForce = TimeInForce.GTC;
        // Post-only orders near the touch, so some would take.
        cmd.priceTicks = this.limitPrice(gm, side === Side.BUY ? Side.SELL : Side.BUY) as number;
      }
      if (r.chance(0.01)) cmd.quoteBudgetAtoms = r.pick([1, 100]);
    } else {
      cmd.orderType = OrderType.MARKET;
      cmd.timeInForce = r.chance(0.04)
        ? (r.pick([TimeInForce.GTC, TimeInForce.FOK, 9]) as TimeInForce)
        : r.pick([TimeInForce.UNSPECIFIED, TimeInForce.IOC]);
      if (r.chance(0.02)) cmd.postOnly = true;
      if (r.chance(0.03)) cmd.priceTicks = r.pick([1, gm.mid, -1]);
      if (r.chance(0.55)) {
        cmd.qtyLots = this.qty(gm) as number;
      } else {
        const lots = r.int(1, Math.max(1, gm.qtyHi));
        const x = r.float();
        let budget: number;
        if (x < 0.1)
          budget = r.int(1, c.quoteAtomsPerTickLot * gm.mid); // under one lot
        else if (x < 0.15) budget = c.minNotionalAtoms > 0 ? c.minNotionalAtoms - 1 : 0;
        else if (x < 0.17) budget = r.pick([-5, 1.5, Number.NaN, 2 ** 53, MAX_SAFE]);
        else
          budget = Math.max(
            1,
            Math.floor(gm.mid * lots * c.quoteAtomsPerTickLot * (0.2 + r.float() * 1.8)),
          );
        cmd.quoteBudgetAtoms = budget;
        if (r.chance(0.03)) cmd.qtyLots = r.int(1, 3);
      }
    }
    return cmd;
  }

  private place(market: boolean): Command {
    return this.placeCmd(market);
  }

  private pickLive(): LiveOrder | undefined {
    if (this.live.length === 0) return undefined;
    return this.rng.pick(this.live);
  }

  private cancelCmd(): CancelOrder {
    const r = this.rng;
    const o = this.pickLive();
    const x = r.float();
    if (o && x < 0.6) {
      return {
        kind: CommandKind.CANCEL_ORDER,
        accountId: o.accountId,
        orderId: o.orderId,
        clientOrderId: r.chance(0.2) ? 'ignored' : '',
      };
    }
    if (o && o.clientOrderId !== '' && x < 0.78) {
      return {
        kind: CommandKind.CANCEL_ORDER,
        accountId: o.accountId,
        orderId: 0,
        clientOrderId: o.clientOrderId,
      };
    }
    if (o && x < 0.85) {
      // Not the account's order.
      const other = this.traders.find((t) => t !== o.accountId) ?? o.accountId + 1;
      return r.chance(0.5)
        ? {
            kind: CommandKind.CANCEL_ORDER,
            accountId: other,
            orderId: o.orderId,
            clientOrderId: '',
          }
        : {
            kind: CommandKind.CANCEL_ORDER,
            accountId: other,
            orderId: 0,
            clientOrderId: o.clientOrderId,
          };
    }
    if (x < 0.95) {
      // Gone or never existed.
      const id =
        this.deadOrderIds.length > 0 && r.chance(0.7)
          ? r.pick(this.deadOrderIds)
          : r.int(1, this.maxOrderId + 5);
      return {
        kind: CommandKind.CANCEL_ORDER,
        accountId: this.pickTrader(),
        orderId: id,
        clientOrderId: '',
      };
    }
    return {
      kind: CommandKind.CANCEL_ORDER,
      accountId: r.pick<unknown>([this.pickTrader(), Number.NaN, '3', undefined]) as number,
      orderId: r.pick<unknown>([0, -1, 1.5, Number.NaN, undefined, '1', 2 ** 53]) as number,
      clientOrderId: r.pick<unknown>([
        '',
        `${this.clientPrefix}${r.int(0, 25)}`,
        7,
        undefined,
        'bad id',
      ]) as string,
    };
  }

  private cancel(): Command {
    return this.cancelCmd();
  }

  private cancelAll(): Command {
    const r = this.rng;
    const x = r.float();
    const marketId =
      x < 0.4
        ? 0
        : x < 0.92
          ? this.pickMarket().config.marketId
          : r.pick<unknown>([4094, -1, Number.NaN, undefined]);
    const reason = r.weighted([80, 5, 6, 6, 3]);
    return {
      kind: CommandKind.CANCEL_ALL,
      accountId: r.chance(0.04)
        ? r.pick([this.feeAccountId, 0, 999_999, Number.NaN])
        : this.pickTrader(),
      marketId: marketId as number,
      reason: [
        CancelReason.USER,
        CancelReason.CANCEL_ALL,
        CancelReason.CANCEL_ON_DISCONNECT,
        CancelReason.DEAD_MAN_SWITCH,
        r.pick([CancelReason.NONE, CancelReason.SELF_TRADE]),
      ][reason]!,
    };
  }

  private amend(): Command {
    const r = this.rng;
    const o = this.pickLive();
    if (o === undefined || r.chance(0.05)) {
      return {
        kind: CommandKind.AMEND_ORDER,
        accountId: this.pickTrader(),
        orderId: this.deadOrderIds.length > 0 ? r.pick(this.deadOrderIds) : 1,
        clientOrderId: '',
        newPriceTicks: 0,
        newQtyLots: r.int(1, 5),
      };
    }
    const gm = this.markets.find((m) => m.config.marketId === o.marketId);
    if (gm === undefined) {
      // An order in a market some garbage ADD_MARKET created: no model of it here.
      return {
        kind: CommandKind.AMEND_ORDER,
        accountId: o.accountId,
        orderId: o.orderId,
        clientOrderId: '',
        newPriceTicks: 0,
        newQtyLots: o.qtyLots + 1,
      };
    }
    const c = gm.config;
    const filled = o.qtyLots - o.remainingLots;
    let newPrice: unknown = 0;
    let newQty: unknown = 0;
    switch (r.weighted([22, 14, 22, 10, 6, 8, 6, 4])) {
      case 0: // qty down, keeps priority
        newQty = o.qtyLots - 1 > filled ? r.int(filled + 1, o.qtyLots - 1) : o.qtyLots + 1;
        if (r.chance(0.3)) newPrice = o.priceTicks;
        break;
      case 1: // qty up
        newQty = Math.min(c.maxQtyLots, o.qtyLots + r.int(1, Math.max(1, gm.qtyHi)));
        break;
      case 2: // price change, maybe crossing
        this.drift(gm);
        newPrice = this.limitPrice(
          gm,
          r.chance(0.7) ? o.side : o.side === Side.BUY ? Side.SELL : Side.BUY,
        );
        break;
      case 3: // both
        newPrice = this.limitPrice(gm, o.side);
        newQty = r.int(
          Math.max(c.minQtyLots, filled + 1),
          Math.max(c.minQtyLots, filled + 1, gm.qtyHi),
        );
        break;
      case 4: // no change
        [newPrice, newQty] = r.pick([
          [0, 0],
          [o.priceTicks, 0],
          [0, o.qtyLots],
          [o.priceTicks, o.qtyLots],
        ]);
        break;
      case 5: // qty at or below what has filled, or out of bounds
        newQty = r.pick([filled, Math.max(0, filled - 1), c.minQtyLots - 1, c.maxQtyLots + 1, 1]);
        break;
      case 6: // bad price
        newPrice = r.pick<unknown>([-1, c.maxPriceTicks + 1, 1.5, Number.NaN, c.maxPriceTicks, 1]);
        break;
      default: // garbage
        newPrice = r.pick(GARBAGE);
        newQty = r.pick(GARBAGE);
        break;
    }
    const byClientId = o.clientOrderId !== '' && r.chance(0.25);
    return {
      kind: CommandKind.AMEND_ORDER,
      accountId: r.chance(0.03) ? this.pickTrader() : o.accountId,
      orderId: byClientId ? 0 : o.orderId,
      clientOrderId: byClientId ? o.clientOrderId : '',
      newPriceTicks: newPrice as number,
      newQtyLots: newQty as number,
    };
  }

  private batchSize(): number {
    const r = this.rng;
    const i = r.weighted([80, 4, 4, 2, 10]);
    return [r.int(1, 6), 0, MAX_BATCH_ITEMS + 1, MAX_BATCH_ITEMS, r.int(7, 20)][i]!;
  }

  private batchPlace(): Command {
    const r = this.rng;
    const n = this.batchSize();
    const gm = this.pickMarket();
    const orders: PlaceOrder[] = [];
    for (let i = 0; i < n; i++) {
      orders.push(this.placeCmd(r.chance(0.1), r.chance(0.8) ? gm : this.pickMarket()));
    }
    if (this.nonObjects && n > 0 && r.chance(0.05)) {
      (orders as unknown[])[r.int(0, n - 1)] = r.pick([null, 7, 'x']);
    }
    if (r.chance(0.02))
      return {
        kind: CommandKind.BATCH_PLACE,
        orders: r.pick<unknown>([undefined, null, {}, 'abc']) as PlaceOrder[],
      };
    return { kind: CommandKind.BATCH_PLACE, orders };
  }

  private batchCancel(): Command {
    const r = this.rng;
    const n = this.batchSize();
    const cancels: CancelOrder[] = [];
    for (let i = 0; i < n; i++) {
      // Repeat a target now and then: the second one is ORDER_UNKNOWN.
      if (i > 0 && r.chance(0.15)) cancels.push({ ...cancels[i - 1]! });
      else cancels.push(this.cancelCmd());
    }
    if (r.chance(0.02))
      return {
        kind: CommandKind.BATCH_CANCEL,
        cancels: r.pick<unknown>([undefined, null, 5]) as CancelOrder[],
      };
    return { kind: CommandKind.BATCH_CANCEL, cancels };
  }

  private deposit(): Command {
    const r = this.rng;
    const x = r.float();
    let accountId: number;
    let assetId: number;
    if (x < 0.45) {
      // Top up the poorest trader balance.
      let best: [number, number, number] | undefined;
      for (const acc of this.traders) {
        for (const asset of this.assetIds) {
          const rel = this.available(acc, asset) / this.scale(asset);
          if (best === undefined || rel < best[2]) best = [acc, asset, rel];
        }
      }
      [accountId, assetId] = [best![0], best![1]];
    } else if (x < 0.55) {
      accountId = this.feeAccountId;
      assetId = r.pick(this.assetIds);
    } else {
      accountId = this.pickTrader();
      assetId = r.pick(this.assetIds);
    }
    const cmd = this.depositCmd(accountId, assetId, this.scale(assetId) * r.int(5, 100)) as {
      accountId: unknown;
      assetId: unknown;
      amountAtoms: unknown;
      refId: unknown;
    };
    const y = r.float();
    if (y < 0.04)
      cmd.refId = r.int(1, this.nextDepositRef - 1); // duplicate
    else if (y < 0.06) cmd.refId = r.pick<unknown>([0, -1, 1.5, Number.NaN, 2 ** 53]);
    else if (y < 0.08) cmd.amountAtoms = r.pick<unknown>([0, -1, 1.5, Number.NaN, 2 ** 53, '5']);
    else if (y < 0.09) cmd.assetId = r.pick<unknown>([0, MAX_ASSETS - 1, Number.NaN]);
    else if (y < 0.1) cmd.accountId = r.pick<unknown>([0, MAX_ACCOUNTS - 1, Number.NaN]);
    else if (y < 0.11) {
      cmd.accountId = this.vaultAccount;
      cmd.assetId = this.vaultAsset;
    }
    return cmd as Command;
  }

  private withdrawal(): Command {
    const r = this.rng;
    const x = r.float();
    if (x < 0.45) {
      const accountId = r.chance(0.1)
        ? r.pick([this.feeAccountId, this.vaultAccount])
        : this.pickTrader();
      const assetId = r.pick(this.assetIds);
      const avail = this.available(accountId, assetId);
      const y = r.float();
      let amount: unknown = avail > 0 ? r.int(1, Math.max(1, Math.floor(avail / 4))) : 1;
      let refId: unknown = this.nextWithdrawalRef++;
      if (y < 0.1)
        amount = avail; // all of it
      else if (y < 0.2)
        amount = avail + 1; // too much
      else if (y < 0.25 && this.usedWithdrawalRefs.length > 0)
        refId = r.pick(this.usedWithdrawalRefs);
      else if (y < 0.28) amount = r.pick(GARBAGE);
      else if (y < 0.3) refId = r.pick(GARBAGE);
      return {
        kind: CommandKind.WITHDRAW_LOCK,
        accountId,
        assetId,
        amountAtoms: amount as number,
        refId: refId as number,
      };
    }
    const kind = r.chance(0.5) ? CommandKind.WITHDRAW_FINALIZE : CommandKind.WITHDRAW_RELEASE;
    let refId: unknown;
    if (this.pendingWithdrawals.length > 0 && r.chance(0.8))
      refId = r.pick(this.pendingWithdrawals);
    else if (this.usedWithdrawalRefs.length > 0 && r.chance(0.6))
      refId = r.pick(this.usedWithdrawalRefs);
    else refId = r.pick<unknown>([0, 999_999, Number.NaN, undefined, '1']);
    return { kind, refId: refId as number };
  }

  private setFees(): Command {
    const r = this.rng;
    const accountId = r.chance(0.05) ? r.pick([this.feeAccountId, 0, 888_888]) : this.pickTrader();
    let maker: unknown = r.int(MIN_MAKER_FEE_BPS, 60);
    let taker: unknown = r.int(0, 80);
    if (accountId === this.traders[0] && r.chance(0.7)) maker = r.int(MIN_MAKER_FEE_BPS, -1);
    const y = r.float();
    if (y < 0.05)
      maker = r.pick<unknown>([MIN_MAKER_FEE_BPS - 1, MAX_MAKER_FEE_BPS + 1, 1.5, Number.NaN, '5']);
    else if (y < 0.1)
      taker = r.pick<unknown>([-1, MAX_TAKER_FEE_BPS + 1, 0.5, Number.NaN, undefined]);
    else if (y < 0.15)
      [maker, taker] = r.pick([
        [MIN_MAKER_FEE_BPS, MAX_TAKER_FEE_BPS],
        [MAX_MAKER_FEE_BPS, 0],
      ]);
    return {
      kind: CommandKind.SET_FEES,
      accountId,
      makerFeeBps: maker as number,
      takerFeeBps: taker as number,
    };
  }

  private marketStatus(): Command {
    const r = this.rng;
    const gm = this.pickMarket();
    const x = r.float();
    if (x < 0.05)
      return { kind: CommandKind.SET_MARKET_STATUS, marketId: 4093, status: MarketStatus.ACTIVE };
    if (x < 0.1)
      return {
        kind: CommandKind.SET_MARKET_STATUS,
        marketId: gm.config.marketId,
        status: r.pick([0, 4, Number.NaN]) as MarketStatus,
      };
    const status = r.chance(0.5) ? MarketStatus.CANCEL_ONLY : MarketStatus.HALTED;
    gm.restoreAt = this.produced + r.int(3, 80);
    return { kind: CommandKind.SET_MARKET_STATUS, marketId: gm.config.marketId, status };
  }

  private admin(): Command {
    const r = this.rng;
    switch (r.int(0, 3)) {
      case 0:
        return {
          kind: CommandKind.ADD_ASSET,
          assetId: r.chance(0.5) ? r.pick(this.assetIds) : r.int(1, MAX_ASSETS + 2),
        };
      case 1:
        return {
          kind: CommandKind.ADD_ACCOUNT,
          accountId: r.chance(0.5) ? this.pickTrader() : r.int(1, 200),
          makerFeeBps: r.int(MIN_MAKER_FEE_BPS - 2, 50),
          takerFeeBps: r.int(0, 50),
        };
      case 2:
        return {
          kind: CommandKind.ADD_MARKET,
          ...this.pickMarket().config,
          status: MarketStatus.ACTIVE,
        };
      default:
        return {
          kind: CommandKind.ADD_MARKET,
          ...this.pickMarket().config,
          marketId: r.int(11, MAX_MARKETS - 1),
          status: r.int(1, 3) as MarketStatus,
        };
    }
  }

  /** A well-formed command of some kind with one field broken, or a command of no kind. */
  private garbage(): EngineCommand {
    const r = this.rng;
    if (this.nonObjects && r.chance(0.05))
      return r.pick<unknown>([null, undefined, 5, 'cmd']) as Command;
    if (r.chance(0.15)) {
      return {
        kind: r.pick<unknown>([0, 18, 99, -1, '1', Number.NaN, undefined, 1.5]),
      } as unknown as Command;
    }
    let base: EngineCommand;
    switch (r.int(0, 11)) {
      case 0:
      case 1:
      case 2:
        base = this.placeCmd(r.chance(0.3));
        break;
      case 3:
        base = this.cancelCmd();
        break;
      case 4:
        base = this.amend();
        break;
      case 5:
        base = this.cancelAll();
        break;
      case 6:
        base = this.deposit();
        break;
      case 7:
        base = this.withdrawal();
        break;
      case 8:
        base = this.setFees();
        break;
      case 9:
        // A market the generator will not trade in (it may well be accepted).
        base = {
          kind: CommandKind.ADD_MARKET,
          ...this.pickMarket().config,
          marketId: r.int(11, MAX_MARKETS - 1),
          status: MarketStatus.ACTIVE,
        };
        break;
      case 11:
        base = this.deadMan();
        break;
      default:
        base = r.chance(0.5) ? this.marketStatus() : this.admin();
        break;
    }
    const obj = base as unknown as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => k !== 'kind');
    if (keys.length === 0) return base;
    const k = r.pick(keys);
    if (r.chance(0.2)) delete obj[k];
    else obj[k] = r.pick(GARBAGE);
    // Huge garbage deposits may land on traders: the per-asset supply cap
    // (SEMANTICS, Units) keeps every later trade credit and rebate in range.
    return base;
  }
}

/**
 * A whole stream for `seed`: the generator observes `engine`'s events (the
 * reference model, normally) so that cancels and amends target live orders.
 */
export function generateStream(
  seed: number,
  length: number,
  makeEngine: (feeAccountId: number) => MatchingEngine,
): EngineCommand[] {
  const feeAccountId = feeAccountIdForSeed(seed);
  const gen = new CommandGenerator(seed, { feeAccountId });
  const engine = makeEngine(feeAccountId);
  const out: EngineCommand[] = [];
  for (let i = 0; i < length; i++) {
    const cmd = gen.next();
    out.push(cmd);
    engine.submit(cmd, gen.timeUs);
    for (let j = 0; j < engine.events.count; j++) gen.observe(engine.events.at(j));
    engine.events.clear();
  }
  return out;
}
