// Logon: API key by prefix (api-keys.ts), secret or Ed25519 signature inside
// the receive window with a single-use nonce (Redis SET NX, shared by every
// gateway), revocation, address allow list, scopes, the owner's spot account,
// sessions per key (session-leases.ts); every outcome is audited. Also what
// happens to live sessions when their key changes in Postgres.
import { type exchange, isSafeUint } from '../proto';
import { type ApiKeyRecord, secretMatches, signatureMatches } from './api-keys';
import { nowUs } from './clock';
import type { Gateway } from './gateway';
import {
  HEARTBEAT_DEFAULT_MS,
  HEARTBEAT_MAX_MS,
  HEARTBEAT_MIN_MS,
  LOGON_FUTURE_TOLERANCE_MS,
  MAX_FRAME_BYTES,
  MAX_PREFIX_LENGTH,
  MAX_SECRET_LENGTH,
  NONCE_MAX_BYTES,
  NONCE_MIN_BYTES,
  RECV_WINDOW_DEFAULT_MS,
  RECV_WINDOW_MAX_MS,
} from './limits';
import { CloseCode, Reason, reasonName, v1 } from './protocol';
import { OrderRateLimiter } from './rate-limiter';
import { type Session, SessionState } from './session';

/** Not narrowed by TypeScript across awaits: the close handler may run at any time. */
function isClosed(s: Session): boolean {
  return s.state === SessionState.CLOSED;
}

function addTo<K>(map: Map<K, Set<Session>>, key: K, s: Session): void {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  set.add(s);
}

export class LogonHandler {
  constructor(private readonly gw: Gateway) {}

