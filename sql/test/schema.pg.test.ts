// The migrated schema contains every table and column of the seed schema with the seed's type,
// numeric columns stay unconstrained, and the design's additions are present.
import t from 'tap';
import { createTestDatabase } from '../test-database';

// The seed schema (shared/seed-schema.md) as data: table -> column -> seed type.
const SEED: Record<string, Record<string, string>> = {
  users: {
    id: 'uuid',
    email: 'text',
    password_hash: 'text',
    status: 'text',
    kyc_level: 'text',
    mfa_enabled: 'boolean',
    mfa_secret: 'text',
    created_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
  accounts: { id: 'uuid', user_id: 'uuid', type: 'text', created_at: 'timestamptz' },
  assets: { id: 'uuid', symbol: 'text', precision: 'int', status: 'text' },
  markets: {
    id: 'uuid',
    symbol: 'text',
    base_asset: 'text',
    quote_asset: 'text',
    status: 'text',
  },
  orders: {
    id: 'uuid',
    client_order_id: 'text',
    account_id: 'uuid',
    symbol: 'text',
    side: 'text',
    type: 'text',
    price: 'numeric',
    quantity: 'numeric',
    filled_quantity: 'numeric',
    status: 'text',
    time_in_force: 'text',
    created_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
  trades: {
    id: 'uuid',
    symbol: 'text',
    maker_order_id: 'uuid',
    taker_order_id: 'uuid',
    price: 'numeric',
    quantity: 'numeric',
    executed_at: 'timestamptz',
  },
  ledger_accounts: {
    id: 'uuid',
    account_id: 'uuid',
    asset: 'text',
    balance_available: 'numeric',
    balance_locked: 'numeric',
    updated_at: 'timestamptz',
  },
  ledger_entries: {
    id: 'uuid',
    ledger_account_id: 'uuid',
    entry_type: 'text',
    amount: 'numeric',
    reference_type: 'text',
    reference_id: 'uuid',
    created_at: 'timestamptz',
  },
  fee_tiers: {
    id: 'uuid',
    name: 'text',
    maker_fee_bps: 'int',
    taker_fee_bps: 'int',
    min_volume: 'numeric',
  },
  withdrawals: {
    id: 'uuid',
    account_id: 'uuid',
    asset: 'text',
    address: 'text',
    amount: 'numeric',
    status: 'text',
    created_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
  deposits: {
    id: 'uuid',
    account_id: 'uuid',
    asset: 'text',
    amount: 'numeric',
    txid: 'text',
    status: 'text',
    created_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
  audit_logs: {
    id: 'uuid',
    actor_id: 'uuid',
    actor_type: 'text',
    action: 'text',
    entity_type: 'text',
    entity_id: 'uuid',
    created_at: 'timestamptz',
    metadata: 'jsonb',
  },
  api_keys: {
    id: 'uuid',
    user_id: 'uuid',
    prefix: 'text',
    key_hash: 'text',
    scopes: 'text[]',
    ip_whitelist: 'jsonb',
    last_used_at: 'timestamptz',
    revoked_at: 'timestamptz',
    created_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
  refresh_tokens: {
    id: 'uuid',
    user_id: 'uuid',
    token_hash: 'text',
    expires_at: 'timestamptz',
    revoked_at: 'timestamptz',
    replaced_by: 'uuid',
    created_at: 'timestamptz',
    created_ip: 'text',
    user_agent: 'text',
  },
};

// Seed type name -> pg_catalog udt_name reported by information_schema.columns.
const UDT: Record<string, string> = {
  uuid: 'uuid',
  text: 'text',
  int: 'int4',
  bigint: 'int8',
  boolean: 'bool',
  numeric: 'numeric',
  timestamptz: 'timestamptz',
  jsonb: 'jsonb',
  bytea: 'bytea',
  'text[]': '_text',
};

// Columns the design adds (a sample of the ones other components rely on).
const ADDED: Record<string, Record<string, string>> = {
  assets: { engine_asset_id: 'int' },
  markets: {
    engine_market_id: 'int',
    shard_id: 'int',
    tick_size: 'numeric',
    lot_size: 'numeric',
    min_quantity: 'numeric',
    min_notional: 'numeric',
    price_band_bps: 'int',
  },
  accounts: { fee_tier_id: 'uuid', engine_account_id: 'bigint' },
  orders: {
    engine_order_id: 'bigint',
    shard_id: 'int',
    market_id: 'uuid',
    stp_mode: 'text',
    post_only: 'boolean',
    remaining_quantity: 'numeric',
    last_journal_seq: 'bigint',
    average_price: 'numeric',
    cumulative_quote: 'numeric',
    reject_reason: 'int',
  },
  trades: {
    shard_id: 'int',
    engine_trade_id: 'bigint',
    journal_seq: 'bigint',
    maker_account_id: 'uuid',
    taker_account_id: 'uuid',
    taker_side: 'text',
    maker_fee: 'numeric',
    taker_fee: 'numeric',
    maker_fee_asset: 'text',
    taker_fee_asset: 'text',
  },
  ledger_accounts: { last_journal_seq: 'bigint', account_type: 'text' },
  ledger_entries: { journal_seq: 'bigint', shard_id: 'int', transfer_id: 'uuid' },
  deposits: { engine_ref_id: 'bigint', journal_seq: 'bigint' },
  withdrawals: { engine_ref_id: 'bigint', journal_seq: 'bigint', txid: 'text' },
  api_keys: {
    ed25519_public_key: 'bytea',
    label: 'text',
    max_sessions: 'int',
    orders_per_10s: 'int',
  },
  settlement_applied_ranges: {
    shard_id: 'int',
    first_seq: 'bigint',
    last_seq: 'bigint',
    job_id: 'text',
    applied_at: 'timestamptz',
  },
  settlement_cursors: { shard_id: 'int', settled_seq: 'bigint' },
  schema_migrations: {
    version: 'int',
    name: 'text',
    checksum: 'text',
    applied_at: 'timestamptz',
  },
};

interface ColumnRow {
  table_name: string;
  column_name: string;
  udt_name: string;
  numeric_precision: number | null;
  numeric_scale: number | null;
}

t.test('migrated schema', async (t) => {
  const db = await createTestDatabase('sql_schema');
  t.teardown(() => db.drop());

  const rows = await db.sql<ColumnRow[]>`
    select table_name, column_name, udt_name, numeric_precision, numeric_scale
    from information_schema.columns where table_schema = 'public'`;
  const actual = new Map(rows.map((r) => [`${r.table_name}.${r.column_name}`, r]));

  const check = (t: tap.Test, expected: Record<string, Record<string, string>>) => {
    for (const [table, columns] of Object.entries(expected)) {
      for (const [column, type] of Object.entries(columns)) {
        const got = actual.get(`${table}.${column}`);
        t.equal(got?.udt_name, UDT[type], `${table}.${column} is ${type}`);
      }
    }
  };

  t.test('every seed table and column has the seed type', async (t) => {
    check(t, SEED);
    t.end();
  });

  t.test('design additions exist with their types', async (t) => {
    check(t, ADDED);
    t.end();
  });

  t.test('numeric columns are unconstrained (18-decimal assets fit)', async (t) => {
    const constrained = rows
      .filter((r) => r.udt_name === 'numeric')
      .filter((r) => r.numeric_precision !== null || r.numeric_scale !== null)
      .map((r) => `${r.table_name}.${r.column_name}`);
    t.same(constrained, []);
    const [{ v }] = await db.sql<{ v: string }[]>`
      select (${'123456789012345678901234.123456789012345678'}::numeric * 1)::text as v`;
    t.equal(v, '123456789012345678901234.123456789012345678');
  });

  t.test('every seed table has a uuid primary key on id', async (t) => {
    const pks = await db.sql<{ table_name: string; column_name: string }[]>`
      select tc.table_name, kcu.column_name
      from information_schema.table_constraints tc
      join information_schema.key_column_usage kcu
        on kcu.constraint_name = tc.constraint_name and kcu.table_schema = tc.table_schema
      where tc.table_schema = 'public' and tc.constraint_type = 'PRIMARY KEY'`;
    const pkOf = new Map(pks.map((r) => [r.table_name, r.column_name]));
    for (const table of Object.keys(SEED)) t.equal(pkOf.get(table), 'id', `${table} pk`);
  });

  t.test('append-only triggers are ENABLE ALWAYS', async (t) => {
    const triggers = await db.sql<{ tgname: string; tgenabled: string }[]>`
      select tgname, tgenabled from pg_trigger
      where tgrelid in ('ledger_entries'::regclass, 'audit_logs'::regclass) and not tgisinternal
      order by tgname`;
    t.same(
      triggers.map((r) => [r.tgname, r.tgenabled]),
      [
        ['audit_logs_append_only_row', 'A'],
        ['audit_logs_append_only_truncate', 'A'],
        ['ledger_entries_append_only_row', 'A'],
        ['ledger_entries_append_only_truncate', 'A'],
      ],
    );
  });
});
