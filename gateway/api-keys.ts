// API keys from Postgres (api_keys joined with the key owner's user row and
// spot account), cached by prefix. A poller reads the rows changed since its
// last poll every KEY_POLL_MS (updated_at moves on every UPDATE, revocation
// included) and reports each change, so revocation reaches live sessions
// within a second on every gateway without any extra trigger in the schema.
//
// Secrets: api_keys.key_hash holds the lowercase hex SHA-256 of the secret
// (optionally written "sha256:<hex>"). A plain hash without salt or stretching
// is enough because secrets are 256-bit random values, not passwords: there is
// nothing to guess by brute force, and a fast hash keeps logon cheap. The
// comparison is constant-time (crypto.timingSafeEqual).
import { createHash, createPublicKey, type KeyObject, timingSafeEqual, verify } from 'node:crypto';
import type { Sql } from 'postgres';
import type { Logger } from '../common/logger';
import { type AllowList, parseAllowList } from './ip-allowlist';
import {
  KEY_CACHE_MAX_ENTRIES,
  KEY_POLL_MS,
  KEY_POLL_OVERLAP_MS,
  NEGATIVE_KEY_CACHE_MAX_ENTRIES,
  NEGATIVE_KEY_CACHE_MS,
} from './limits';

export interface ApiKeyRecord {
  readonly id: string;
  readonly userId: string;
  readonly prefix: string;
  /** SHA-256 of the secret (32 bytes); undefined when key_hash is not in a known format. */
  readonly secretHash: Buffer | undefined;
  readonly scopes: readonly string[];
  readonly allowList: AllowList;
  readonly revoked: boolean;
  readonly publicKey: KeyObject | undefined;
  readonly maxSessions: number;
  readonly ordersPer10s: number;
  readonly userStatus: string;
  /** The owner's spot account in the engine (0: the user has none). */
  readonly accountId: number;
  readonly updatedAtMs: number;
}

/** The value to store in api_keys.key_hash for a secret. */
export function hashApiSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time check of a presented secret against the key's stored hash. */
export function secretMatches(key: ApiKeyRecord, secret: string): boolean {
  if (key.secretHash === undefined) return false;
  const presented = createHash('sha256').update(secret, 'utf8').digest();
  return timingSafeEqual(presented, key.secretHash);
}

/** The bytes a signed logon signs (client.proto Logon). */
export function logonPayload(prefix: string, timestampUs: number, nonce: Uint8Array): Buffer {
  return Buffer.from(`${prefix}\n${timestampUs}\n${Buffer.from(nonce).toString('hex')}`, 'utf8');
}

export function signatureMatches(
  key: ApiKeyRecord,
  timestampUs: number,
  nonce: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (key.publicKey === undefined || signature.length !== 64) return false;
  try {
    return verify(null, logonPayload(key.prefix, timestampUs, nonce), key.publicKey, signature);
  } catch {
    return false;
  }
}

/** DER SubjectPublicKeyInfo prefix of an Ed25519 key; the raw 32 bytes follow. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function publicKeyOf(raw: Buffer | null): KeyObject | undefined {
  if (raw === null || raw.length !== 32) return undefined;
  return createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, raw]),
    format: 'der',
    type: 'spki',
  });
}

function parseHash(text: string): Buffer | undefined {
  const hex = text.startsWith('sha256:') ? text.slice(7) : text;
  return /^[0-9a-fA-F]{64}$/.test(hex) ? Buffer.from(hex, 'hex') : undefined;
}

interface KeyRow {
  id: string;
  user_id: string;
  prefix: string;
  key_hash: string;
  scopes: string[];
  ip_whitelist: unknown;
  revoked_at: Date | null;
  ed25519_public_key: Buffer | null;
  max_sessions: number;
  orders_per_10s: number;
  updated_at: Date;
  user_status: string;
  account_id: number | null;
}

/** What the poller saw changing. */
export type KeyChangeListener = (key: ApiKeyRecord) => void;

