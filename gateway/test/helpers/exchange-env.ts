// A whole exchange for gateway tests: a fresh migrated Postgres database, a
// private redis-server, the real engine process (engine/process harness,
// `node dist/engine/process/main.js`) and the gateway under test on a free
// port. Reference data is defined in Postgres and sent to the engine as
// commands over a link (ADD_ASSET, ADD_MARKET, ADD_ACCOUNT, DEPOSIT), the way
// operators do; users, accounts and API keys are rows in the test database.
import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import pino from 'pino';
import {
  buildEngineOnce,
  type EngineHandle,
  type PrivateRedis,
  startEngine,
  startRedis,
} from '../../../engine/process/harness';
import { exchange } from '../../../proto';
import { LinkClient } from '../../../proto/link-client';
import { createTestDatabase, type TestDatabase } from '../../../sql';
import {
  type GatewayHandle,
  hashApiSecret,
  type StartGatewayOptions,
  startGateway,
} from '../../index';

export const MARKET_ID = 1;
export const BTC = 1;
export const USD = 2;

/** BTC-USD: tick 1 USD, lot 0.01 BTC; BTC has 8 decimals, USD 2 (1 tick x 1 lot = 1 cent). */
export const MARKET_CONFIG: exchange.v1.IAddMarket = {
  marketId: MARKET_ID,
  baseAssetId: BTC,
  quoteAssetId: USD,
  baseAtomsPerLot: 1_000_000,
  quoteAtomsPerTickLot: 1,
  minQtyLots: 1,
  maxQtyLots: 1_000_000,
  maxPriceTicks: 1_000_000,
  minNotionalAtoms: 0,
  priceBandBps: 1_000,
  allowSelfTrade: false,
  status: exchange.v1.MarketStatus.MARKET_STATUS_ACTIVE,
};

export interface KeySpec {
  scopes?: string[];
  ipWhitelist?: unknown;
  ed25519?: boolean;
  maxSessions?: number;
  ordersPer10s?: number;
}

export interface TestKey {
  readonly id: string;
  readonly prefix: string;
  readonly secret: string;
  readonly privateKey: KeyObject | undefined;
}

export interface TestUser {
  readonly userId: string;
  readonly accountId: number;
}

export interface ExchangeEnv {
  readonly db: TestDatabase;
  readonly redis: PrivateRedis;
  readonly engine: EngineHandle;
  readonly admin: LinkClient;
  gateway: GatewayHandle;
  user(name: string): TestUser;
  /** Creates a user with a funded spot account (Postgres row + engine ADD_ACCOUNT and deposits). */
  addUser(name: string, accountId: number): Promise<TestUser>;
  addKey(user: TestUser, spec?: KeySpec): Promise<TestKey>;
  /** Starts another gateway on the same exchange. */
  startGateway(options?: StartGatewayOptions): Promise<GatewayHandle>;
  stop(): Promise<void>;
}

export const silentLogger = pino({ level: process.env.GATEWAY_TEST_LOG ?? 'silent' });

export interface EnvOptions {
  users?: Array<[name: string, accountId: number]>;
  gateway?: StartGatewayOptions;
  engineEnv?: Record<string, string>;
}

let refIds = 1;

