// Wire helpers shared by the gateway's handlers: reason and close codes,
// and how an engine-link failure maps to a RejectReason.
import { exchange } from '../proto';
import type { GatewayError } from './errors';

export const Reason = exchange.v1.RejectReason;
export const v1 = exchange.v1;

/**
 * WebSocket close codes the gateway uses (4000-4999 are application codes).
 * Every close is preceded by a SessionClosing message when the socket can
 * still carry one.
 */
export const CloseCode = {
  /** The gateway is shutting down. */
  GOING_AWAY: 1001,
  /** Too many bad frames. */
  POLICY_VIOLATION: 1008,
  /** A frame above MAX_FRAME_BYTES. */
  MESSAGE_TOO_BIG: 1009,
  /** No logon within LOGON_TIMEOUT_MS. */
  LOGON_TIMEOUT: 4001,
  /** The logon was refused (the Reject before it says why). */
  LOGON_REFUSED: 4003,
  /** The key was revoked, or lost its permission or address, while the session was live. */
  KEY_REVOKED: 4004,
  /** Nothing received for IDLE_TIMEOUT_HEARTBEATS heartbeat intervals. */
  IDLE_TIMEOUT: 4008,
  /** Send buffer past MD_HARD_LIMIT_BYTES (or held replay reports past their bound). */
  SLOW_CONSUMER: 4009,
} as const;

/** The RejectReason for a failed engine request. */
export function engineFailureReason(err: GatewayError): number {
  switch (err.code) {
    case 'E_ENGINE_TIMEOUT':
      return Reason.REJECT_REASON_ENGINE_TIMEOUT;
    case 'E_ENGINE_REJECTED': {
      const r = (err as GatewayError & { reason?: number }).reason;
      return r !== undefined && r !== 0 ? r : Reason.REJECT_REASON_ENGINE_UNAVAILABLE;
    }
    case 'E_CLOSED':
      return Reason.REJECT_REASON_ENGINE_SHUTTING_DOWN;
    default:
      return Reason.REJECT_REASON_ENGINE_UNAVAILABLE;
  }
}

const REASON_NAMES = exchange.v1.RejectReason as unknown as Record<number, string>;

export function reasonName(reason: number): string {
  return REASON_NAMES[reason] ?? `REJECT_REASON_${reason}`;
}
