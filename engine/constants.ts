// Every limit of the engine in one place, with what it costs in memory.
// assertConstants() runs when an engine is created so a bad edit fails fast.
import { assert } from '../common/errors';

/** Largest integer every money computation must stay under (2^53 - 1). */
export const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Basis points in one whole. */
export const BPS_DENOMINATOR = 10_000;

/**
 * Order pool capacity per engine. Orders live in 64-byte records in one
 * buffer (see order-pool.ts) plus an 8-byte client-order-id reference:
 * 4M orders ~ 288 MiB (the order index, at load <= 1/4, adds 48-96 bytes an
 * order), reserved lazily as the pool grows in chunks.
 */
export const MAX_ORDERS = 4_194_304;
/** The pool starts at this many slots (4.5 MiB) and doubles, in whole chunks, up to MAX_ORDERS. */
export const ORDER_POOL_CHUNK = 65_536;

/** Open orders one account may have across all markets (bounds cancel-all). */
export const MAX_OPEN_ORDERS_PER_ACCOUNT = 200_000;

/** Accounts, markets and assets are dense small integers used as array indexes. */
export const MAX_ACCOUNTS = 1_048_576; // ids 1..MAX_ACCOUNTS-1; ~48 B/account + balances
export const MAX_MARKETS = 4_096; // ids 1..MAX_MARKETS-1
export const MAX_ASSETS = 1_024; // ids 1..MAX_ASSETS-1

/** Items in one batch place / batch cancel command (Kraken allows 15, Coinbase FIX 15). */
export const MAX_BATCH_ITEMS = 50;

/** Client order ids: Binance's format, ^[a-zA-Z0-9_-]{1,36}$. */
export const MAX_CLIENT_ORDER_ID_LENGTH = 36;

/** Fee bounds: taker 0..10%; maker -1%..10% (negative = rebate). */
export const MAX_TAKER_FEE_BPS = 1_000;
export const MIN_MAKER_FEE_BPS = -100;
export const MAX_MAKER_FEE_BPS = 1_000;

/** Market-order protection band cap (50%). */
export const MAX_PRICE_BAND_BPS = 5_000;

/**
 * The event log starts with room for this many events (a record of 3-16
 * doubles, 8 on average, plus a 4 B index and a string slot each, ~80 B:
 * 64k events ~ 5 MiB) and doubles when one batch needs more, up to
 * MAX_EVENTS_PER_BUFFER; callers drain it once per batch.
 */
export const EVENT_BUFFER_INITIAL = 65_536;
export const MAX_EVENTS_PER_BUFFER = 16_777_216;

export function assertConstants(): void {
  assert(MAX_SAFE === 2 ** 53 - 1, 'MAX_SAFE is 2^53-1');
  assert(MAX_ORDERS % ORDER_POOL_CHUNK === 0, 'pool grows in whole chunks');
  assert(MAX_OPEN_ORDERS_PER_ACCOUNT <= MAX_ORDERS, 'per-account open orders within the pool');
  assert(MAX_ORDERS < 2 ** 31, 'order slots index Int32Array columns');
  assert(MAX_ORDERS * 64 <= 2 ** 31 - 1, 'byte offsets of order records (slot << 6) fit an int32');
  assert(MAX_ACCOUNTS * MAX_ASSETS <= 2 ** 31, 'balance slot index fits an int32');
  assert(MAX_TAKER_FEE_BPS < BPS_DENOMINATOR, 'a taker fee never exceeds what it is taken from');
  assert(MAX_MAKER_FEE_BPS < BPS_DENOMINATOR, 'a maker fee never exceeds what it is taken from');
  assert(-MIN_MAKER_FEE_BPS < BPS_DENOMINATOR, 'a rebate is a fraction of the fill');
  assert(MAX_PRICE_BAND_BPS < BPS_DENOMINATOR, 'a sell protection price stays positive');
  assert(EVENT_BUFFER_INITIAL <= MAX_EVENTS_PER_BUFFER, 'event buffer bounds');
  assert(MAX_BATCH_ITEMS >= 1, 'batches hold at least one item');
}
