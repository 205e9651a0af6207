// The logon security matrix over real connections: each refusal has its own
// reason, a revoked key's live session is cut within a second, signed logons
// are single-use and time-boxed, sessions per key are capped across
// gateways, order rates per key are limited (cancels still pass), and every
// logon, failure and key use lands in audit_logs.
import { sign } from 'node:crypto';
import { isIP } from 'node:net';
import t, { type Test } from 'tap';
import { exchange } from '../../proto';
import { logonPayload } from '../api-keys';
import { MAX_CLIENT_ORDER_ID_LENGTH } from '../limits';
import { CloseCode } from '../protocol';
import {
  type ExchangeEnv,
  eventually,
  limitOrder,
  MARKET_ID,
  startExchange,
  type TestKey,
} from './helpers/exchange-env';
import { type ServerMessage, TestClient } from './helpers/test-client';

const v1 = exchange.v1;
const R = v1.RejectReason;

let env: ExchangeEnv;
t.before(async () => {
  env = await startExchange({
    users: [
      ['dave', 2001],
      ['erin', 2002],
    ],
  });
});
t.teardown(() => env.stop());

async function connect(url = env.gateway.wsUrl): Promise<TestClient> {
  return TestClient.connect(url);
}

function signedLogon(
  key: TestKey,
  timestampUs: number,
  nonce = Buffer.from('00112233445566778899aabbccddeeff', 'hex'),
): exchange.v1.ILogon {
  const signature = sign(null, logonPayload(key.prefix, timestampUs, nonce), key.privateKey!);
  return { apiKeyPrefix: key.prefix, timestampUs, nonce, signature };
}

/** Logs on and expects a refusal: Reject(reason), SessionClosing, close 4003. */
async function refused(
  t: Test,
  logon: exchange.v1.ILogon,
  reason: number,
  url?: string,
): Promise<ServerMessage> {
  const c = await connect(url);
  const r = await c.logon(logon);
  t.equal(r.body, 'reject', `refused: ${JSON.stringify(r)}`);
  t.equal(r.reject?.reason, reason, `reason ${R[reason]}`);
  const info = await c.ws.closed;
  t.equal(info.code, CloseCode.LOGON_REFUSED, 'closed 4003');
  t.ok(
    c.all().some((m) => m.body === 'sessionClosing'),
    'SessionClosing before the close',
  );
  return r;
}

t.test('nothing but ping before logon', async (t) => {
  const c = await connect();
  t.teardown(() => c.close());
  const r = await c.request({ newOrder: limitOrder('buy', 10, 1) });
  t.equal(r.reject?.reason, R.REJECT_REASON_NOT_LOGGED_ON);
  const s = await c.request({
    subscribe: { subscriptions: [{ channel: v1.Channel.CHANNEL_REPORTS }] },
  });
  t.equal(s.reject?.reason, R.REJECT_REASON_NOT_LOGGED_ON);
  const p = await c.request({ ping: { clientTimeUs: 42 } });
  t.equal(p.body, 'pong');
  t.equal(p.pong?.clientTimeUs, 42);
  t.notOk(c.ws.isClosed, 'the connection stays open');
});

