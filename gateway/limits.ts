// Every fixed limit of the gateway in one place, with what it costs in
// memory. assertLimits() runs when a gateway starts so a bad edit fails fast.
// Tunable settings (ports, intervals, timeouts, shard endpoints) live in
// gateway-config.ts and are checked against these bounds.
import { assert } from '../common/errors';
import { MAX_BATCH_ITEMS as ENGINE_MAX_BATCH_ITEMS, MAX_ORDERS } from '../engine/constants';

// ---------------------------------------------------------------- frames

/**
 * Largest client frame the gateway decodes. A NewOrderBatch of
 * MAX_BATCH_ITEMS orders is ~50 x 70 B = 3.5 KB, so 16 KiB is generous.
 * A frame above it (up to UWS_MAX_PAYLOAD_BYTES) closes the connection with
 * SessionClosing(MESSAGE_TOO_LARGE) and close code 1009.
 */
export const MAX_FRAME_BYTES = 16 * 1024;

/**
 * uWS maxPayloadLength: what uWS reassembles before handing a message to the
 * gateway (per connection at most this is buffered). Frames between
 * MAX_FRAME_BYTES and this get the clean 1009 close above; uWS itself drops
 * the TCP connection without a close frame for anything larger.
 */
export const UWS_MAX_PAYLOAD_BYTES = 1024 * 1024;

/** Items in one NewOrderBatch / CancelOrderBatch: the engine's MAX_BATCH_ITEMS (50). */
export const MAX_BATCH_ITEMS = ENGINE_MAX_BATCH_ITEMS;

/** Longest client order id (the engine's own check is ^[A-Za-z0-9_-]{1,36}$). */
export const MAX_CLIENT_ORDER_ID_LENGTH = 36;

/** Bad frames (undecodable, text, wrong type) one connection may send before it is closed (1008). */
export const MAX_BAD_FRAMES_PER_CONNECTION = 1_000;

// ---------------------------------------------------------------- sessions

/**
 * WebSocket connections one gateway accepts; more are refused at upgrade
 * (HTTP 503). Each costs ~3 KiB (uWS socket + Session) plus its send buffer,
 * bounded by UWS_MAX_BACKPRESSURE_BYTES: worst case 4096 x 2 MiB = 8 GiB, in
 * practice a few KiB each.
 */
export const MAX_CONNECTIONS = 4_096;

/** A connection must log on within this long or it is closed (4001). */
export const LOGON_TIMEOUT_MS = 10_000;

/** Server Heartbeat interval: the default and the bounds a Logon may choose from. */
export const HEARTBEAT_DEFAULT_MS = 10_000;
export const HEARTBEAT_MIN_MS = 1_000;
export const HEARTBEAT_MAX_MS = 60_000;

/**
 * A logged-on session that sends nothing (no request, no Ping, no WebSocket
 * ping) for this many heartbeat intervals is closed (4008) and its
 * cancel-on-disconnect fires.
 */
export const IDLE_TIMEOUT_HEARTBEATS = 3;

/** How often the session sweeper runs (heartbeats, idle and logon timeouts). */
export const SESSION_SWEEP_MS = 250;

/** Subscriptions one session may hold (market x channel). */
export const MAX_SUBSCRIPTIONS_PER_SESSION = 1_024;

/**
 * Engine requests one session may have in flight; more are refused
 * RATE_LIMITED. Bounds a link's pending ring: at most MAX_CONNECTIONS x this
 * = 1M requests in flight: a ring of up to 2M reused slots of ~64 B (~130 MiB)
 * at worst, plus each request's callback while it waits.
 */
export const MAX_IN_FLIGHT_PER_SESSION = 256;

// ---------------------------------------------------------------- auth

