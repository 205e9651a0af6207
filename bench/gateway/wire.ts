// Hand-rolled protobuf for the load generator's hot path, so the client side
// spends microseconds, not tens of them, per order: a ClientMessage{request_id,
// new_order} is a prebuilt NewOrder body behind two tags and a varint, and a
// ServerMessage is scanned for request_id, its body's field number and (for
// an OrderResponse) the first ack's reject_reason, without decoding the rest.
// Non-hot messages (logon) use the generated code.
import { exchange } from '../../proto';

/** Bytes of a NewOrder body (encoded once per distinct order shape). */
export function newOrderBody(o: exchange.v1.INewOrder): Buffer {
  return Buffer.from(exchange.v1.NewOrder.encode(o).finish());
}

/** Writes ClientMessage{1: requestId, 3: body} into `out` at `pos`; returns the end. */
export function writeNewOrderMessage(
  out: Buffer,
  pos: number,
  requestId: number,
  body: Buffer,
): number {
  out[pos++] = 0x08;
  pos = writeVarint(out, pos, requestId);
  out[pos++] = 0x1a;
  pos = writeVarint(out, pos, body.length);
  body.copy(out, pos);
  return pos + body.length;
}

/** Encoded length of a ClientMessage holding `body` with this request id. */
export function newOrderMessageLength(requestId: number, bodyLength: number): number {
  return 1 + varintLength(requestId) + 1 + varintLength(bodyLength) + bodyLength;
}

export function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n > 127) {
    buf[pos++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

export function varintLength(n: number): number {
  let len = 1;
  while (n > 127) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

/** What scanServerMessage found. */
export interface Scan {
  requestId: number;
  /** ServerMessage body field number (12 = order_response, 10 = logon_ack, 11 = reject, ...), 0 = none. */
  body: number;
  /** First OrderAck's reject_reason, or the Reject's reason; 0 = accepted / none. */
  reason: number;
  /** Gateway receive and send times (µs since the epoch; 0 when absent). */
  recvUs: number;
  sendUs: number;
}

/** ServerMessage body field numbers (client.proto). */
export const BODY = {
  LOGON_ACK: 10,
  REJECT: 11,
  ORDER_RESPONSE: 12,
  EXECUTION_REPORT: 13,
  HEARTBEAT: 22,
  PONG: 23,
  SESSION_CLOSING: 25,
} as const;

let vpos = 0;
function readVarint(b: Uint8Array, pos: number, end: number): number {
  let v = 0;
  let mul = 1;
  while (pos < end) {
    const x = b[pos++]!;
    v += (x & 127) * mul;
    if (x < 128) {
      vpos = pos;
      return v;
    }
    mul *= 128;
  }
  vpos = end;
  return -1;
}

/** Skips a field of wire type `wt` at pos; returns the next position (or end on a bad field). */
function skip(b: Uint8Array, pos: number, end: number, wt: number): number {
  switch (wt) {
    case 0:
      readVarint(b, pos, end);
      return vpos;
    case 1:
      return pos + 8;
    case 2: {
      const len = readVarint(b, pos, end);
      return len < 0 ? end : vpos + len;
    }
    case 5:
      return pos + 4;
    default:
      return end;
  }
}

/** Scans one ServerMessage into `out` (reused; no allocation). */
export function scanServerMessage(b: Uint8Array, out: Scan): Scan {
  out.requestId = 0;
  out.body = 0;
  out.reason = 0;
  out.recvUs = 0;
  out.sendUs = 0;
  const end = b.length;
  let pos = 0;
  while (pos < end) {
    const tag = readVarint(b, pos, end);
    if (tag < 0) break;
    pos = vpos;
    const field = Math.floor(tag / 8);
    const wt = tag & 7;
    if (field === 1 && wt === 0) {
      out.requestId = readVarint(b, pos, end);
      pos = vpos;
    } else if (field === 2 && wt === 0) {
      out.recvUs = readVarint(b, pos, end);
      pos = vpos;
    } else if (field === 3 && wt === 0) {
      out.sendUs = readVarint(b, pos, end);
      pos = vpos;
    } else if (field >= 10 && wt === 2) {
      out.body = field;
      const len = readVarint(b, pos, end);
      const start = vpos;
      const stop = Math.min(end, start + len);
      if (field === BODY.ORDER_RESPONSE) out.reason = firstAckReason(b, start, stop);
      else if (field === BODY.REJECT || field === BODY.SESSION_CLOSING)
        out.reason = fieldVarint(b, start, stop, 1);
      pos = stop;
    } else {
      pos = skip(b, pos, end, wt);
    }
  }
  return out;
}

/** OrderResponse{1: repeated OrderAck{3: reject_reason}}: the first ack's reason. */
function firstAckReason(b: Uint8Array, pos: number, end: number): number {
  while (pos < end) {
    const tag = readVarint(b, pos, end);
    if (tag < 0) return 0;
    pos = vpos;
    if (tag === 0x0a) {
      const len = readVarint(b, pos, end);
      return fieldVarint(b, vpos, Math.min(end, vpos + len), 3);
    }
    pos = skip(b, pos, end, tag & 7);
  }
  return 0;
}

/** The varint field `field` of the message in [pos, end), or 0. */
function fieldVarint(b: Uint8Array, pos: number, end: number, field: number): number {
  while (pos < end) {
    const tag = readVarint(b, pos, end);
    if (tag < 0) return 0;
    pos = vpos;
    if (tag === field * 8) return Math.max(0, readVarint(b, pos, end));
    pos = skip(b, pos, end, tag & 7);
  }
  return 0;
}