t.test('each refused logon has its own reason', async (t) => {
  const dave = env.user('dave');
  const good = await env.addKey(dave, { ed25519: true });
  const plain = await env.addKey(dave);
  await refused(
    t,
    { apiKeyPrefix: 'tk_nosuchkey', apiSecret: 'x' },
    R.REJECT_REASON_AUTH_UNKNOWN_KEY,
  );
  await refused(
    t,
    { apiKeyPrefix: good.prefix, apiSecret: `${good.secret}x` },
    R.REJECT_REASON_AUTH_BAD_SECRET,
  );
  const revoked = await env.addKey(dave);
  await env.db.sql`update api_keys set revoked_at = now() where id = ${revoked.id}`;
  await refused(
    t,
    { apiKeyPrefix: revoked.prefix, apiSecret: revoked.secret },
    R.REJECT_REASON_AUTH_KEY_REVOKED,
  );
  const elsewhere = await env.addKey(dave, { ipWhitelist: ['10.0.0.0/8', '2001:db8::/32'] });
  await refused(
    t,
    { apiKeyPrefix: elsewhere.prefix, apiSecret: elsewhere.secret },
    R.REJECT_REASON_AUTH_IP_NOT_ALLOWED,
  );
  const now = Date.now() * 1000;
  await refused(t, signedLogon(good, now - 6_000_000), R.REJECT_REASON_AUTH_STALE_TIMESTAMP);
  await refused(t, signedLogon(good, now + 3_000_000), R.REJECT_REASON_AUTH_STALE_TIMESTAMP);
  await refused(
    t,
    { ...signedLogon(good, now), recvWindowMs: 60_001 },
    R.REJECT_REASON_MALFORMED_MESSAGE,
  );
  const forged = signedLogon(good, now);
  (forged.signature as Buffer)[5]! ^= 1;
  await refused(t, forged, R.REJECT_REASON_AUTH_BAD_SIGNATURE);
  const noKey = signedLogon({ ...plain, privateKey: good.privateKey }, now);
  await refused(t, noKey, R.REJECT_REASON_AUTH_BAD_SIGNATURE);

  // A signed logon works once; the same signed logon replayed is refused.
  const once = signedLogon(good, Date.now() * 1000, Buffer.from('a1a2a3a4a5a6a7a8', 'hex'));
  const c = await connect();
  t.teardown(() => c.close());
  const ok = await c.logon(once);
  t.equal(ok.body, 'logonAck', 'signed logon inside the window');
  t.equal(ok.logonAck?.accountId, 2001);
  await refused(t, once, R.REJECT_REASON_AUTH_NONCE_REUSED);
  // A recv window of 60 s accepts an older timestamp.
  const c2 = await connect();
  t.teardown(() => c2.close());
  const wide = await c2.logon({
    ...signedLogon(good, Date.now() * 1000 - 30_000_000, Buffer.from('b1b2b3b4b5b6b7b8', 'hex')),
    recvWindowMs: 60_000,
  });
  t.equal(wide.body, 'logonAck');
  const again = await c2.logon({ apiKeyPrefix: good.prefix, apiSecret: good.secret });
  t.equal(again.reject?.reason, R.REJECT_REASON_ALREADY_LOGGED_ON);

  const allowed = await env.addKey(dave, { ipWhitelist: ['10.0.0.0/8', '127.0.0.0/8'] });
  const c3 = await connect();
  t.teardown(() => c3.close());
  t.equal(
    (await c3.logon({ apiKeyPrefix: allowed.prefix, apiSecret: allowed.secret })).body,
    'logonAck',
    'CIDR match',
  );

  const suspended = await env.addUser('suspended', 2003);
  const sk = await env.addKey(suspended);
  await env.db.sql`update users set status = 'suspended' where id = ${suspended.userId}`;
  await refused(
    t,
    { apiKeyPrefix: sk.prefix, apiSecret: sk.secret },
    R.REJECT_REASON_PERMISSION_DENIED,
  );
});

t.test('IPv6: single addresses and ranges against the real remote address', async (t) => {
  if (isIP('::1') !== 6) return;
  let gw6: Awaited<ReturnType<ExchangeEnv['startGateway']>>;
  try {
    gw6 = await env.startGateway({ config: { gatewayHost: '::1' } });
  } catch {
    t.comment('no IPv6 loopback here');
    return;
  }
  const dave = env.user('dave');
  const v6 = await env.addKey(dave, { ipWhitelist: ['::1/128'] });
  const v4only = await env.addKey(dave, { ipWhitelist: ['127.0.0.1'] });
  const c = await connect(gw6.wsUrl);
  t.teardown(() => c.close());
  t.equal((await c.logon({ apiKeyPrefix: v6.prefix, apiSecret: v6.secret })).body, 'logonAck');
  await refused(
    t,
    { apiKeyPrefix: v4only.prefix, apiSecret: v4only.secret },
    R.REJECT_REASON_AUTH_IP_NOT_ALLOWED,
    gw6.wsUrl,
  );
});

t.test('revoking a key cuts its live sessions within a second', async (t) => {
  const key = await env.addKey(env.user('dave'));
  const sessions = await Promise.all([connect(), connect()]);
  for (const c of sessions)
    t.equal((await c.logon({ apiKeyPrefix: key.prefix, apiSecret: key.secret })).body, 'logonAck');
  const t0 = Date.now();
  await env.db.sql`update api_keys set revoked_at = now() where id = ${key.id}`;
  for (const c of sessions) {
    const info = await c.ws.closed;
    t.equal(info.code, CloseCode.KEY_REVOKED);
    const closing = c.all().find((m) => m.body === 'sessionClosing');
    t.equal(closing?.sessionClosing?.reason, R.REJECT_REASON_AUTH_KEY_REVOKED);
  }
  const ms = Date.now() - t0;
  t.ok(ms < 1_000, `cut after ${ms} ms`);
});