/** Signed logon: receive window default and maximum (Binance recvWindow), and future tolerance. */
export const RECV_WINDOW_DEFAULT_MS = 5_000;
export const RECV_WINDOW_MAX_MS = 60_000;
export const LOGON_FUTURE_TOLERANCE_MS = 1_000;
/** Nonce length bounds for signed logon (the SDK sends 16 bytes). */
export const NONCE_MIN_BYTES = 8;
export const NONCE_MAX_BYTES = 64;
/** Longest api_secret / api_key_prefix read (the schema caps prefixes at 64 chars). */
export const MAX_SECRET_LENGTH = 256;
export const MAX_PREFIX_LENGTH = 64;

/**
 * API keys cached by prefix (~1 KiB each: 50k ~ 50 MiB). Entries are
 * refreshed by the revocation poller, so revocation needs no TTL; unknown
 * prefixes are remembered NEGATIVE_KEY_CACHE_MS so a flood of bad prefixes
 * does not reach Postgres.
 */
export const KEY_CACHE_MAX_ENTRIES = 50_000;
export const NEGATIVE_KEY_CACHE_MS = 2_000;
export const NEGATIVE_KEY_CACHE_MAX_ENTRIES = 10_000;

/**
 * Every session of a key revoked in Postgres is cut within this long: the
 * gateway polls api_keys rows changed since its last poll (updated_at moves
 * on every UPDATE, revocation included).
 */
export const KEY_POLL_MS = 250;
/** The poll re-reads this far behind its watermark, for transactions that commit late. */
export const KEY_POLL_OVERLAP_MS = 5_000;

/** Sessions of one key across all gateways are tracked in Redis; an entry lives this long unless refreshed. */
export const SESSION_LEASE_MS = 30_000;
export const SESSION_LEASE_REFRESH_MS = 10_000;

// ---------------------------------------------------------------- rate limits

/** Order rate limit window (api_keys.orders_per_10s) and its resolution (a ring of buckets per key: 400 B). */
export const RATE_WINDOW_MS = 10_000;
export const RATE_BUCKET_MS = 100;

// ---------------------------------------------------------------- audit

/** Audit rows are written in batches off the order path; the queue is bounded (overflow is counted and logged). */
export const AUDIT_FLUSH_MS = 250;
export const AUDIT_BATCH_ROWS = 500;
export const AUDIT_QUEUE_MAX = 50_000; // ~300 B each: 15 MiB
/** "api_key.used" is written at most once per key per this long. */
export const KEY_USE_AUDIT_INTERVAL_MS = 60_000;

// ---------------------------------------------------------------- market data

/**
 * Slow consumers. Above MD_SOFT_LIMIT_BYTES of unsent data a session stops
 * receiving market data (unsubscribed, ResyncRequired(SLOW_CONSUMER) per
 * market); above MD_HARD_LIMIT_BYTES it is disconnected (4009). uWS itself
 * closes a socket whose buffer would pass UWS_MAX_BACKPRESSURE_BYTES.
 * Order entry of other sessions is unaffected (each socket has its own buffer).
 */
export const MD_SOFT_LIMIT_BYTES = 256 * 1024;
export const MD_HARD_LIMIT_BYTES = 1024 * 1024;
export const UWS_MAX_BACKPRESSURE_BYTES = 2 * 1024 * 1024;
/** How often buffered amounts of market-data subscribers are checked. */
export const SLOW_CONSUMER_SWEEP_MS = 50;

/** Public trades kept per market for REST (~100 B each: 1000 x 4095 markets ~ 400 MiB worst case). */
export const TRADE_RING_SIZE = 1_000;
/** REST book depth: default and maximum levels per side. */
export const REST_BOOK_DEFAULT_DEPTH = 100;
export const REST_BOOK_MAX_DEPTH = 5_000;

// ---------------------------------------------------------------- engine link and journal

/**
 * Open orders the gateway tracks for execution reports (~200 B each). The
 * engine's own pool cap (MAX_ORDERS, 4M) bounds it: ~800 MiB worst case.
 */
export const MAX_TRACKED_ORDERS = MAX_ORDERS;