export async function startExchange(options: EnvOptions = {}): Promise<ExchangeEnv> {
  buildEngineOnce();
  const db = await createTestDatabase('gateway');
  const redis = await startRedis();
  const engine = await startEngine({ REDIS_URL: redis.url, SHARD_ID: '0', ...options.engineEnv });
  const admin = await LinkClient.connect({ port: engine.port });
  await admin.hello('gateway-test-admin');
  const command = async (c: exchange.v1.ICommand): Promise<void> => {
    const m = await admin.command(c);
    if (!m.result || m.result.rejectReason !== 0)
      throw new Error(`engine refused ${JSON.stringify(c)}: ${JSON.stringify(m.toJSON())}`);
  };
  await db.sql`insert into assets (symbol, precision, engine_asset_id) values ('BTC', 8, ${BTC}), ('USD', 2, ${USD})`;
  await db.sql`
    insert into markets (symbol, base_asset, quote_asset, engine_market_id, shard_id, tick_size, lot_size,
                         min_quantity, min_notional, price_band_bps)
    values ('BTC-USD', 'BTC', 'USD', ${MARKET_ID}, 0, 1, 0.01, 0.01, 0.01, 1000)`;
  await command({ addAsset: { assetId: BTC } });
  await command({ addAsset: { assetId: USD } });
  await command({ addMarket: MARKET_CONFIG });

  const users = new Map<string, TestUser>();
  const addUser = async (name: string, accountId: number): Promise<TestUser> => {
    const [u] = await db.sql<{ id: string }[]>`
      insert into users (email, password_hash) values (${`${name}-${randomBytes(3).toString('hex')}@example.com`}, 'x')
      returning id`;
    await db.sql`insert into accounts (user_id, type, engine_account_id) values (${u!.id}, 'spot', ${accountId})`;
    await command({ addAccount: { accountId, makerFeeBps: 2, takerFeeBps: 5 } });
    await command({ deposit: { accountId, assetId: BTC, amountAtoms: 1e14, refId: refIds++ } });
    await command({ deposit: { accountId, assetId: USD, amountAtoms: 1e14, refId: refIds++ } });
    const user = { userId: u!.id, accountId };
    users.set(name, user);
    return user;
  };
  for (const [name, id] of options.users ?? []) await addUser(name, id);

  const addKey = async (user: TestUser, spec: KeySpec = {}): Promise<TestKey> => {
    const prefix = `tk_${randomBytes(6).toString('hex')}`;
    const secret = randomBytes(32).toString('base64url');
    let privateKey: KeyObject | undefined;
    let publicRaw: Buffer | null = null;
    if (spec.ed25519) {
      const pair = generateKeyPairSync('ed25519');
      privateKey = pair.privateKey;
      publicRaw = Buffer.from(pair.publicKey.export({ format: 'jwk' }).x as string, 'base64url');
    }
    const [row] = await db.sql<{ id: string }[]>`
      insert into api_keys (user_id, prefix, key_hash, scopes, ip_whitelist, ed25519_public_key, max_sessions, orders_per_10s)
      values (${user.userId}, ${prefix}, ${hashApiSecret(secret)}, ${spec.scopes ?? ['read', 'trade']},
              ${spec.ipWhitelist === undefined ? null : db.sql.json(spec.ipWhitelist as never)},
              ${publicRaw}, ${spec.maxSessions ?? 5}, ${spec.ordersPer10s ?? 1000})
      returning id`;
    return { id: row!.id, prefix, secret, privateKey };
  };

  const start = (o: StartGatewayOptions = {}): Promise<GatewayHandle> =>
    startGateway({
      logger: silentLogger,
      waitForEngineMs: 15_000,
      ...o,
      env: { ...process.env, ...o.env },
      config: {
        databaseUrl: db.url,
        redisUrl: redis.url,
        gatewayHost: '127.0.0.1',
        gatewayPort: 0,
        ...o.config,
      },
      gateway: {
        gatewayId: `gw-test-${randomBytes(2).toString('hex')}`,
        shards: [{ shardId: 0, host: '127.0.0.1', port: engine.port }],
        engineTimeoutMs: 3_000,
        linkReconnectMs: 100,
        ...o.gateway,
      },
    });
  const gateway = await start(options.gateway);
  const extra: GatewayHandle[] = [];
  const env: ExchangeEnv = {
    db,
    redis,
    engine,
    admin,
    gateway,
    user: (name) => {
      const u = users.get(name);
      if (u === undefined) throw new Error(`no user ${name}`);
      return u;
    },
    addUser,
    addKey,
    async startGateway(o) {
      const g = await start(o);
      extra.push(g);
      return g;
    },
    async stop() {
      for (const g of extra) await g.close().catch(() => {});
      await env.gateway.close().catch(() => {});
      await admin.close(1_000).catch(() => {});
      await engine.kill('SIGKILL');
      await redis.stop();
      await db.drop();
    },
  };
  return env;
}

/** Polls until fn() is truthy. */
export async function eventually<T>(
  fn: () => T | Promise<T>,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function limitOrder(
  side: 'buy' | 'sell',
  priceTicks: number,
  qtyLots: number,
  clientOrderId = '',
  extra: Partial<exchange.v1.INewOrder> = {},
): exchange.v1.INewOrder {
  return {
    marketId: MARKET_ID,
    side: side === 'buy' ? exchange.v1.Side.SIDE_BUY : exchange.v1.Side.SIDE_SELL,
    orderType: exchange.v1.OrderType.ORDER_TYPE_LIMIT,
    timeInForce: exchange.v1.TimeInForce.TIME_IN_FORCE_GTC,
    priceTicks,
    qtyLots,
    clientOrderId,
    ...extra,
  };
}