export class ApiKeyStore {
  private readonly cache = new Map<string, ApiKeyRecord>();
  private readonly missing = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<ApiKeyRecord | undefined>>();
  /** Last updated_at seen per key id within the poll overlap (dedupes re-read rows). */
  private readonly seen = new Map<string, number>();
  private watermarkMs = 0;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly sql: Sql,
    private readonly log: Logger,
    private readonly onChange: KeyChangeListener,
  ) {}

  async start(): Promise<void> {
    const [row] = await this.sql<{ now: Date }[]>`select now() as now`;
    this.watermarkMs = row!.now.getTime();
    this.pollTimer = setInterval(() => void this.poll(), KEY_POLL_MS);
    this.pollTimer.unref();
  }

  stop(): void {
    if (this.pollTimer !== undefined) clearInterval(this.pollTimer);
  }

  /** The key with this prefix, or undefined (cached both ways). */
  async get(prefix: string): Promise<ApiKeyRecord | undefined> {
    const hit = this.cache.get(prefix);
    if (hit !== undefined) return hit;
    const missAt = this.missing.get(prefix);
    if (missAt !== undefined && Date.now() - missAt < NEGATIVE_KEY_CACHE_MS) return undefined;
    let p = this.inFlight.get(prefix);
    if (p === undefined) {
      p = this.load(prefix).finally(() => this.inFlight.delete(prefix));
      this.inFlight.set(prefix, p);
    }
    return p;
  }

  private async load(prefix: string): Promise<ApiKeyRecord | undefined> {
    const rows = await this.sql<KeyRow[]>`
      select k.id, k.user_id, k.prefix, k.key_hash, k.scopes, k.ip_whitelist, k.revoked_at,
             k.ed25519_public_key, k.max_sessions, k.orders_per_10s, k.updated_at,
             u.status as user_status,
             (select a.engine_account_id::int from accounts a
               where a.user_id = k.user_id and a.type = 'spot'
               order by a.created_at, a.engine_account_id limit 1) as account_id
      from api_keys k join users u on u.id = k.user_id
      where k.prefix = ${prefix}`;
    const row = rows[0];
    if (row === undefined) {
      if (this.missing.size >= NEGATIVE_KEY_CACHE_MAX_ENTRIES) this.missing.clear();
      this.missing.set(prefix, Date.now());
      return undefined;
    }
    const rec = this.toRecord(row);
    if (this.cache.size >= KEY_CACHE_MAX_ENTRIES) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(prefix, rec);
    this.missing.delete(prefix);
    return rec;
  }

  private toRecord(row: KeyRow): ApiKeyRecord {
    const allowList = parseAllowList(row.ip_whitelist);
    if (allowList.invalid.length > 0) {
      this.log.warn(
        { keyId: row.id, invalid: allowList.invalid },
        'api key ip_whitelist entries ignored',
      );
    }
    return {
      id: row.id,
      userId: row.user_id,
      prefix: row.prefix,
      secretHash: parseHash(row.key_hash),
      scopes: row.scopes,
      allowList,
      revoked: row.revoked_at !== null,
      publicKey: publicKeyOf(row.ed25519_public_key),
      maxSessions: row.max_sessions,
      ordersPer10s: row.orders_per_10s,
      userStatus: row.user_status,
      accountId: row.account_id ?? 0,
      updatedAtMs: row.updated_at.getTime(),
    };
  }

  /** Re-reads keys changed since the watermark; refreshes the cache and reports each change. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const since = new Date(this.watermarkMs - KEY_POLL_OVERLAP_MS);
      const rows = await this.sql<KeyRow[]>`
        select k.id, k.user_id, k.prefix, k.key_hash, k.scopes, k.ip_whitelist, k.revoked_at,
               k.ed25519_public_key, k.max_sessions, k.orders_per_10s, k.updated_at,
               u.status as user_status,
               (select a.engine_account_id::int from accounts a
                 where a.user_id = k.user_id and a.type = 'spot'
                 order by a.created_at, a.engine_account_id limit 1) as account_id
        from api_keys k join users u on u.id = k.user_id
        where k.updated_at > ${since}`;
      for (const row of rows) {
        const at = row.updated_at.getTime();
        if (at > this.watermarkMs) this.watermarkMs = at;
        if (this.seen.get(row.id) === at) continue;
        this.seen.set(row.id, at);
        const rec = this.toRecord(row);
        if (this.cache.has(rec.prefix)) this.cache.set(rec.prefix, rec);
        this.missing.delete(rec.prefix);
        this.onChange(rec);
      }
      const horizon = this.watermarkMs - 2 * KEY_POLL_OVERLAP_MS;
      for (const [id, at] of this.seen) if (at < horizon) this.seen.delete(id);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'api key poll failed');
    } finally {
      this.polling = false;
    }
  }
}
