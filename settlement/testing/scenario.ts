// Seeded random command streams over a fixed, Postgres-compatible world
// (assets with precisions, markets whose tick and lot sizes are whole atoms,
// accounts with maker/taker fees including a rebate, the fee account funded
// to pay rebates). The generator watches the engine's events to aim cancels,
// amends and withdrawals at live things, reuses client order ids of closed
// orders, provokes self-trade prevention of every mode, and mixes in
// commands the engine rejects. Deposit and withdrawal references are recorded
// so the Postgres request rows can be seeded (as the gateway would create them).
import {
  CancelReason,
  CommandKind,
  EventKind,
  MarketStatus,
  OrderType,
  Side,
  StpMode,
  TimeInForce,
} from '../../engine/enums';
import type { Event } from '../../engine/event';
import { Rng } from '../../engine/testing/command-generator';
import type { Command, PlaceOrder } from '../../engine/types';

export interface AssetDef {
  engineId: number;
  symbol: string;
  precision: number;
}

export interface MarketDef {
  engineId: number;
  symbol: string;
  base: AssetDef;
  quote: AssetDef;
  tickSize: string;
  lotSize: string;
  baseAtomsPerLot: number;
  quoteAtomsPerTickLot: number;
  mid: number;
  spread: number;
  qtyHi: number;
  allowSelfTrade: boolean;
}

export interface AccountDef {
  engineId: number;
  makerBps: number;
  takerBps: number;
}

export interface RequestDef {
  refId: number;
  accountId: number;
  assetId: number;
  amountAtoms: number;
}

export const ASSETS: readonly AssetDef[] = [
  { engineId: 1, symbol: 'BTC', precision: 8 },
  { engineId: 2, symbol: 'ETH', precision: 8 },
  { engineId: 3, symbol: 'USDT', precision: 6 },
  { engineId: 4, symbol: 'EUR', precision: 2 },
];

const A = (s: string) => ASSETS.find((a) => a.symbol === s)!;

export const MARKETS: readonly MarketDef[] = [
  {
    engineId: 1,
    symbol: 'BTC-USDT',
    base: A('BTC'),
    quote: A('USDT'),
    tickSize: '0.01',
    lotSize: '0.0001',
    baseAtomsPerLot: 10_000,
    quoteAtomsPerTickLot: 1,
    mid: 5_000_000,
    spread: 400,
    qtyHi: 40,
    allowSelfTrade: false,
  },
  {
    engineId: 2,
    symbol: 'ETH-USDT',
    base: A('ETH'),
    quote: A('USDT'),
    tickSize: '0.01',
    lotSize: '0.001',
    baseAtomsPerLot: 100_000,
    quoteAtomsPerTickLot: 10,
    mid: 300_000,
    spread: 60,
    qtyHi: 30,
    allowSelfTrade: false,
  },
  {
    engineId: 3,
    symbol: 'ETH-BTC',
    base: A('ETH'),
    quote: A('BTC'),
    tickSize: '0.00001',
    lotSize: '0.001',
    baseAtomsPerLot: 100_000,
    quoteAtomsPerTickLot: 1,
    mid: 6_000,
    spread: 20,
    qtyHi: 30,
    allowSelfTrade: true,
  },
  {
    engineId: 4,
    symbol: 'BTC-EUR',
    base: A('BTC'),
    quote: A('EUR'),
    tickSize: '1',
    lotSize: '0.01',
    baseAtomsPerLot: 1_000_000,
    quoteAtomsPerTickLot: 1,
    mid: 45_000,
    spread: 15,
    qtyHi: 10,
    allowSelfTrade: false,
  },
];

/** Starting funds of every trader, in atoms. */
const FUNDING: Record<string, number> = {
  BTC: 2_000_000_000,
  ETH: 40_000_000_000,
  USDT: 5_000_000_000_000,
  EUR: 400_000_000,
};

interface Live {
  orderId: number;
  accountId: number;
  marketId: number;
  priceTicks: number;
  qtyLots: number;
  remainingLots: number;
  clientOrderId: string;
}

export interface ScenarioOptions {
  /** Traders (default 6: few, so self-trades happen). */
  traders?: number;
  feeAccountId?: number;
  /** Share of commands the engine should reject (bad refs, oversize orders). Default 0.03. */
  rejectRate?: number;
}

export class Scenario {
  readonly rng: Rng;
  readonly feeAccountId: number;
  readonly accounts: AccountDef[] = [];
  readonly deposits: RequestDef[] = [];
  readonly withdrawals: RequestDef[] = [];
  private readonly live: Live[] = [];
  private readonly liveIndex = new Map<number, number>();
  private readonly closedClientIds = new Map<number, string[]>();
  private readonly pendingWithdrawals: number[] = [];
  private readonly mids = new Map<number, number>();
  private nextRef = 1;
  private nextClient = 1;
  private readonly rejectRate: number;

