// Typed errors of the client SDK. Business rejects of single orders are values
// (OrderAck.rejectReason); these are thrown (promise rejections) for requests
// that got no answer, a gateway Reject, a failed logon or bad input.
import { exchange } from '../proto';

/** Stable error codes of {@link ClientError}. */
export type ClientErrorCode =
  | 'E_TIMEOUT'
  | 'E_REJECTED'
  | 'E_LOGON_FAILED'
  | 'E_NOT_CONNECTED'
  | 'E_CONNECTION_CLOSED'
  | 'E_CLOSED'
  | 'E_PROTOCOL'
  | 'E_DECIMAL'
  | 'E_INVALID_ARGUMENT';

/** Base class of every error the SDK raises; `code` is stable, `message` is for humans. */
export class ClientError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * No response within the request's timeout. Same meaning as a gateway
 * `REJECT_REASON_ENGINE_TIMEOUT`: the request may or may not have been applied,
 * so query the order (by client order id) before resending.
 */
export class RequestTimeoutError extends ClientError {
  /** Always `REJECT_REASON_ENGINE_TIMEOUT`. */
  readonly reason = exchange.v1.RejectReason.REJECT_REASON_ENGINE_TIMEOUT;
  constructor(
    readonly requestId: number,
    readonly requestKind: string,
    readonly timeoutMs: number,
    /** True for order entry (place, cancel, amend, ...): it may have been applied. */
    readonly statusUnknown = true,
  ) {
    super(
      'E_TIMEOUT',
      `${requestKind} request ${requestId} got no response within ${timeoutMs} ms` +
        (statusUnknown ? '; status unknown: query by client order id before resending' : ''),
    );
  }
}

/** The gateway answered the request with a `Reject` (rate limit, permission, engine timeout, ...). */
export class RejectError extends ClientError {
  constructor(
    readonly requestId: number,
    readonly reason: exchange.v1.RejectReason,
    readonly serverMessage: string,
  ) {
    super(
      'E_REJECTED',
      `request ${requestId} rejected: ${rejectReasonName(reason)}${serverMessage ? ` (${serverMessage})` : ''}`,
    );
  }

  /** True when the request may still have been applied (engine timeout or engine gone). */
  get statusUnknown(): boolean {
    return (
      this.reason === exchange.v1.RejectReason.REJECT_REASON_ENGINE_TIMEOUT ||
      this.reason === exchange.v1.RejectReason.REJECT_REASON_ENGINE_UNAVAILABLE
    );
  }
}

/** Logon refused or impossible. `fatal` ones (bad key, secret, signature) are not retried. */
export class LogonError extends ClientError {
  constructor(
    readonly reason: exchange.v1.RejectReason,
    message: string,
    readonly fatal: boolean,
    options?: { cause?: unknown },
  ) {
    super('E_LOGON_FAILED', message, options);
  }
}

/** The connection closed while the request was in flight. */
export class ConnectionClosedError extends ClientError {
  constructor(
    message: string,
    /** True for order-entry requests: they may have reached the engine. */
    readonly statusUnknown: boolean,
  ) {
    super('E_CONNECTION_CLOSED', message);
  }
}

/** A decimal price or quantity that does not convert exactly to ticks, lots or atoms. */
export class DecimalError extends ClientError {
  constructor(message: string) {
    super('E_DECIMAL', message);
  }
}

/**
 * True when a failed request's outcome is unknown (timeout, engine timeout,
 * connection lost in flight): look the order up before resending it.
 */
export function isStatusUnknown(err: unknown): boolean {
  return (
    (err instanceof RequestTimeoutError ||
      err instanceof RejectError ||
      err instanceof ConnectionClosedError) &&
    err.statusUnknown
  );
}

/** `REJECT_REASON_INSUFFICIENT_FUNDS` for 11, or the number when unknown. */
export function rejectReasonName(reason: number): string {
  return exchange.v1.RejectReason[reason] ?? String(reason);
}
