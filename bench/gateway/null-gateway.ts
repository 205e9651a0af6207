// `--null-gateway`: a uWS server that answers logons and orders at once
// without an engine, so the harness can show what it costs by itself (the
// latency and throughput it reports are the client's and the loopback's).

import { loadUws } from '../../gateway/uws';
import { exchange } from '../../proto';

export function startNullGateway(): Promise<{ port: number; stop: () => void }> {
  const uws = loadUws();
  const v1 = exchange.v1;
  let orderId = 1;
  return new Promise((resolve, reject) => {
    const app = uws.App().ws('/*', {
      compression: uws.DISABLED,
      maxPayloadLength: 64 * 1024,
      idleTimeout: 0,
      message: (ws, message) => {
        const msg = v1.ClientMessage.decode(new Uint8Array(message));
        const now = Date.now() * 1000;
        let out: exchange.v1.IServerMessage;
        if (msg.body === 'logon') {
          out = {
            requestId: msg.requestId,
            logonAck: { sessionId: 'null', accountId: 1, heartbeatIntervalMs: 30_000 },
          };
        } else if (msg.body === 'newOrder') {
          out = {
            requestId: msg.requestId,
            recvTimeUs: now,
            sendTimeUs: now,
            orderResponse: {
              acks: [{ orderId: orderId++, status: v1.OrderStatus.ORDER_STATUS_NEW }],
            },
          };
        } else {
          out = {
            requestId: msg.requestId,
            reject: { reason: v1.RejectReason.REJECT_REASON_UNSUPPORTED_MESSAGE },
          };
        }
        ws.send(v1.ServerMessage.encode(out).finish(), true, false);
      },
    });
    app.listen('127.0.0.1', 0, (token) => {
      if (!token) {
        reject(new Error('null gateway could not listen'));
        return;
      }
      resolve({
        port: uws.us_socket_local_port(token),
        stop: () => uws.us_listen_socket_close(token),
      });
    });
  });
}