  constructor(seed: number, options: ScenarioOptions = {}) {
    this.rng = new Rng(seed);
    this.feeAccountId = options.feeAccountId ?? 1;
    this.rejectRate = options.rejectRate ?? 0.03;
    const n = options.traders ?? 6;
    for (let i = 0; i < n; i++) {
      const [makerBps, takerBps] =
        i === 0
          ? [-2, 5]
          : this.rng.pick([
              [0, 0],
              [10, 20],
              [2, 7],
              [-1, 3],
              [5, 10],
            ] as const);
      this.accounts.push({ engineId: 101 + i, makerBps, takerBps });
    }
    for (const m of MARKETS) this.mids.set(m.engineId, m.mid);
  }

  /** Reference data and opening deposits (the fee account is funded to pay rebates). */
  setupCommands(): Command[] {
    const out: Command[] = [];
    for (const a of ASSETS) out.push({ kind: CommandKind.ADD_ASSET, assetId: a.engineId });
    for (const a of this.accounts) {
      out.push({
        kind: CommandKind.ADD_ACCOUNT,
        accountId: a.engineId,
        makerFeeBps: a.makerBps,
        takerFeeBps: a.takerBps,
      });
    }
    for (const m of MARKETS) {
      out.push({
        kind: CommandKind.ADD_MARKET,
        marketId: m.engineId,
        baseAssetId: m.base.engineId,
        quoteAssetId: m.quote.engineId,
        baseAtomsPerLot: m.baseAtomsPerLot,
        quoteAtomsPerTickLot: m.quoteAtomsPerTickLot,
        minQtyLots: 1,
        maxQtyLots: 1_000_000,
        maxPriceTicks: 100_000_000,
        minNotionalAtoms: 0,
        priceBandBps: 1_000,
        allowSelfTrade: m.allowSelfTrade,
        status: MarketStatus.ACTIVE,
      });
    }
    for (const a of this.accounts) {
      for (const asset of ASSETS)
        out.push(this.deposit(a.engineId, asset.engineId, FUNDING[asset.symbol]!));
    }
    for (const asset of ASSETS) {
      out.push(
        this.deposit(this.feeAccountId, asset.engineId, Math.floor(FUNDING[asset.symbol]! / 100)),
      );
    }
    return out;
  }

  private deposit(accountId: number, assetId: number, amountAtoms: number): Command {
    const refId = this.nextRef++;
    this.deposits.push({ refId, accountId, assetId, amountAtoms });
    return { kind: CommandKind.DEPOSIT, accountId, assetId, amountAtoms, refId };
  }

  observe(ev: Event): void {
    switch (ev.kind) {
      case EventKind.ORDER_ACCEPTED:
        if (ev.orderType === OrderType.LIMIT && ev.timeInForce === TimeInForce.GTC) {
          this.liveIndex.set(ev.orderId, this.live.length);
          this.live.push({
            orderId: ev.orderId,
            accountId: ev.accountId,
            marketId: ev.marketId,
            priceTicks: ev.priceTicks,
            qtyLots: ev.qtyLots,
            remainingLots: ev.qtyLots,
            clientOrderId: ev.clientOrderId,
          });
        }
        break;
      case EventKind.TRADE: {
        this.mids.set(ev.marketId, ev.priceTicks);
        const mk = this.getLive(ev.makerOrderId);
        if (mk !== undefined) {
          mk.remainingLots = ev.makerRemainingLots;
          if (mk.remainingLots === 0) this.removeLive(mk.orderId);
        }
        const tk = this.getLive(ev.orderId);
        if (tk !== undefined) {
          tk.remainingLots = ev.remainingLots;
          if (tk.remainingLots === 0) this.removeLive(tk.orderId);
        }
        break;
      }
      case EventKind.SELF_TRADE_PREVENTED:
        if (ev.stpMode === StpMode.DECREMENT) {
          for (const id of [ev.orderId, ev.makerOrderId]) {
            const o = this.getLive(id);
            if (o !== undefined) {
              o.qtyLots -= ev.qtyLots;
              o.remainingLots -= ev.qtyLots;
            }
          }
        }
        break;
      case EventKind.ORDER_CANCELED:
      case EventKind.ORDER_EXPIRED:
        this.removeLive(ev.orderId);
        break;
      case EventKind.ORDER_AMENDED: {
        const o = this.getLive(ev.orderId);
        if (o !== undefined) {
          o.priceTicks = ev.priceTicks;
          o.qtyLots = ev.qtyLots;
          o.remainingLots = ev.remainingLots;
        }
        break;
      }
      case EventKind.WITHDRAWAL_LOCKED:
        this.pendingWithdrawals.push(ev.refId);
        break;
      case EventKind.WITHDRAWAL_FINALIZED:
      case EventKind.WITHDRAWAL_RELEASED: {
        const i = this.pendingWithdrawals.indexOf(ev.refId);
        if (i >= 0) this.pendingWithdrawals.splice(i, 1);
        break;
      }
      default:
    }
  }

