// Gateway failures that are exceptions (I/O, startup, configuration of the
// gateway itself). Client-visible refusals are RejectReason values sent in
// Reject messages, never thrown.
import { ExchangeError } from '../common/errors';

export type GatewayErrorCode =
  | 'E_UWS_NATIVE' // the native uWebSockets.js binary could not be loaded
  | 'E_LISTEN' // the listen socket could not be opened
  | 'E_TLS' // TLS certificate or key unreadable
  | 'E_GATEWAY_CONFIG' // a gateway-only setting is invalid (see gateway-config.ts)
  | 'E_LIMITS' // a limit in limits.ts is inconsistent
  | 'E_ENGINE_UNAVAILABLE' // no link to the shard
  | 'E_ENGINE_TIMEOUT' // the engine did not answer in time (outcome unknown)
  | 'E_ENGINE_REJECTED' // the engine refused the link request (LinkReject)
  | 'E_JOURNAL' // the journal in Redis is unreadable or inconsistent
  | 'E_CLOSED'; // the gateway is shutting down

export class GatewayError extends ExchangeError {
  constructor(
    override readonly code: GatewayErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}
