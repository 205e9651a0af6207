// scripts/admin.ts against Postgres and a real engine process: seeding is
// idempotent, deposits are credited once through the engine, inexact markets
// are refused before anything is written, keys store only the secret's hash,
// and the CLI reports usage errors with exit code 2.
import t from 'tap';
import { loadConfig } from '../../common/config';
import {
  buildEngineOnce,
  type EngineHandle,
  type PrivateRedis,
  startEngine,
  startRedis,
} from '../../engine/process/harness';
import { hashApiSecret } from '../../gateway/api-keys';
import {
  type AdminContext,
  addMarketCommand,
  connectEngine,
  createApiKey,
  deposit,
  type EngineCommands,
  ensureDemoTrader,
  ensureFeeTier,
  ensureMarket,
  main,
  parseFlags,
  revokeApiKey,
  seedReferenceData,
} from '../../scripts/admin';
import { createTestDatabase, type TestDatabase } from '../../sql';

t.test('admin against Postgres and the engine', async (t) => {
  buildEngineOnce();
  const redis: PrivateRedis = await startRedis();
  const db: TestDatabase = await createTestDatabase('admin');
  const engine: EngineHandle = await startEngine({ REDIS_URL: redis.url });
  let link: EngineCommands | undefined;
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: db.url,
    ENGINE_PORT: String(engine.port),
    ENGINE_SOCKET: '',
  });
  const commands: string[] = [];
  const ctx: AdminContext = {
    sql: db.sql,
    config,
    engine: async () => {
      link ??= await connectEngine(config, 'admin-test');
      const l = link;
      return {
        shardId: l.shardId,
        lastSeq: l.lastSeq,
        close: () => l.close(),
        command: (c) => {
          commands.push(Object.keys(c)[0]!);
          return l.command(c);
        },
      };
    },
  };
  t.teardown(async () => {
    await link?.close();
    await engine.kill('SIGTERM');
    await redis.stop();
    await db.drop();
  });

  await t.test('seeding twice converges (no duplicates, engine answers "exists")', async (t) => {
    await seedReferenceData(ctx, 1);
    const a = await ensureDemoTrader(ctx, { email: 'Demo@Example.com', keyLabel: 'demo' });
    t.ok(a.key !== undefined, 'a key the first time');
    await seedReferenceData(ctx, 1);
    const b = await ensureDemoTrader(ctx, { email: 'demo@example.com', keyLabel: 'demo' });
    t.equal(b.key, undefined, 'no second key');
    t.equal(b.existingKeyPrefix, a.key!.prefix);
    t.equal(b.engineAccountId, a.engineAccountId);
    const [counts] = await db.sql<
      {
        assets: number;
        markets: number;
        tiers: number;
        accounts: number;
        deposits: number;
        keys: number;
      }[]
    >`
      select (select count(*)::int from assets) as assets, (select count(*)::int from markets) as markets,
             (select count(*)::int from fee_tiers) as tiers, (select count(*)::int from accounts) as accounts,
             (select count(*)::int from deposits) as deposits, (select count(*)::int from api_keys) as keys`;
    t.same(counts, { assets: 3, markets: 2, tiers: 3, accounts: 3, deposits: 3, keys: 1 });
    const [k] = await db.sql<{ key_hash: string }[]>`select key_hash from api_keys`;
    t.equal(
      k!.key_hash,
      hashApiSecret(a.key!.secret),
      'only the hash (the gateway hash) is stored',
    );
    t.notOk(
      JSON.stringify(await db.sql`select * from api_keys`).includes(a.key!.secret),
      'never the secret',
    );
  });

  await t.test('a deposit is credited once per txid', async (t) => {
    const acct = (await ensureDemoTrader(ctx, { email: 'dep@example.com', balances: {} }))
      .engineAccountId;
    const first = await deposit(ctx, {
      engineAccountId: acct,
      asset: 'btc',
      amount: '1.5',
      txid: 'tx-1',
    });
    t.equal(first.status, 'credited');
    const again = await deposit(ctx, {
      engineAccountId: acct,
      asset: 'BTC',
      amount: '1.5',
      txid: 'tx-1',
    });
    t.equal(again.status, 'already_credited');
    t.equal(again.refId, first.refId);
    await t.rejects(
      deposit(ctx, { engineAccountId: acct, asset: 'BTC', amount: '2', txid: 'tx-1' }),
      /another account or amount/,
    );
    await t.rejects(
      deposit(ctx, { engineAccountId: acct, asset: 'BTC', amount: '0.000000001' }),
      /more than 8 decimals/,
    );
  });

  await t.test('inexact markets are refused before anything is written', async (t) => {
    commands.length = 0;
    await t.rejects(
      ensureMarket(ctx, {
        symbol: 'ETH-BTC',
        tickSize: '0.000000001',
        lotSize: '0.001',
        minQuantity: '0.001',
        minNotional: '0.0001',
      }),
      /finer than the quote asset's atom/,
    );
    await t.rejects(
      ensureMarket(ctx, {
        symbol: 'ETH-BTC',
        tickSize: '0.00001',
        lotSize: '0.001',
        minQuantity: '0.0015',
        minNotional: '0.0001',
      }),
      /not a positive multiple of the lot size/,
    );
    t.same(commands, [], 'nothing sent to the engine');
    const [m] = await db.sql`select count(*)::int as n from markets where symbol = 'ETH-BTC'`;
    t.equal(m!.n, 0);
    await t.rejects(
      ensureMarket(ctx, {
        symbol: 'BTC-USDT',
        tickSize: '0.1',
        lotSize: '0.0001',
        minQuantity: '0.0001',
        minNotional: '1',
      }),
      /already exists with tick size 0\.01/,
    );
  });

  t.test('ADD_MARKET scales are exact and within 2^53', async (t) => {
    const cmd = addMarketCommand(
      {
        symbol: 'BTC-USDT',
        base_asset: 'BTC',
        quote_asset: 'USDT',
        status: 'active',
        engine_market_id: 1,
        shard_id: 0,
        tick_size: '0.01',
        lot_size: '0.0001',
        min_quantity: '0.0001',
        min_notional: '1',
        price_band_bps: 500,
      },
      { symbol: 'BTC', precision: 8, engineAssetId: 1 },
      { symbol: 'USDT', precision: 6, engineAssetId: 2 },
    );
    t.equal(cmd.baseAtomsPerLot, 10_000);
    t.equal(cmd.quoteAtomsPerTickLot, 1);
    t.equal(cmd.minQtyLots, 1);
    t.equal(cmd.minNotionalAtoms, 1_000_000);
    t.ok(
      cmd.maxPriceTicks! * cmd.maxQtyLots! * cmd.quoteAtomsPerTickLot! <= Number.MAX_SAFE_INTEGER,
    );
    t.ok(cmd.maxPriceTicks! >= 90_000_000, 'prices up to 900,000 USDT');
  });

  await t.test('fee tier changes reach the accounts on the tier', async (t) => {
    commands.length = 0;
    const r = await ensureFeeTier(ctx, {
      name: 'base',
      makerFeeBps: 8,
      takerFeeBps: 18,
      minVolume: '0',
    });
    t.equal(r.changed, true);
    t.equal(r.accounts, 2, 'demo@ and dep@ are on the base tier');
    t.same(commands, ['setFees', 'setFees']);
    await t.rejects(
      ensureFeeTier(ctx, { name: 'x', makerFeeBps: -500, takerFeeBps: 1, minVolume: '0' }),
      /maker fee -500/,
    );
  });

  await t.test('keys: scopes, IP list and Ed25519 checked; revoke is idempotent', async (t) => {
    await t.rejects(
      createApiKey(ctx, { email: 'demo@example.com', scopes: ['root'] }),
      /unknown scope/,
    );
    await t.rejects(
      createApiKey(ctx, { email: 'demo@example.com', ipWhitelist: ['10.0.0.0/33'] }),
      /not an IP address or CIDR/,
    );
    await t.rejects(
      createApiKey(ctx, { email: 'nobody@example.com' }),
      /no user nobody@example.com/,
    );
    const k = await createApiKey(ctx, {
      email: 'demo@example.com',
      scopes: ['read'],
      ipWhitelist: ['127.0.0.1', '10.0.0.0/8'],
    });
    t.equal(await revokeApiKey(ctx, k.prefix), true);
    t.equal(await revokeApiKey(ctx, k.prefix), false);
  });

  t.test('CLI parsing and usage errors', async (t) => {
    t.same(
      [...parseFlags(['--a', 'b', '--c=d', '--flag', '--n', '-5'])],
      [
        ['a', 'b'],
        ['c', 'd'],
        ['flag', true],
        ['n', '-5'],
      ],
    );
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    t.equal(await main(['no-such-command'], io), 2);
    t.match(lines.join('\n'), /unknown command "no-such-command"/);
    t.equal(await main(['create-user', '--emial', 'x@y'], io), 2);
    t.match(lines.join('\n'), /unknown option --emial/);
    t.equal(await main(['create-key', '--help'], io), 0);
    t.match(lines.join('\n'), /--ed25519-public-key/);
    t.equal(await main([], io), 2);
  });
});
