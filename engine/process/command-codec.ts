// exchange.v1.Command (decoded from a link frame or a journal entry) -> engine
// Command. Every 64-bit field is checked with isSafeUint: a value past 2^53-1
// becomes NUMBER_OUT_OF_RANGE and never reaches the engine; a command with no
// body (unknown to this build) becomes UNSUPPORTED_MESSAGE. Everything else is
// passed through for the engine to judge (it rejects bad enums, ids, sizes).
// Deterministic: replay converts the journaled bytes with the same function.
import { isSafeUint } from '../../proto/codec';
import { exchange } from '../../proto/gen/exchange';
import { type CancelOrder, CommandKind, type EngineCommand, type PlaceOrder } from '../types';
import { ProtoScanner } from './proto-reader';

type ProtoCommand = exchange.v1.ICommand;

/** REJECT_REASON_NUMBER_OUT_OF_RANGE (common.proto). */
export const REJECT_NUMBER_OUT_OF_RANGE = 115;
/** REJECT_REASON_UNSUPPORTED_MESSAGE. */
export const REJECT_UNSUPPORTED_MESSAGE = 114;
/** REJECT_REASON_MALFORMED_MESSAGE. */
export const REJECT_MALFORMED_MESSAGE = 112;

function u64(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (!isSafeUint(v)) throw OUT_OF_RANGE;
  return v;
}