t.test('a read-only key may subscribe but not trade', async (t) => {
  const key = await env.addKey(env.user('erin'), { scopes: ['read'] });
  const c = await connect();
  t.teardown(() => c.close());
  const ack = await c.logon({ apiKeyPrefix: key.prefix, apiSecret: key.secret });
  t.same(ack.logonAck?.scopes, ['read']);
  const r = await c.request({ newOrder: limitOrder('buy', 10, 1) });
  t.equal(r.reject?.reason, R.REJECT_REASON_PERMISSION_DENIED);
  t.ok(r.rateLimit !== null && r.rateLimit !== undefined, 'usage on order-entry responses');
  t.equal((await c.request({ cancelAll: {} })).reject?.reason, R.REJECT_REASON_PERMISSION_DENIED);
  t.equal(
    (await c.request({ deadManSwitch: { timeoutMs: 5_000 } })).reject?.reason,
    R.REJECT_REASON_PERMISSION_DENIED,
  );
  const s = await c.request({
    subscribe: { subscriptions: [{ channel: v1.Channel.CHANNEL_BOOK, marketId: MARKET_ID }] },
  });
  t.equal(s.body, 'subscribe');
});

t.test('sessions per key are capped, across gateways', async (t) => {
  const key = await env.addKey(env.user('erin'), { maxSessions: 1 });
  const other = await env.startGateway();
  const a = await connect();
  t.equal((await a.logon({ apiKeyPrefix: key.prefix, apiSecret: key.secret })).body, 'logonAck');
  await refused(
    t,
    { apiKeyPrefix: key.prefix, apiSecret: key.secret },
    R.REJECT_REASON_TOO_MANY_SESSIONS,
  );
  await refused(
    t,
    { apiKeyPrefix: key.prefix, apiSecret: key.secret },
    R.REJECT_REASON_TOO_MANY_SESSIONS,
    other.wsUrl,
  );
  a.close();
  await a.ws.closed;
  // The lease is released asynchronously (Redis); a refused logon closes its
  // connection (4003), so each attempt needs a fresh connection.
  let b: Awaited<ReturnType<typeof connect>> | undefined;
  t.teardown(() => b?.close());
  await eventually(
    async () => {
      b?.close();
      b = await connect(other.wsUrl);
      const r = await b
        .logon({ apiKeyPrefix: key.prefix, apiSecret: key.secret })
        .catch(() => undefined);
      return r?.body === 'logonAck';
    },
    3_000,
    'the slot is released',
  ).catch(() => t.fail('slot not released'));
});

t.test(
  'order rate limit per key: RATE_LIMITED with retry-after, cancels still allowed',
  async (t) => {
    const key = await env.addKey(env.user('erin'), { ordersPer10s: 5 });
    const c = await connect();
    t.teardown(() => c.close());
    await c.logon({ apiKeyPrefix: key.prefix, apiSecret: key.secret });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await c.request({ newOrder: limitOrder('buy', 5 + i, 1) });
      t.equal(r.rateLimit?.ordersUsed, i + 1);
      t.equal(r.rateLimit?.ordersLimit, 5);
      t.equal(r.rateLimit?.windowMs, 10_000);
      ids.push(r.orderResponse!.acks[0]!.orderId);
    }
    const limited = await c.request({ newOrder: limitOrder('buy', 11, 1) });
    t.equal(limited.reject?.reason, R.REJECT_REASON_RATE_LIMITED);
    t.ok(
      (limited.rateLimit?.retryAfterMs ?? 0) > 0 &&
        (limited.rateLimit?.retryAfterMs ?? 0) <= 10_000,
      'retry after',
    );
    const batch = await c.request({
      newOrderBatch: { orders: [limitOrder('buy', 3, 1), limitOrder('buy', 3, 1)] },
    });
    t.equal(batch.reject?.reason, R.REJECT_REASON_RATE_LIMITED);
    const cancel = await c.request({ cancelOrder: { marketId: MARKET_ID, orderId: ids[0]! } });
    t.equal(
      cancel.orderResponse?.acks[0]?.status,
      v1.OrderStatus.ORDER_STATUS_CANCELED,
      'cancels pass',
    );
    const all = await c.request({ cancelAll: { marketId: MARKET_ID } });
    t.equal(all.orderResponse?.acks.length, 4);
  },
);

