// Sessions per API key across every gateway (api_keys.max_sessions): a Redis
// sorted set per key, `gw:sessions:{<key id>}`, whose members are session ids
// scored by lease expiry. Logon adds a member only if fewer than max live
// ones exist (one Lua script, atomic across gateways); each gateway refreshes
// its sessions' leases every SESSION_LEASE_REFRESH_MS and removes them on
// close. A gateway that dies leaves leases that lapse within SESSION_LEASE_MS,
// so a crash never locks a key out for longer than that. If Redis cannot be
// reached the gateway falls back to counting its own sessions (logged).
import type Redis from 'ioredis';
import type { Logger } from '../common/logger';
import { SESSION_LEASE_MS } from './limits';

const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

type AcquireFn = (
  key: string,
  now: number,
  expiry: number,
  max: number,
  member: string,
  ttl: number,
) => Promise<number>;

export function leaseKey(keyId: string): string {
  return `gw:sessions:{${keyId}}`;
}

export class SessionLeases {
  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
  ) {
    redis.defineCommand('gwAcquireSession', { numberOfKeys: 1, lua: ACQUIRE });
  }

  /**
   * True when the session may start; localCount is this gateway's sessions of
   * the key (the fallback when Redis fails).
   */
  async acquire(
    keyId: string,
    sessionId: string,
    max: number,
    localCount: number,
  ): Promise<boolean> {
    const now = Date.now();
    try {
      const fn = (this.redis as unknown as { gwAcquireSession: AcquireFn }).gwAcquireSession.bind(
        this.redis,
      );
      return (
        (await fn(
          leaseKey(keyId),
          now,
          now + SESSION_LEASE_MS,
          max,
          sessionId,
          SESSION_LEASE_MS * 2,
        )) === 1
      );
    } catch (err) {
      this.log.warn(
        { err: (err as Error).message },
        'session lease unavailable; counting this gateway only',
      );
      return localCount < max;
    }
  }

  async release(keyId: string, sessionId: string): Promise<void> {
    try {
      await this.redis.zrem(leaseKey(keyId), sessionId);
    } catch (err) {
      this.log.warn(
        { err: (err as Error).message },
        'session lease release failed (it will lapse)',
      );
    }
  }

  /** Extends the leases of live sessions. */
  async refresh(sessions: Iterable<{ keyId: string; sessionId: string }>): Promise<void> {
    const expiry = Date.now() + SESSION_LEASE_MS;
    const p = this.redis.pipeline();
    let n = 0;
    for (const s of sessions) {
      p.zadd(leaseKey(s.keyId), 'XX', expiry, s.sessionId);
      p.pexpire(leaseKey(s.keyId), SESSION_LEASE_MS * 2);
      n++;
    }
    if (n === 0) return;
    try {
      await p.exec();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'session lease refresh failed');
    }
  }
}
