// What two engines must agree on. Both the fast engine and the reference
// model implement StateView; state-hash.ts folds it into one digest, so equal
// states give equal hashes and (up to SHA-256) only equal states do.
import type { MarketConfig, MarketStatus, Side, StpMode, TimeInForce } from './types';

export interface RestingOrderView {
  orderId: number;
  accountId: number;
  marketId: number;
  side: Side;
  priceTicks: number;
  /** Total quantity (after amends and DECREMENT self-trade prevention). */
  qtyLots: number;
  filledLots: number;
  /** Invariant: filledLots + remainingLots === qtyLots. */
  remainingLots: number;
  timeInForce: TimeInForce;
  stpMode: StpMode;
  postOnly: boolean;
  clientOrderId: string;
}

export interface StateView {
  /** Sequence number of the last command applied (0 = none). */
  readonly lastSeq: number;
  /** The id the next accepted order gets (starts at 1). */
  readonly nextOrderId: number;
  /** The id the next trade gets (starts at 1). */
  readonly nextTradeId: number;
  readonly feeAccountId: number;
  /** Ascending asset id. */
  forEachAsset(fn: (assetId: number) => void): void;
  /** Ascending account id. */
  forEachAccount(fn: (accountId: number, makerFeeBps: number, takerFeeBps: number) => void): void;
  /** Ascending (accountId, assetId); skips balances whose available and locked are both 0. */
  forEachBalance(
    fn: (accountId: number, assetId: number, availableAtoms: number, lockedAtoms: number) => void,
  ): void;
  /** Ascending market id. */
  forEachMarket(fn: (config: MarketConfig, status: MarketStatus) => void): void;
  /** Priority order: best price first, then time. */
  forEachRestingOrder(marketId: number, side: Side, fn: (order: RestingOrderView) => void): void;
  /** Ascending refId. */
  forEachPendingWithdrawal(
    fn: (refId: number, accountId: number, assetId: number, amountAtoms: number) => void,
  ): void;
  /** Ascending refId: every deposit reference ever applied. */
  forEachDepositRef(fn: (refId: number) => void): void;
  /** Ascending refId: every withdrawal reference ever locked. */
  forEachWithdrawalRef(fn: (refId: number) => void): void;
  /** Ascending (accountId, marketId): every armed dead-man's switch (marketId 0 = every market). */
  forEachDeadManSwitch(
    fn: (accountId: number, marketId: number, deadlineUs: number, timeoutMs: number) => void,
  ): void;
}
