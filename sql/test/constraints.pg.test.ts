// The database itself refuses bad rows: append-only tables, enumerations, signs, uniqueness.
import type { Sql } from 'postgres';
import t from 'tap';
import { createTestDatabase } from '../test-database';

interface Fixture {
  userId: string;
  accountId: string;
  treasuryAccountId: string;
  marketId: string;
  ledgerAccountId: string;
  treasuryLedgerAccountId: string;
}

async function insertFixture(sql: Sql): Promise<Fixture> {
  const [user] = await sql<{ id: string }[]>`
    insert into users (email, password_hash) values ('alice@example.com', 'x') returning id`;
  const [account] = await sql<{ id: string }[]>`
    insert into accounts (user_id, type) values (${user.id}, 'spot') returning id`;
  const [treasury] = await sql<{ id: string }[]>`
    insert into accounts (type, engine_account_id) values ('treasury', 1) returning id`;
  await sql`
    insert into assets (symbol, precision, engine_asset_id)
    values ('BTC', 8, 1), ('USD', 2, 2)`;
  const [market] = await sql<{ id: string }[]>`
    insert into markets (symbol, base_asset, quote_asset, engine_market_id,
                         tick_size, lot_size, min_quantity, min_notional)
    values ('BTC-USD', 'BTC', 'USD', 1, 0.01, 0.00000001, 0.00001, 1)
    returning id`;
  const [la] = await sql<{ id: string }[]>`
    insert into ledger_accounts (account_id, asset, balance_available)
    values (${account.id}, 'BTC', 1) returning id`;
  const [tla] = await sql<{ id: string }[]>`
    insert into ledger_accounts (account_id, asset, balance_available)
    values (${treasury.id}, 'BTC', -1) returning id`;
  return {
    userId: user.id,
    accountId: account.id,
    treasuryAccountId: treasury.id,
    marketId: market.id,
    ledgerAccountId: la.id,
    treasuryLedgerAccountId: tla.id,
  };
}

let nextEngineOrderId = 1;

/** Inserts a valid order; `overrides` replace columns. Returns the row id. */
async function insertOrder(
  sql: Sql,
  f: Fixture,
  overrides: Record<string, string | number | boolean | null> = {},
): Promise<string> {
  const row = {
    account_id: f.accountId,
    symbol: 'BTC-USD',
    market_id: f.marketId,
    side: 'buy',
    type: 'limit',
    price: '100.5',
    quantity: '2',
    status: 'new',
    shard_id: 0,
    engine_order_id: nextEngineOrderId++,
    last_journal_seq: 1,
    ...overrides,
  };
  const [o] = await sql<{ id: string }[]>`insert into orders ${sql(row)} returning id`;
  return o.id;
}

