// Request/response correlation. Each request gets an id the response echoes;
// in-flight requests live in a Map (insertion order = send order) and one
// shared timer sweeps expired ones, so there is no timer per request.
import { RequestTimeoutError } from './errors';

/** The kinds of request the client sends (used to shape results and errors). */
export type RequestKind =
  | 'logon'
  | 'newOrder'
  | 'newOrderBatch'
  | 'cancelOrder'
  | 'cancelOrderBatch'
  | 'cancelAll'
  | 'amendOrder'
  | 'orderStatus'
  | 'replayReports'
  | 'subscribe'
  | 'unsubscribe'
  | 'bookSnapshot'
  | 'deadManSwitch'
  | 'ping';

/** Requests whose effect may have happened when no answer came. */
const ORDER_ENTRY: ReadonlySet<RequestKind> = new Set<RequestKind>([
  'newOrder',
  'newOrderBatch',
  'cancelOrder',
  'cancelOrderBatch',
  'cancelAll',
  'amendOrder',
  'deadManSwitch',
]);

/** True for requests that change state in the engine. */
export function isOrderEntry(kind: RequestKind): boolean {
  return ORDER_ENTRY.has(kind);
}

/** One in-flight request. */
export interface PendingRequest {
  readonly id: number;
  readonly kind: RequestKind;
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly sentAt: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: Error) => void;
  /** Free slot for the caller (e.g. the market id of a book snapshot request). */
  readonly tag: number;
}

/** In-flight requests by id, with timeouts. */
export class PendingRequests {
  private readonly byId = new Map<number, PendingRequest>();
  private timer: NodeJS.Timeout | undefined;
  private nextId = 1;

  /**
   * @param sweepMs how often expired requests are looked for (timeout precision)
   * @param now clock in ms (injectable for tests)
   */
  constructor(
    private readonly sweepMs = 25,
    private readonly now: () => number = Date.now,
  ) {}

  /** Number in flight. */
  get size(): number {
    return this.byId.size;
  }

  /** A fresh request id (never 0, never reused by this client). */
  allocateId(): number {
    return this.nextId++;
  }

  /** Registers request `id`; the promise settles with the response (or a RequestTimeoutError). */
  add<T>(id: number, kind: RequestKind, timeoutMs: number, tag = 0): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const sentAt = this.now();
      this.byId.set(id, {
        id,
        kind,
        deadline: sentAt + timeoutMs,
        timeoutMs,
        sentAt,
        resolve: resolve as (value: unknown) => void,
        reject,
        tag,
      });
      if (this.timer === undefined) {
        this.timer = setInterval(this.sweep, this.sweepMs);
        this.timer.unref();
      }
    });
  }

  /** Removes and returns request `id` (undefined when unknown or already settled). */
  take(id: number): PendingRequest | undefined {
    const p = this.byId.get(id);
    if (p !== undefined) {
      this.byId.delete(id);
      if (this.byId.size === 0) this.stopTimer();
    }
    return p;
  }

  /** Rejects every request whose deadline passed. */
  readonly sweep = (): void => {
    const now = this.now();
    for (const p of this.byId.values()) {
      if (p.deadline <= now) {
        this.byId.delete(p.id);
        p.reject(new RequestTimeoutError(p.id, p.kind, p.timeoutMs, isOrderEntry(p.kind)));
      }
    }
    if (this.byId.size === 0) this.stopTimer();
  };

  /** Rejects every request in flight with `makeError(request)`. */
  rejectAll(makeError: (p: PendingRequest) => Error): void {
    const all = [...this.byId.values()];
    this.byId.clear();
    this.stopTimer();
    for (const p of all) p.reject(makeError(p));
  }

  private stopTimer(): void {
    if (this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