function n(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

function s(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

const OUT_OF_RANGE = { outOfRange: true };

function place(p: exchange.v1.IPlaceOrder): PlaceOrder {
  return {
    kind: CommandKind.PLACE_ORDER,
    accountId: n(p.accountId),
    marketId: n(p.marketId),
    side: n(p.side),
    orderType: n(p.orderType),
    timeInForce: n(p.timeInForce),
    priceTicks: u64(p.priceTicks),
    qtyLots: u64(p.qtyLots),
    quoteBudgetAtoms: u64(p.quoteBudgetAtoms),
    postOnly: p.postOnly === true,
    stpMode: n(p.stpMode),
    clientOrderId: s(p.clientOrderId),
  };
}

function cancel(c: exchange.v1.ICancelOrder): CancelOrder {
  return {
    kind: CommandKind.CANCEL_ORDER,
    accountId: n(c.accountId),
    orderId: u64(c.orderId),
    clientOrderId: s(c.clientOrderId),
  };
}

function convert(c: ProtoCommand): EngineCommand | number {
  if (c.placeOrder) return place(c.placeOrder);
  if (c.cancelOrder) return cancel(c.cancelOrder);
  if (c.cancelAll) {
    const x = c.cancelAll;
    return {
      kind: CommandKind.CANCEL_ALL,
      accountId: n(x.accountId),
      marketId: n(x.marketId),
      reason: n(x.reason),
    };
  }
  if (c.amendOrder) {
    const x = c.amendOrder;
    return {
      kind: CommandKind.AMEND_ORDER,
      accountId: n(x.accountId),
      orderId: u64(x.orderId),
      clientOrderId: s(x.clientOrderId),
      newPriceTicks: u64(x.newPriceTicks),
      newQtyLots: u64(x.newQtyLots),
    };
  }
  if (c.batchPlace) {
    return { kind: CommandKind.BATCH_PLACE, orders: (c.batchPlace.orders ?? []).map(place) };
  }
  if (c.batchCancel) {
    return { kind: CommandKind.BATCH_CANCEL, cancels: (c.batchCancel.cancels ?? []).map(cancel) };
  }
  if (c.deposit || c.withdrawLock) {
    const x = (c.deposit ?? c.withdrawLock)!;
    return {
      kind: c.deposit ? CommandKind.DEPOSIT : CommandKind.WITHDRAW_LOCK,
      accountId: n(x.accountId),
      assetId: n(x.assetId),
      amountAtoms: u64(x.amountAtoms),
      refId: u64(x.refId),
    };
  }
  if (c.withdrawFinalize) {
    return { kind: CommandKind.WITHDRAW_FINALIZE, refId: u64(c.withdrawFinalize.refId) };
  }
  if (c.withdrawRelease) {
    return { kind: CommandKind.WITHDRAW_RELEASE, refId: u64(c.withdrawRelease.refId) };
  }
  if (c.setFees) {
    const x = c.setFees;
    return {
      kind: CommandKind.SET_FEES,
      accountId: n(x.accountId),
      makerFeeBps: n(x.makerFeeBps),
      takerFeeBps: n(x.takerFeeBps),
    };
  }
  if (c.addAsset) return { kind: CommandKind.ADD_ASSET, assetId: n(c.addAsset.assetId) };
  if (c.addAccount) {
    const x = c.addAccount;
    return {
      kind: CommandKind.ADD_ACCOUNT,
      accountId: n(x.accountId),
      makerFeeBps: n(x.makerFeeBps),
      takerFeeBps: n(x.takerFeeBps),
    };
  }
  if (c.addMarket) {
    const x = c.addMarket;
    return {
      kind: CommandKind.ADD_MARKET,
      marketId: n(x.marketId),
      baseAssetId: n(x.baseAssetId),
      quoteAssetId: n(x.quoteAssetId),
      baseAtomsPerLot: u64(x.baseAtomsPerLot),
      quoteAtomsPerTickLot: u64(x.quoteAtomsPerTickLot),
      minQtyLots: u64(x.minQtyLots),
      maxQtyLots: u64(x.maxQtyLots),
      maxPriceTicks: u64(x.maxPriceTicks),
      minNotionalAtoms: u64(x.minNotionalAtoms),
      priceBandBps: n(x.priceBandBps),
      allowSelfTrade: x.allowSelfTrade === true,
      status: n(x.status),
    };
  }
  if (c.setMarketStatus) {
    const x = c.setMarketStatus;
    return { kind: CommandKind.SET_MARKET_STATUS, marketId: n(x.marketId), status: n(x.status) };
  }
  if (c.setDeadManSwitch) {
    const x = c.setDeadManSwitch;
    return {
      kind: CommandKind.SET_DEAD_MAN_SWITCH,
      accountId: n(x.accountId),
      marketId: n(x.marketId),
      timeoutMs: n(x.timeoutMs),
    };
  }
  if (c.timer) return { kind: CommandKind.TIMER };
  return REJECT_UNSUPPORTED_MESSAGE;
}

/**
 * The engine command for a decoded proto Command, or the RejectReason number
 * that refuses it before the engine (NUMBER_OUT_OF_RANGE, UNSUPPORTED_MESSAGE).
 */
export function commandFromProto(c: ProtoCommand): EngineCommand | number {
  try {
    return convert(c);
  } catch (err) {
    if (err === OUT_OF_RANGE) return REJECT_NUMBER_OUT_OF_RANGE;
    throw err;
  }
}

// Reused scanners: one for the Command, one for its body (synchronous, never nested further).
const outer = new ProtoScanner(new Uint8Array(0));
const inner = new ProtoScanner(new Uint8Array(0));

/** PLACE_ORDER straight from bytes (the hot path), read as protobufjs would. */
function scanPlace(buf: Uint8Array, start: number, end: number): PlaceOrder | number {
  const s = inner.reset(buf, start, end);
  let accountId = 0;
  let marketId = 0;
  let side = 0;
  let orderType = 0;
  let timeInForce = 0;
  let priceTicks = 0;
  let qtyLots = 0;
  let quoteBudgetAtoms = 0;
  let postOnly = false;
  let stpMode = 0;
  let clientOrderId = '';
  while (s.next()) {
    switch (s.field) {
      case 1:
        accountId = s.uint32();
        break;
      case 2:
        marketId = s.uint32();
        break;
      case 3:
        side = s.int32();
        break;
      case 4:
        orderType = s.int32();
        break;
      case 5:
        timeInForce = s.int32();
        break;
      case 6:
        priceTicks = s.u64();
        if (priceTicks < 0) return REJECT_NUMBER_OUT_OF_RANGE;
        break;
      case 7:
        qtyLots = s.u64();
        if (qtyLots < 0) return REJECT_NUMBER_OUT_OF_RANGE;
        break;
      case 8:
        quoteBudgetAtoms = s.u64();
        if (quoteBudgetAtoms < 0) return REJECT_NUMBER_OUT_OF_RANGE;
        break;
      case 9:
        postOnly = s.uint32() !== 0;
        break;
      case 10:
        stpMode = s.int32();
        break;
      case 11:
        clientOrderId = s.string();
        break;
      default:
        s.skip();
    }
  }
  return {
    kind: CommandKind.PLACE_ORDER,
    accountId,
    marketId,
    side,
    orderType,
    timeInForce,
    priceTicks,
    qtyLots,
    quoteBudgetAtoms,
    postOnly,
    stpMode,
    clientOrderId,
  };
}

/** CANCEL_ORDER straight from bytes. */
function scanCancel(buf: Uint8Array, start: number, end: number): CancelOrder | number {
  const s = inner.reset(buf, start, end);
  let accountId = 0;
  let orderId = 0;
  let clientOrderId = '';
  while (s.next()) {
    switch (s.field) {
      case 1:
        accountId = s.uint32();
        break;
      case 2:
        orderId = s.u64();
        if (orderId < 0) return REJECT_NUMBER_OUT_OF_RANGE;
        break;
      case 3:
        clientOrderId = s.string();
        break;
      default:
        s.skip();
    }
  }
  return { kind: CommandKind.CANCEL_ORDER, accountId, orderId, clientOrderId };
}

/**
 * The engine command held by exchange.v1.Command bytes buf[start, end), or
 * the RejectReason that refuses them before the engine: MALFORMED_MESSAGE
 * (undecodable, or more than one body), UNSUPPORTED_MESSAGE (no body this
 * build knows), NUMBER_OUT_OF_RANGE. The live sequencer and replay both read
 * commands through this one function, so the same bytes always make the same
 * command. Place and cancel are read without building protobuf objects.
 */
export function decodeCommand(buf: Uint8Array, start: number, end: number): EngineCommand | number {
  const s = outer.reset(buf, start, end);
  let body = 0;
  let bs = 0;
  let be = 0;
  try {
    while (s.next()) {
      if (s.field >= 1 && s.field <= 17) {
        if (body !== 0) return REJECT_MALFORMED_MESSAGE;
        body = s.field;
        s.skipLen();
        bs = s.lenStart;
        be = s.pos;
      } else {
        s.skip();
      }
    }
    if (body === 0) return REJECT_UNSUPPORTED_MESSAGE;
    if (body === CommandKind.PLACE_ORDER) return scanPlace(buf, bs, be);
    if (body === CommandKind.CANCEL_ORDER) return scanCancel(buf, bs, be);
    const proto = exchange.v1.Command.decode(buf.subarray(start, end));
    return commandFromProto(proto);
  } catch {
    return REJECT_MALFORMED_MESSAGE;
  }
}