  private getLive(id: number): Live | undefined {
    const i = this.liveIndex.get(id);
    return i === undefined ? undefined : this.live[i];
  }

  private removeLive(id: number): void {
    const i = this.liveIndex.get(id);
    if (i === undefined) return;
    const o = this.live[i]!;
    if (o.clientOrderId !== '') {
      const l = this.closedClientIds.get(o.accountId) ?? [];
      l.push(o.clientOrderId);
      if (l.length > 20) l.shift();
      this.closedClientIds.set(o.accountId, l);
    }
    const last = this.live.pop()!;
    this.liveIndex.delete(id);
    if (last.orderId !== id) {
      this.live[i] = last;
      this.liveIndex.set(last.orderId, i);
    }
  }

  private trader(): number {
    return this.rng.pick(this.accounts).engineId;
  }

  private clientId(accountId: number): string {
    const r = this.rng;
    if (r.chance(0.4)) return '';
    const closed = this.closedClientIds.get(accountId);
    if (closed !== undefined && closed.length > 0 && r.chance(0.35)) {
      return closed.splice(r.int(0, closed.length - 1), 1)[0]!;
    }
    return `c${this.nextClient++}`;
  }

  private stp(m: MarketDef): StpMode {
    const r = this.rng;
    const modes: StpMode[] = [
      StpMode.UNSPECIFIED,
      StpMode.EXPIRE_TAKER,
      StpMode.EXPIRE_MAKER,
      StpMode.EXPIRE_BOTH,
      StpMode.DECREMENT,
      StpMode.DECREMENT,
    ];
    if (m.allowSelfTrade) modes.push(StpMode.NONE, StpMode.NONE);
    return r.pick(modes);
  }

  private limit(accountId: number, m: MarketDef, tif: TimeInForce, postOnly = false): PlaceOrder {
    const r = this.rng;
    const mid = this.mids.get(m.engineId)!;
    const side = r.chance(0.5) ? Side.BUY : Side.SELL;
    // Mostly passive, sometimes crossing the mid so orders trade.
    const offset = r.int(-Math.floor(m.spread / 3), m.spread);
    const price = Math.max(1, side === Side.BUY ? mid - offset : mid + offset);
    let qty = r.int(1, m.qtyHi);
    if (r.chance(this.rejectRate / 3)) qty = 900_000; // usually INSUFFICIENT_FUNDS
    return {
      kind: CommandKind.PLACE_ORDER,
      accountId,
      marketId: m.engineId,
      side,
      orderType: OrderType.LIMIT,
      timeInForce: tif,
      priceTicks: price,
      qtyLots: qty,
      quoteBudgetAtoms: 0,
      postOnly,
      stpMode: this.stp(m),
      clientOrderId: this.clientId(accountId),
    };
  }

