// Deterministic row ids derived from the journal, so a replayed range
// inserts nothing new (ON CONFLICT DO NOTHING finds the same ids).
//
// RFC 9562 UUIDv8 ("custom") with a fixed layout instead of a hash: no SHA-1
// per row, and ids ascend with the journal, so inserts land at the right edge
// of the primary-key btree instead of on random pages. Payload (120 bits, hex):
//   kind(1) shard(4) a(14) b(7) c(2) pad(2)
// with the version nibble '8' after the first 12 payload digits and the
// variant nibble '8' after the next 3. Kinds never share ids with each other.
import { assert } from '../common/errors';

export const enum IdKind {
  /** One ledger leg: a = seq, b = event index within the command, c = leg. */
  ENTRY = 1,
  /** A balanced group of legs: a = seq, b = event index, c = transfer number. */
  TRANSFER = 2,
  /** trades.id: a = engine trade id. */
  TRADE = 3,
  /** orders.id: a = engine order id. */
  ORDER = 4,
  /** ledger reference for a deposit with no deposits row: a = engine ref id. */
  DEPOSIT_REF = 5,
  /** ledger reference for a withdrawal with no withdrawals row: a = engine ref id. */
  WITHDRAWAL_REF = 6,
}

const MAX_SHARD = 0xffff;
const MAX_A = 2 ** 53 - 1;
const MAX_B = 0xfffffff;
const MAX_C = 0xff;

function hex(n: number, width: number): string {
  const s = n.toString(16);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

/** The uuid text up to its last 4 digits (c and the pad): ids of one event's legs share it. */
export function uuidHead(kind: IdKind, shard: number, a: number, b = 0): string {
  assert(shard >= 0 && shard <= MAX_SHARD && Number.isInteger(shard), `uuid shard ${shard}`);
  assert(a >= 0 && a <= MAX_A && Number.isInteger(a), `uuid a ${a}`);
  assert(b >= 0 && b <= MAX_B && Number.isInteger(b), `uuid b ${b}`);
  const p = `${kind.toString(16)}${hex(shard, 4)}${hex(a, 14)}${hex(b, 7)}`;
  // p: 26 hex digits; with c (2) and '00' -> 30, as 8-4-4-4-12 with the version and variant nibbles.
  return `${p.slice(0, 8)}-${p.slice(8, 12)}-8${p.slice(12, 15)}-8${p.slice(15, 18)}-${p.slice(18, 26)}`;
}

const C_HEX: string[] = [];
for (let c = 0; c <= MAX_C; c++) C_HEX.push(`${c < 16 ? '0' : ''}${c.toString(16)}00`);

/** head (uuidHead) + c. */
export function uuidWith(head: string, c: number): string {
  const tail = C_HEX[c];
  assert(tail !== undefined, `uuid c ${c}`);
  return head + tail;
}

export function makeUuid(kind: IdKind, shard: number, a: number, b = 0, c = 0): string {
  return uuidWith(uuidHead(kind, shard, a, b), c);
}

export function entryUuid(shard: number, seq: number, eventIndex: number, leg: number): string {
  return makeUuid(IdKind.ENTRY, shard, seq, eventIndex, leg);
}

export function transferUuid(shard: number, seq: number, eventIndex: number, n: number): string {
  return makeUuid(IdKind.TRANSFER, shard, seq, eventIndex, n);
}

export function tradeUuid(shard: number, engineTradeId: number): string {
  return makeUuid(IdKind.TRADE, shard, engineTradeId);
}

export function orderUuid(shard: number, engineOrderId: number): string {
  return makeUuid(IdKind.ORDER, shard, engineOrderId);
}

export function depositRefUuid(shard: number, refId: number): string {
  return makeUuid(IdKind.DEPOSIT_REF, shard, refId);
}

export function withdrawalRefUuid(shard: number, refId: number): string {
  return makeUuid(IdKind.WITHDRAWAL_REF, shard, refId);
}

/** Inverse of makeUuid (tests, tools); undefined for a uuid of another layout. */
export function parseUuid(
  uuid: string,
): { kind: number; shard: number; a: number; b: number; c: number } | undefined {
  const h = uuid.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(h) || h[12] !== '8' || h[16] !== '8') return undefined;
  const p = h.slice(0, 12) + h.slice(13, 16) + h.slice(17);
  if (p.slice(28) !== '00') return undefined;
  return {
    kind: Number.parseInt(p.slice(0, 1), 16),
    shard: Number.parseInt(p.slice(1, 5), 16),
    a: Number.parseInt(p.slice(5, 19), 16),
    b: Number.parseInt(p.slice(19, 26), 16),
    c: Number.parseInt(p.slice(26, 28), 16),
  };
}