t.test('64-bit numbers above 2^53-1 are refused, not rounded', async (t) => {
  const key = await env.addKey(env.user('erin'));
  const c = await connect();
  t.teardown(() => c.close());
  await c.logon({ apiKeyPrefix: key.prefix, apiSecret: key.secret });
  const r = await c.request({ newOrder: limitOrder('buy', 2 ** 60, 1) });
  t.equal(r.reject?.reason, R.REJECT_REASON_NUMBER_OUT_OF_RANGE);
  const r2 = await c.request({ cancelOrder: { marketId: MARKET_ID, orderId: 2 ** 54 + 2 } });
  t.equal(r2.reject?.reason, R.REJECT_REASON_NUMBER_OUT_OF_RANGE);
  const b = await c.request({
    newOrderBatch: { orders: [limitOrder('buy', 1, 2 ** 55), limitOrder('buy', 1, 1)] },
  });
  t.same(
    b.orderResponse?.acks.map((a: ServerMessage) => a.rejectReason),
    [R.REJECT_REASON_NUMBER_OUT_OF_RANGE, 0],
    'a batch item is rejected on its own',
  );
  const big = await c.request({
    newOrderBatch: { orders: Array.from({ length: 51 }, () => limitOrder('buy', 1, 1)) },
  });
  t.equal(big.reject?.reason, R.REJECT_REASON_BATCH_TOO_LARGE);
  const unknownMarket = await c.request({ newOrder: { ...limitOrder('buy', 1, 1), marketId: 99 } });
  t.equal(unknownMarket.reject?.reason, R.REJECT_REASON_MARKET_UNKNOWN);
  const longCid = await c.request({
    newOrder: {
      ...limitOrder('buy', 1, 1),
      clientOrderId: 'x'.repeat(MAX_CLIENT_ORDER_ID_LENGTH + 1),
    },
  });
  t.equal(longCid.reject?.reason, R.REJECT_REASON_INVALID_CLIENT_ORDER_ID);
  // A negative enum takes the general path (the hot one writes unsigned varints only): still refused.
  const negative = await c.request({
    newOrder: { ...limitOrder('buy', 1, 1), side: -1 as exchange.v1.Side },
  });
  t.not(
    negative.orderResponse?.acks[0]?.rejectReason ?? negative.reject?.reason ?? 0,
    0,
    'a negative side is refused with a reason',
  );
  const ok = await c.request({ newOrder: limitOrder('buy', 1, 1) });
  t.equal(ok.orderResponse?.acks[0]?.rejectReason ?? -1, 0, 'the session still trades');
});

t.test('logons, failures, key use and closes are audited', async (t) => {
  const key = await env.addKey(env.user('erin'));
  const c = await connect();
  await c.logon({ apiKeyPrefix: key.prefix, apiSecret: key.secret });
  await c.request({ newOrder: limitOrder('buy', 2, 1) });
  await c.request({ newOrder: limitOrder('buy', 2, 1) });
  c.close();
  await c.ws.closed;
  await refused(
    t,
    { apiKeyPrefix: key.prefix, apiSecret: 'wrong' },
    R.REJECT_REASON_AUTH_BAD_SECRET,
  );
  const rows = await eventually(
    async () => {
      const r = await env.db.sql<{ action: string; metadata: Record<string, unknown> }[]>`
      select action, metadata from audit_logs where actor_id = ${key.id} order by created_at, action`;
      return r.length >= 4 ? r : undefined;
    },
    5_000,
    'audit rows',
  );
  const actions = rows!.map((r) => r.action).sort();
  t.same(
    actions,
    ['api_key.logon', 'api_key.logon_failed', 'api_key.session_closed', 'api_key.used'],
    'key use written once',
  );
  const failed = rows!.find((r) => r.action === 'api_key.logon_failed')!;
  t.equal(failed.metadata.reason, 'REJECT_REASON_AUTH_BAD_SECRET');
  t.equal(failed.metadata.ip, '127.0.0.1');
  const unknown = await env.db.sql`
    select 1 from audit_logs where actor_type = 'system' and action = 'api_key.logon_failed' and metadata->>'prefix' = 'tk_nosuchkey'`;
  t.ok(unknown.length >= 1, 'failures with an unknown key are audited too');
  // last_used_at is written after the audit rows, by the same background flush.
  const used = await eventually(
    async () => {
      const [row] = await env.db.sql<
        { last_used_at: Date | null }[]
      >`select last_used_at from api_keys where id = ${key.id}`;
      return row?.last_used_at instanceof Date ? row : undefined;
    },
    5_000,
    'last_used_at',
  ).catch(() => undefined);
  t.ok(used?.last_used_at instanceof Date, 'last_used_at set');
});