  async onLogon(s: Session, rid: number, recvUs: number, l: exchange.v1.Logon): Promise<void> {
    if (s.state !== SessionState.CONNECTED) {
      this.gw.reject(
        s,
        rid,
        recvUs,
        Reason.REJECT_REASON_ALREADY_LOGGED_ON,
        'this connection has logged on already',
      );
      return;
    }
    s.state = SessionState.LOGGING_ON;
    let key: ApiKeyRecord | undefined;
    const fail = (reason: number, message: string): void => {
      this.gw.metrics.logonFailuresTotal++;
      this.gw.audit.record({
        actor_type: key !== undefined ? 'api_key' : 'system',
        actor_id: key?.id ?? null,
        action: 'api_key.logon_failed',
        entity_type: key !== undefined ? 'api_key' : null,
        entity_id: key?.id ?? null,
        metadata: {
          prefix: String(l.apiKeyPrefix).slice(0, MAX_PREFIX_LENGTH),
          ip: s.remoteAddress,
          reason: reasonName(reason),
          session: s.id,
        },
      });
      if (isClosed(s)) return;
      this.gw.reject(s, rid, recvUs, reason, message);
      this.gw.closeSession(s, CloseCode.LOGON_REFUSED, reason, `logon refused: ${message}`);
    };
    try {
      const prefix = l.apiKeyPrefix;
      if (
        prefix.length === 0 ||
        prefix.length > MAX_PREFIX_LENGTH ||
        l.apiSecret.length > MAX_SECRET_LENGTH
      ) {
        fail(Reason.REJECT_REASON_AUTH_UNKNOWN_KEY, 'api_key_prefix missing or too long');
        return;
      }
      const signed = l.signature.length > 0;
      let recvWindowMs = RECV_WINDOW_DEFAULT_MS;
      if (signed) {
        recvWindowMs = l.recvWindowMs === 0 ? RECV_WINDOW_DEFAULT_MS : l.recvWindowMs;
        if (recvWindowMs > RECV_WINDOW_MAX_MS) {
          fail(
            Reason.REJECT_REASON_MALFORMED_MESSAGE,
            `recv_window_ms above ${RECV_WINDOW_MAX_MS}`,
          );
          return;
        }
        if (!isSafeUint(l.timestampUs)) {
          fail(Reason.REJECT_REASON_NUMBER_OUT_OF_RANGE, 'timestamp_us above 2^53-1');
          return;
        }
        if (l.nonce.length < NONCE_MIN_BYTES || l.nonce.length > NONCE_MAX_BYTES) {
          fail(
            Reason.REJECT_REASON_MALFORMED_MESSAGE,
            `nonce must be ${NONCE_MIN_BYTES}-${NONCE_MAX_BYTES} bytes`,
          );
          return;
        }
      }
      key = await this.gw.keys.get(prefix);
      if (isClosed(s)) return;
      if (key === undefined) {
        fail(Reason.REJECT_REASON_AUTH_UNKNOWN_KEY, 'unknown api key');
        return;
      }
      if (signed) {
        const nowUsNow = nowUs();
        if (
          l.timestampUs > nowUsNow + LOGON_FUTURE_TOLERANCE_MS * 1000 ||
          nowUsNow - l.timestampUs > recvWindowMs * 1000
        ) {
          fail(
            Reason.REJECT_REASON_AUTH_STALE_TIMESTAMP,
            `timestamp outside the ${recvWindowMs} ms receive window`,
          );
          return;
        }
        if (!signatureMatches(key, l.timestampUs, l.nonce, l.signature)) {
          fail(
            Reason.REJECT_REASON_AUTH_BAD_SIGNATURE,
            key.publicKey === undefined ? 'this key has no Ed25519 public key' : 'bad signature',
          );
          return;
        }
      } else if (!secretMatches(key, l.apiSecret)) {
        fail(Reason.REJECT_REASON_AUTH_BAD_SECRET, 'wrong api secret');
        return;
      }
      if (key.revoked) {
        fail(Reason.REJECT_REASON_AUTH_KEY_REVOKED, 'api key revoked');
        return;
      }
      if (!key.allowList.allows(s.remoteAddress)) {
        fail(
          Reason.REJECT_REASON_AUTH_IP_NOT_ALLOWED,
          `address ${s.remoteAddress} is not allowed for this key`,
        );
        return;
      }
      if (key.userStatus !== 'active') {
        fail(Reason.REJECT_REASON_PERMISSION_DENIED, `user is ${key.userStatus}`);
        return;
      }
      if (!key.scopes.includes('read') && !key.scopes.includes('trade')) {
        fail(Reason.REJECT_REASON_PERMISSION_DENIED, 'key has neither read nor trade scope');
        return;
      }
      if (key.accountId === 0) {
        fail(Reason.REJECT_REASON_ACCOUNT_UNKNOWN, 'the key owner has no spot account');
        return;
      }
      if (signed) {
        let fresh: boolean;
        try {
          const ttl = recvWindowMs + LOGON_FUTURE_TOLERANCE_MS + 1_000;
          const nonceKey = `gw:nonce:{${key.id}}:${Buffer.from(l.nonce).toString('hex')}`;
          fresh = (await this.gw.redis.set(nonceKey, '1', 'PX', ttl, 'NX')) === 'OK';
        } catch (err) {
          fail(Reason.REJECT_REASON_UNKNOWN, `nonce store unavailable: ${(err as Error).message}`);
          return;
        }
        if (isClosed(s)) return;
        if (!fresh) {
          fail(Reason.REJECT_REASON_AUTH_NONCE_REUSED, 'nonce already used');
          return;
        }
      }
      const local = this.gw.byKey.get(key.id)?.size ?? 0;
      const leased = await this.gw.leases.acquire(key.id, s.id, key.maxSessions, local);
      if (!leased) {
        fail(Reason.REJECT_REASON_TOO_MANY_SESSIONS, `key already has ${key.maxSessions} sessions`);
        return;
      }
      if (isClosed(s)) {
        void this.gw.leases.release(key.id, s.id);
        return;
      }
      this.activate(s, rid, recvUs, key, l, signed);
    } catch (err) {
      this.gw.log.error(
        { err: (err as Error).message, session: s.id },
        'logon failed unexpectedly',
      );
      fail(Reason.REJECT_REASON_UNKNOWN, 'logon could not be completed; try again');
    }
  }