  next(): Command {
    const r = this.rng;
    const m = r.pick(MARKETS);
    const acc = this.trader();
    const w = r.weighted([40, 5, 4, 5, 4, 3, 12, 4, 2, 9, 3, 2, 2, 3, 2, 1, 1, 1]);
    switch (w) {
      case 0:
        return this.limit(acc, m, TimeInForce.GTC, r.chance(0.1));
      case 1:
        return this.limit(acc, m, TimeInForce.IOC);
      case 2:
        return this.limit(acc, m, TimeInForce.FOK);
      case 3: {
        const side = r.chance(0.5) ? Side.BUY : Side.SELL;
        return {
          kind: CommandKind.PLACE_ORDER,
          accountId: acc,
          marketId: m.engineId,
          side,
          orderType: OrderType.MARKET,
          timeInForce: TimeInForce.UNSPECIFIED,
          priceTicks: 0,
          qtyLots: r.int(1, m.qtyHi),
          quoteBudgetAtoms: 0,
          postOnly: false,
          stpMode: this.stp(m),
          clientOrderId: this.clientId(acc),
        };
      }
      case 4: {
        const mid = this.mids.get(m.engineId)!;
        const side = r.chance(0.5) ? Side.BUY : Side.SELL;
        return {
          kind: CommandKind.PLACE_ORDER,
          accountId: acc,
          marketId: m.engineId,
          side,
          orderType: OrderType.MARKET,
          timeInForce: r.chance(0.5) ? TimeInForce.IOC : TimeInForce.UNSPECIFIED,
          priceTicks: 0,
          qtyLots: 0,
          quoteBudgetAtoms: Math.max(
            1,
            Math.floor(mid * m.quoteAtomsPerTickLot * r.int(1, m.qtyHi) * r.float()),
          ),
          postOnly: false,
          stpMode: this.stp(m),
          clientOrderId: this.clientId(acc),
        };
      }
      case 5:
        return {
          kind: CommandKind.BATCH_PLACE,
          orders: Array.from({ length: r.int(2, 5) }, () =>
            this.limit(acc, r.pick(MARKETS), TimeInForce.GTC),
          ),
        };
      case 6:
      case 7: {
        const o = this.pickLive();
        if (o === undefined) return this.limit(acc, m, TimeInForce.GTC);
        if (w === 7 && o.clientOrderId !== '') {
          return {
            kind: CommandKind.CANCEL_ORDER,
            accountId: o.accountId,
            orderId: 0,
            clientOrderId: o.clientOrderId,
          };
        }
        return {
          kind: CommandKind.CANCEL_ORDER,
          accountId: o.accountId,
          orderId: o.orderId,
          clientOrderId: '',
        };
      }
      case 8:
        return {
          kind: CommandKind.CANCEL_ALL,
          accountId: acc,
          marketId: r.chance(0.5) ? 0 : m.engineId,
          reason: r.pick([
            CancelReason.USER,
            CancelReason.CANCEL_ON_DISCONNECT,
            CancelReason.DEAD_MAN_SWITCH,
          ]),
        };
      case 9: {
        const o = this.pickLive();
        if (o === undefined) return this.limit(acc, m, TimeInForce.GTC);
        const filled = o.qtyLots - o.remainingLots;
        const kind = r.int(0, 2);
        const mk = MARKETS.find((x) => x.engineId === o.marketId)!;
        return {
          kind: CommandKind.AMEND_ORDER,
          accountId: o.accountId,
          orderId: o.orderId,
          clientOrderId: '',
          newPriceTicks: kind === 1 ? Math.max(1, o.priceTicks + r.int(-mk.spread, mk.spread)) : 0,
          newQtyLots:
            kind === 0
              ? Math.max(filled + 1, o.qtyLots - r.int(1, Math.max(1, o.remainingLots - 1)))
              : kind === 2
                ? o.qtyLots + r.int(1, mk.qtyHi)
                : 0,
        };
      }
      case 10: {
        const ids = Array.from({ length: r.int(2, 6) }, () => this.pickLive()).filter(
          (x) => x !== undefined,
        );
        return {
          kind: CommandKind.BATCH_CANCEL,
          cancels: ids.map((o) => ({
            kind: CommandKind.CANCEL_ORDER,
            accountId: r.chance(0.9) ? o!.accountId : acc,
            orderId: o!.orderId,
            clientOrderId: '',
          })),
        };
      }
      case 11:
        return this.deposit(
          r.chance(0.2) ? this.feeAccountId : acc,
          r.pick(ASSETS).engineId,
          r.int(1, 10_000_000),
        );
      case 12: {
        // A duplicate deposit reference (rejected) or an unknown account.
        const d = this.deposits[r.int(0, this.deposits.length - 1)]!;
        return {
          kind: CommandKind.DEPOSIT,
          accountId: d.accountId,
          assetId: d.assetId,
          amountAtoms: d.amountAtoms,
          refId: d.refId,
        };
      }
      case 13: {
        const asset = r.pick(ASSETS);
        const refId = this.nextRef++;
        const amountAtoms = r.chance(0.2)
          ? 10 ** 15
          : r.int(1, Math.floor(FUNDING[asset.symbol]! / 1000));
        this.withdrawals.push({ refId, accountId: acc, assetId: asset.engineId, amountAtoms });
        return {
          kind: CommandKind.WITHDRAW_LOCK,
          accountId: acc,
          assetId: asset.engineId,
          amountAtoms,
          refId,
        };
      }
      case 14:
      case 15: {
        if (this.pendingWithdrawals.length === 0) return this.limit(acc, m, TimeInForce.GTC);
        const refId = this.pendingWithdrawals[r.int(0, this.pendingWithdrawals.length - 1)]!;
        return w === 14
          ? { kind: CommandKind.WITHDRAW_FINALIZE, refId }
          : { kind: CommandKind.WITHDRAW_RELEASE, refId };
      }
      case 16: {
        const [makerFeeBps, takerFeeBps] = r.pick([
          [0, 0],
          [-2, 4],
          [3, 6],
          [10, 10],
        ] as const);
        return { kind: CommandKind.SET_FEES, accountId: acc, makerFeeBps, takerFeeBps };
      }
      default:
        return { kind: CommandKind.WITHDRAW_FINALIZE, refId: 999_999_999 }; // REFERENCE_UNKNOWN
    }
  }

  private pickLive(): Live | undefined {
    if (this.live.length === 0) return undefined;
    return this.live[this.rng.int(0, this.live.length - 1)];
  }
}