t.test('constraints', async (t) => {
  const db = await createTestDatabase('sql_constraints');
  t.teardown(() => db.drop());
  const { sql } = db;
  const f: Fixture = await insertFixture(sql);

  t.test('ledger_entries and audit_logs are append-only', async (t) => {
    const transfer = '00000000-0000-4000-8000-000000000001';
    const [entry] = await sql<{ id: string }[]>`
      insert into ledger_entries (ledger_account_id, entry_type, amount, reference_type,
                                  reference_id, journal_seq, shard_id, transfer_id)
      values (${f.ledgerAccountId}, 'credit', 1, 'deposit', gen_random_uuid(), 1, 0, ${transfer})
      returning id`;
    const [log] = await sql<{ id: string }[]>`
      insert into audit_logs (actor_id, actor_type, action, entity_type, entity_id)
      values (${f.userId}, 'user', 'login', 'user', ${f.userId}) returning id`;

    const cases = [
      ['ledger_entries', entry.id],
      ['audit_logs', log.id],
    ] as const;
    for (const [table, id] of cases) {
      await t.rejects(sql`update ${sql(table)} set created_at = now() where id = ${id}`, {
        code: 'P0001',
        message: `${table} is append-only: UPDATE is not allowed`,
      });
      await t.rejects(sql`delete from ${sql(table)} where id = ${id}`, {
        code: 'P0001',
        message: `${table} is append-only: DELETE is not allowed`,
      });
      await t.rejects(sql`truncate ${sql(table)} cascade`, {
        code: 'P0001',
        message: `${table} is append-only: TRUNCATE is not allowed`,
      });
      // Replica mode skips ordinary triggers; these are ENABLE ALWAYS.
      await t.rejects(
        sql.begin(async (tx) => {
          await tx`set local session_replication_role = replica`;
          await tx`delete from ${sql(table)} where id = ${id}`;
        }),
        { code: 'P0001' },
        `${table}: replica mode does not bypass the guard`,
      );
      const [{ n }] = await sql<{ n: number }[]>`
        select count(*)::int as n from ${sql(table)} where id = ${id}`;
      t.equal(n, 1, `${table} row still there`);
    }
  });

  // Each case: a statement that must fail, the SQLSTATE and the constraint that catches it.
  const violations: [string, () => Promise<unknown>, string, string][] = [
    [
      'negative ledger amount',
      () => sql`
        insert into ledger_entries (ledger_account_id, entry_type, amount, reference_type,
                                    reference_id, journal_seq, shard_id, transfer_id)
        values (${f.ledgerAccountId}, 'debit', -1, 'trade', gen_random_uuid(), 2, 0,
                gen_random_uuid())`,
      '23514',
      'ledger_entries_amount_check',
    ],
    [
      'unknown entry type',
      () => sql`
        insert into ledger_entries (ledger_account_id, entry_type, amount, reference_type,
                                    reference_id, journal_seq, shard_id, transfer_id)
        values (${f.ledgerAccountId}, 'refund', 1, 'trade', gen_random_uuid(), 2, 0,
                gen_random_uuid())`,
      '23514',
      'ledger_entries_entry_type_check',
    ],
    [
      'unknown order status',
      () => insertOrder(sql, f, { status: 'open' }),
      '23514',
      'orders_status_check',
    ],
    [
      'filled quantity above quantity',
      () =>
        insertOrder(sql, f, {
          status: 'partially_filled',
          filled_quantity: '3',
          average_price: '100',
        }),
      '23514',
      'orders_filled_quantity_check',
    ],
    [
      'order symbol that disagrees with market_id',
      () =>
        sql`insert into markets (symbol, base_asset, quote_asset, engine_market_id, tick_size,
                                 lot_size, min_quantity, min_notional)
            values ('USD-BTC', 'USD', 'BTC', 99, 1, 1, 1, 1)`.then(() =>
          insertOrder(sql, f, { symbol: 'USD-BTC' }),
        ),
      '23503',
      'orders_market_fkey',
    ],
    [
      'second ledger account for the same account and asset',
      () => sql`insert into ledger_accounts (account_id, asset) values (${f.accountId}, 'BTC')`,
      '23505',
      'ledger_accounts_account_id_asset_key',
    ],
    [
      'negative available balance',
      () => sql`
        update ledger_accounts set balance_available = -0.00000001 where id = ${f.ledgerAccountId}`,
      '23514',
      'ledger_accounts_balance_available_check',
    ],
    [
      'negative locked balance (even treasury)',
      () => sql`
        update ledger_accounts set balance_locked = -1 where id = ${f.treasuryLedgerAccountId}`,
      '23514',
      'ledger_accounts_balance_locked_check',
    ],
    [
      'ledger account claiming a type its account does not have',
      () => sql`
        insert into ledger_accounts (account_id, asset, account_type, balance_available)
        values (${f.accountId}, 'USD', 'treasury', -5)`,
      '23503',
      'ledger_accounts_account_type_fkey',
    ],
    [
      'duplicate deposit txid for the same asset',
      async () => {
        const ins = () => sql`
          insert into deposits (account_id, asset, amount, txid)
          values (${f.accountId}, 'BTC', 1, 'tx-1')`;
        await ins();
        await ins();
      },
      '23505',
      'deposits_asset_txid_key',
    ],
    [
      'duplicate api key prefix',
      async () => {
        const ins = () => sql`
          insert into api_keys (user_id, prefix, key_hash, scopes)
          values (${f.userId}, 'ak_live_1', 'h', array['read', 'trade'])`;
        await ins();
        await ins();
      },
      '23505',
      'api_keys_prefix_key',
    ],
    [
      'unknown api key scope',
      () => sql`
        insert into api_keys (user_id, prefix, key_hash, scopes)
        values (${f.userId}, 'ak_live_2', 'h', array['read', 'god'])`,
      '23514',
      'api_keys_scopes_check',
    ],
    [
      'empty api key scopes',
      () => sql`
        insert into api_keys (user_id, prefix, key_hash, scopes)
        values (${f.userId}, 'ak_live_3', 'h', '{}')`,
      '23514',
      'api_keys_scopes_check',
    ],
    [
      'duplicate open client_order_id for one account',
      async () => {
        await insertOrder(sql, f, { client_order_id: 'c-1' });
        await insertOrder(sql, f, {
          client_order_id: 'c-1',
          status: 'partially_filled',
          filled_quantity: '1',
          average_price: '100',
        });
      },
      '23505',
      'orders_open_client_order_id_key',
    ],
    [
      'bad account type',
      () => sql`insert into accounts (user_id, type) values (${f.userId}, 'margin')`,
      '23514',
      'accounts_type_check',
    ],
    [
      'spot account without a user',
      () => sql`insert into accounts (type) values ('spot')`,
      '23514',
      'accounts_user_id_check',
    ],
    [
      'second treasury account',
      () => sql`insert into accounts (type) values ('treasury')`,
      '23505',
      'accounts_one_per_system_type',
    ],
    [
      'market with base = quote',
      () => sql`
        insert into markets (symbol, base_asset, quote_asset, engine_market_id, tick_size,
                             lot_size, min_quantity, min_notional)
        values ('BTC-BTC', 'BTC', 'BTC', 7, 1, 1, 1, 1)`,
      '23514',
      'markets_distinct_assets_check',
    ],
    [
      'fee tier maker bps beyond -10000',
      () => sql`
        insert into fee_tiers (name, maker_fee_bps, taker_fee_bps) values ('vip', -10001, 5)`,
      '23514',
      'fee_tiers_maker_fee_bps_check',
    ],
    [
      'mixed-case email',
      () => sql`insert into users (email, password_hash) values ('Bob@example.com', 'x')`,
      '23514',
      'users_email_lowercase',
    ],
    [
      'completed withdrawal without txid',
      () => sql`
        insert into withdrawals (account_id, asset, address, amount, status, journal_seq)
        values (${f.accountId}, 'BTC', 'bc1q', 1, 'completed', 5)`,
      '23514',
      'withdrawals_completed_txid_check',
    ],
    [
      'overlapping settlement ranges on one shard',
      async () => {
        await sql`insert into settlement_applied_ranges (shard_id, first_seq, last_seq)
                  values (0, 1, 100)`;
        await sql`insert into settlement_applied_ranges (shard_id, first_seq, last_seq)
                  values (0, 100, 200)`;
      },
      '23P01',
      'settlement_applied_ranges_no_overlap',
    ],
  ];

  t.test('constraint violations fail', async (t) => {
    for (const [what, run, code, constraint] of violations) {
      await t.rejects(run(), { code, constraint_name: constraint }, what);
    }
  });

  t.test('valid edge cases are accepted', async (t) => {
    // Client order ids may be reused once the earlier order is closed, and by other accounts.
    await insertOrder(sql, f, { client_order_id: 'c-2', status: 'canceled' });
    await insertOrder(sql, f, { client_order_id: 'c-2' });
    // The treasury account mirrors external holdings, so its available balance may be negative.
    await sql`update ledger_accounts set balance_available = -10
              where id = ${f.treasuryLedgerAccountId}`;
    // account_type is filled in from accounts when omitted.
    const [la] = await sql<{ account_type: string }[]>`
      insert into ledger_accounts (account_id, asset) values (${f.accountId}, 'USD')
      returning account_type`;
    t.equal(la.account_type, 'spot');
    // Maker rebates are negative fees; settlement ranges on other shards do not overlap.
    await sql`insert into fee_tiers (name, maker_fee_bps, taker_fee_bps) values ('mm', -2, 4)`;
    await sql`insert into settlement_applied_ranges (shard_id, first_seq, last_seq)
              values (1, 1, 100)`;
    // remaining_quantity is derived, and updated_at moves on update.
    const id = await insertOrder(sql, f, { quantity: '5' });
    const [before] = await sql<{ updated_at: Date }[]>`
      select updated_at from orders where id = ${id}`;
    await sql`select pg_sleep(0.01)`;
    const [o] = await sql<{ remaining_quantity: string; updated_at: Date }[]>`
      update orders set filled_quantity = 2, average_price = 100.5, status = 'partially_filled',
                        last_journal_seq = 2
      where id = ${id} returning remaining_quantity, updated_at`;
    t.equal(o.remaining_quantity, '3');
    t.ok(o.updated_at > before.updated_at, 'updated_at maintained by trigger');
    // Engine account ids are generated when not given.
    const [a] = await sql<{ engine_account_id: string }[]>`
      insert into accounts (user_id) values (${f.userId}) returning engine_account_id`;
    t.ok(BigInt(a.engine_account_id) >= 1000n);
  });
});