  private activate(
    s: Session,
    rid: number,
    recvUs: number,
    key: ApiKeyRecord,
    l: exchange.v1.Logon,
    signed: boolean,
  ): void {
    s.state = SessionState.ACTIVE;
    s.key = key;
    s.accountId = key.accountId;
    s.scopes = key.scopes;
    s.canTrade = key.scopes.includes('trade');
    s.cancelOnDisconnect =
      l.cancelOnDisconnect === v1.CancelOnDisconnect.CANCEL_ON_DISCONNECT_SESSION ||
      l.cancelOnDisconnect === v1.CancelOnDisconnect.CANCEL_ON_DISCONNECT_ACCOUNT
        ? l.cancelOnDisconnect
        : v1.CancelOnDisconnect.CANCEL_ON_DISCONNECT_OFF;
    s.heartbeatMs =
      l.heartbeatIntervalMs === 0
        ? HEARTBEAT_DEFAULT_MS
        : Math.min(HEARTBEAT_MAX_MS, Math.max(HEARTBEAT_MIN_MS, l.heartbeatIntervalMs));
    const now = Date.now();
    s.lastRecvMs = now;
    s.nextHeartbeatMs = now + s.heartbeatMs;
    let limiter = this.gw.limiters.get(key.id);
    if (limiter === undefined) {
      limiter = new OrderRateLimiter(key.ordersPer10s);
      this.gw.limiters.set(key.id, limiter);
    }
    limiter.limit = key.ordersPer10s;
    s.limiter = limiter;
    addTo(this.gw.byKey, key.id, s);
    addTo(this.gw.byAccount, s.accountId, s);
    this.gw.metrics.logonsTotal++;
    this.gw.audit.record({
      actor_type: 'api_key',
      actor_id: key.id,
      action: 'api_key.logon',
      entity_type: 'api_key',
      entity_id: key.id,
      metadata: {
        ip: s.remoteAddress,
        session: s.id,
        signed,
        account: s.accountId,
        cancel_on_disconnect: s.cancelOnDisconnect,
      },
    });
    let lastReportSeq = 0;
    for (const b of this.gw.builders.values())
      lastReportSeq = Math.max(lastReportSeq, b.lastReportSeq.get(s.accountId) ?? 0);
    this.gw.reply(s, rid, recvUs, {
      logonAck: {
        sessionId: s.id,
        accountId: s.accountId,
        scopes: [...key.scopes],
        lastReportSeq,
        heartbeatIntervalMs: s.heartbeatMs,
        cancelOnDisconnect: s.cancelOnDisconnect,
        maxFrameBytes: MAX_FRAME_BYTES,
      },
    });
  }

  /** The poller saw a key change: cut, or update, its live sessions. */
  onKeyChanged(rec: ApiKeyRecord): void {
    const sessions = this.gw.byKey.get(rec.id);
    if (sessions === undefined) return;
    for (const s of [...sessions]) {
      if (rec.revoked) {
        this.gw.closeSession(
          s,
          CloseCode.KEY_REVOKED,
          Reason.REJECT_REASON_AUTH_KEY_REVOKED,
          'api key revoked',
        );
      } else if (!rec.allowList.allows(s.remoteAddress)) {
        this.gw.closeSession(
          s,
          CloseCode.KEY_REVOKED,
          Reason.REJECT_REASON_AUTH_IP_NOT_ALLOWED,
          'address no longer allowed for this key',
        );
      } else if (
        rec.userStatus !== 'active' ||
        (!rec.scopes.includes('read') && !rec.scopes.includes('trade'))
      ) {
        this.gw.closeSession(
          s,
          CloseCode.KEY_REVOKED,
          Reason.REJECT_REASON_PERMISSION_DENIED,
          'key or user no longer permitted',
        );
      } else {
        s.key = rec;
        s.scopes = rec.scopes;
        s.canTrade = rec.scopes.includes('trade');
        if (s.limiter !== undefined) s.limiter.limit = rec.ordersPer10s;
      }
    }
    if (rec.revoked) {
      this.gw.audit.record({
        actor_type: 'system',
        actor_id: null,
        action: 'api_key.sessions_cut',
        entity_type: 'api_key',
        entity_id: rec.id,
        metadata: { sessions: sessions.size, reason: 'revoked' },
      });
    }
  }
}
