// The one ServerMessage every order gets back (an OrderResponse with a single
// ack and the key's rate-limit usage), encoded by hand into a reused buffer:
// protobufjs's writer builds an operation object per field and a State per
// nested message, which made this reply a fifth of the gateway's allocation
// per order. Fields go out in field-number order like protobufjs writes them;
// zeros are omitted (proto3 decodes them the same).
import { ProtoWriter } from '../engine/process/proto-writer';
import { RATE_WINDOW_MS } from './limits';

/** ServerMessage and nested field numbers (proto/exchange/v1/client.proto). */
const SM_REQUEST_ID = 1;
const SM_RECV_TIME_US = 2;
const SM_SEND_TIME_US = 3;
const SM_RATE_LIMIT = 4;
const SM_ORDER_RESPONSE = 12;
const RL_ORDERS_USED = 1;
const RL_ORDERS_LIMIT = 2;
const RL_WINDOW_MS = 3;
const OR_ACKS = 1;
const OR_ENGINE_SEQ = 2;
const ACK_ORDER_ID = 1;
const ACK_CLIENT_ORDER_ID = 2;
const ACK_REJECT_REASON = 3;
const ACK_STATUS = 4;

export interface SingleAck {
  orderId: number;
  clientOrderId: string;
  rejectReason: number;
  status: number;
}

export class OrderResponseWriter {
  private readonly w = new ProtoWriter(1024);

  /**
   * ServerMessage{request_id, recv/send times, rate_limit{used, limit,
   * window}, order_response{acks: [ack], engine_seq}}: a fresh Buffer the
   * caller may hold (the gateway's outbox keeps it until the chunk ends).
   */
  encode(
    requestId: number,
    recvUs: number,
    sendUs: number,
    ordersUsed: number,
    ordersLimit: number,
    ack: SingleAck,
    engineSeq: number,
  ): Buffer {
    const w = this.w;
    w.reset();
    w.uint(SM_REQUEST_ID, requestId);
    w.uint(SM_RECV_TIME_US, recvUs);
    w.uint(SM_SEND_TIME_US, sendUs);
    const rl = w.beginLen(SM_RATE_LIMIT);
    w.uint(RL_ORDERS_USED, ordersUsed);
    w.uint(RL_ORDERS_LIMIT, ordersLimit);
    w.uint(RL_WINDOW_MS, RATE_WINDOW_MS);
    w.endLen(rl);
    const or = w.beginLen(SM_ORDER_RESPONSE);
    const a = w.beginLen(OR_ACKS);
    w.uint(ACK_ORDER_ID, ack.orderId);
    w.string(ACK_CLIENT_ORDER_ID, ack.clientOrderId);
    w.uint(ACK_REJECT_REASON, ack.rejectReason);
    w.uint(ACK_STATUS, ack.status);
    w.endLen(a);
    w.uint(OR_ENGINE_SEQ, engineSeq);
    w.endLen(or);
    return w.copy();
  }
}
