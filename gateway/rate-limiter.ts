// Per-key order rate limit (api_keys.orders_per_10s) as a sliding window of
// RATE_WINDOW_MS made of RATE_BUCKET_MS buckets: exact to one bucket, 400 B
// per key, O(1) per order. New orders and amends count (a batch counts each
// item); cancels never count and are always allowed. Enforced per gateway:
// a key spread over N gateways can place up to N x its limit (documented).
import { RATE_BUCKET_MS, RATE_WINDOW_MS } from './limits';

const BUCKETS = RATE_WINDOW_MS / RATE_BUCKET_MS;

export interface RateDecision {
  readonly ok: boolean;
  /** Orders counted in the window (after this one when ok). */
  readonly used: number;
  /** When refused: how long until the request would fit. */
  readonly retryAfterMs: number;
}

export class OrderRateLimiter {
  private readonly buckets = new Uint32Array(BUCKETS);
  private sum = 0;
  /** Absolute bucket number (time / RATE_BUCKET_MS) of the newest bucket. */
  private headSlot = 0;

  constructor(public limit: number) {}

  private advance(nowMs: number): void {
    const slot = Math.floor(nowMs / RATE_BUCKET_MS);
    const steps = slot - this.headSlot;
    if (steps <= 0) return;
    if (steps >= BUCKETS) {
      this.buckets.fill(0);
      this.sum = 0;
    } else {
      for (let s = this.headSlot + 1; s <= slot; s++) {
        const i = s % BUCKETS;
        this.sum -= this.buckets[i]!;
        this.buckets[i] = 0;
      }
    }
    this.headSlot = slot;
  }

  /** Orders counted in the current window. */
  used(nowMs: number): number {
    this.advance(nowMs);
    return this.sum;
  }

  /** Counts n orders if they fit. */
  take(n: number, nowMs: number): RateDecision {
    this.advance(nowMs);
    if (this.sum + n <= this.limit) {
      this.buckets[this.headSlot % BUCKETS]! += n;
      this.sum += n;
      return { ok: true, used: this.sum, retryAfterMs: 0 };
    }
    if (n > this.limit) return { ok: false, used: this.sum, retryAfterMs: RATE_WINDOW_MS };
    // Oldest buckets leave the window first: find when enough have left.
    const need = this.sum + n - this.limit;
    let freed = 0;
    for (let k = 0; k < BUCKETS; k++) {
      const slot = this.headSlot - BUCKETS + 1 + k;
      freed += this.buckets[((slot % BUCKETS) + BUCKETS) % BUCKETS]!;
      if (freed >= need) {
        const expiresAtMs = (slot + BUCKETS) * RATE_BUCKET_MS;
        return { ok: false, used: this.sum, retryAfterMs: Math.max(1, expiresAtMs - nowMs) };
      }
    }
    return { ok: false, used: this.sum, retryAfterMs: RATE_WINDOW_MS };
  }
}