/** Largest link frame the gateway reads from the engine (engine entries are bounded by its batch size). */
export const MAX_LINK_FRAME_BYTES = 64 * 1024 * 1024;

/** Journal entries read per XRANGE (each at most a few MiB). */
export const JOURNAL_READ_COUNT = 256;

/** A hole in the seq stream from the link is filled from the journal after this long. */
export const GAP_FILL_DELAY_MS = 20;

/**
 * Report replay: at most this many journal commands are read for one
 * ReplayReportsRequest (beyond: REPLAY_UNAVAILABLE), and at most this many
 * replays run at once per gateway (others wait).
 */
export const REPLAY_MAX_SCAN_COMMANDS = 2_000_000;
export const REPLAY_MAX_CONCURRENT = 4;
/** Live reports held for a session while its replay runs (~300 B each); beyond, the session is closed (4009). */
export const REPLAY_MAX_HELD_REPORTS = 100_000;

/**
 * report_seq = engine seq * REPORT_SEQ_MULTIPLIER + ordinal of the report
 * among this account's reports of that command. Seqs up to 2^53 / 4096 =
 * 2.2e12 fit exactly. A command producing more than 4096 reports for one
 * account gives the extra ones the last ordinal (documented limit).
 */
export const REPORT_SEQ_MULTIPLIER = 4_096;

/** Dead-man's switch timeout bounds (Bybit DCP 3-300 s; Kraken re-arms every 15-30 s). */
export const DMS_MIN_TIMEOUT_MS = 1_000;
export const DMS_MAX_TIMEOUT_MS = 600_000;

export function assertLimits(): void {
  assert(MAX_BATCH_ITEMS * 200 < MAX_FRAME_BYTES, 'a full batch fits one frame');
  assert(
    MAX_FRAME_BYTES < UWS_MAX_PAYLOAD_BYTES,
    'oversized frames reach the gateway for a 1009 close',
  );
  assert(MD_SOFT_LIMIT_BYTES < MD_HARD_LIMIT_BYTES, 'soft slow-consumer limit below the hard one');
  assert(
    MD_HARD_LIMIT_BYTES < UWS_MAX_BACKPRESSURE_BYTES,
    'the gateway closes slow consumers before uWS drops their messages',
  );
  assert(
    MAX_CONNECTIONS * UWS_MAX_BACKPRESSURE_BYTES <= 8 * 1024 ** 3,
    'worst-case send buffers stay within 8 GiB',
  );
  assert(
    HEARTBEAT_MIN_MS <= HEARTBEAT_DEFAULT_MS && HEARTBEAT_DEFAULT_MS <= HEARTBEAT_MAX_MS,
    'heartbeat bounds',
  );
  assert(
    SESSION_SWEEP_MS * 2 <= HEARTBEAT_MIN_MS,
    'the sweeper runs often enough for the fastest heartbeat',
  );
  assert(RECV_WINDOW_DEFAULT_MS <= RECV_WINDOW_MAX_MS, 'recv window bounds');
  assert(RATE_WINDOW_MS % RATE_BUCKET_MS === 0, 'the rate window is whole buckets');
  assert(KEY_POLL_MS * 4 <= 1_000, 'revocation reaches live sessions within a second');
  assert(
    SESSION_LEASE_REFRESH_MS * 2 < SESSION_LEASE_MS,
    'session leases are refreshed before they lapse',
  );
  assert(
    REPORT_SEQ_MULTIPLIER >= 2 && Number.isSafeInteger(REPORT_SEQ_MULTIPLIER * 2 ** 40),
    'report seq space',
  );
  assert(DMS_MIN_TIMEOUT_MS < DMS_MAX_TIMEOUT_MS, 'dead-man switch bounds');
  assert(AUDIT_BATCH_ROWS <= AUDIT_QUEUE_MAX, 'audit batch within its queue');
  assert(MAX_BAD_FRAMES_PER_CONNECTION >= 1, 'bad-frame limit positive');
}
