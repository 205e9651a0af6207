// Engine Command -> exchange.v1.Command bytes, as the gateway would send it
// over the engine link (the journal records those bytes). For tests, the
// chaos script and the benchmark, which produce journals without a gateway.
import { CommandKind } from '../../engine/enums';
import type { CancelOrder, Command, PlaceOrder } from '../../engine/types';
import { exchange } from '../../proto/gen/exchange';

function place(p: PlaceOrder): exchange.v1.IPlaceOrder {
  return {
    accountId: p.accountId,
    marketId: p.marketId,
    side: p.side as number,
    orderType: p.orderType as number,
    timeInForce: p.timeInForce as number,
    priceTicks: p.priceTicks,
    qtyLots: p.qtyLots,
    quoteBudgetAtoms: p.quoteBudgetAtoms,
    postOnly: p.postOnly,
    stpMode: p.stpMode as number,
    clientOrderId: p.clientOrderId,
  };
}

function cancel(c: CancelOrder): exchange.v1.ICancelOrder {
  return { accountId: c.accountId, orderId: c.orderId, clientOrderId: c.clientOrderId };
}

export function commandToProto(c: Command): exchange.v1.ICommand {
  switch (c.kind) {
    case CommandKind.PLACE_ORDER:
      return { placeOrder: place(c) };
    case CommandKind.CANCEL_ORDER:
      return { cancelOrder: cancel(c) };
    case CommandKind.CANCEL_ALL:
      return {
        cancelAll: { accountId: c.accountId, marketId: c.marketId, reason: c.reason as number },
      };
    case CommandKind.AMEND_ORDER:
      return {
        amendOrder: {
          accountId: c.accountId,
          orderId: c.orderId,
          clientOrderId: c.clientOrderId,
          newPriceTicks: c.newPriceTicks,
          newQtyLots: c.newQtyLots,
        },
      };
    case CommandKind.BATCH_PLACE:
      return { batchPlace: { orders: c.orders.map(place) } };
    case CommandKind.BATCH_CANCEL:
      return { batchCancel: { cancels: c.cancels.map(cancel) } };
    case CommandKind.DEPOSIT:
      return {
        deposit: {
          accountId: c.accountId,
          assetId: c.assetId,
          amountAtoms: c.amountAtoms,
          refId: c.refId,
        },
      };
    case CommandKind.WITHDRAW_LOCK:
      return {
        withdrawLock: {
          accountId: c.accountId,
          assetId: c.assetId,
          amountAtoms: c.amountAtoms,
          refId: c.refId,
        },
      };
    case CommandKind.WITHDRAW_FINALIZE:
      return { withdrawFinalize: { refId: c.refId } };
    case CommandKind.WITHDRAW_RELEASE:
      return { withdrawRelease: { refId: c.refId } };
    case CommandKind.SET_FEES:
      return {
        setFees: { accountId: c.accountId, makerFeeBps: c.makerFeeBps, takerFeeBps: c.takerFeeBps },
      };
    case CommandKind.ADD_ASSET:
      return { addAsset: { assetId: c.assetId } };
    case CommandKind.ADD_ACCOUNT:
      return {
        addAccount: {
          accountId: c.accountId,
          makerFeeBps: c.makerFeeBps,
          takerFeeBps: c.takerFeeBps,
        },
      };
    case CommandKind.ADD_MARKET:
      return {
        addMarket: {
          marketId: c.marketId,
          baseAssetId: c.baseAssetId,
          quoteAssetId: c.quoteAssetId,
          baseAtomsPerLot: c.baseAtomsPerLot,
          quoteAtomsPerTickLot: c.quoteAtomsPerTickLot,
          minQtyLots: c.minQtyLots,
          maxQtyLots: c.maxQtyLots,
          maxPriceTicks: c.maxPriceTicks,
          minNotionalAtoms: c.minNotionalAtoms,
          priceBandBps: c.priceBandBps,
          allowSelfTrade: c.allowSelfTrade,
          status: c.status as number,
        },
      };
    case CommandKind.SET_MARKET_STATUS:
      return { setMarketStatus: { marketId: c.marketId, status: c.status as number } };
    case CommandKind.SET_DEAD_MAN_SWITCH:
      return {
        setDeadManSwitch: { accountId: c.accountId, marketId: c.marketId, timeoutMs: c.timeoutMs },
      };
    case CommandKind.TIMER:
      return { timer: {} };
  }
}

export function encodeCommand(c: Command): Uint8Array {
  return exchange.v1.Command.encode(commandToProto(c)).finish();
}
