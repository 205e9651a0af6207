-- 0003: orders and trades, the Postgres projection of the engine journal written by settlement.
--
-- Settlement applies journal ranges in any order, idempotently. So:
--   * every row carries the shard and engine id it came from, unique per shard, so re-applying
--     an event finds the row it already wrote;
--   * orders carry last_journal_seq, a version guard: an order event updates the row only if
--     its journal seq is newer (UPDATE ... WHERE last_journal_seq < $seq);
--   * trades do NOT reference orders by foreign key: a later journal range may be applied
--     before the earlier one that created the order row. Accounts, markets and assets are
--     defined in Postgres before the engine hears of them, so those foreign keys are safe.

create table orders (
  id uuid primary key default gen_random_uuid(),
  client_order_id text
    constraint orders_client_order_id_check check (char_length(client_order_id) between 1 and 64),
  account_id uuid not null references accounts (id),
  symbol text not null references markets (symbol),
  side text not null constraint orders_side_check check (side in ('buy', 'sell')),
  type text not null constraint orders_type_check check (type in ('limit', 'market')),
  -- Null for market orders.
  price numeric constraint orders_price_check check (price > 0),
  quantity numeric not null constraint orders_quantity_check check (quantity > 0),
  filled_quantity numeric not null default 0,
  status text not null default 'new'
    constraint orders_status_check check (
      status in ('new', 'partially_filled', 'filled', 'canceled', 'expired', 'rejected')
    ),
  time_in_force text not null default 'gtc'
    constraint orders_time_in_force_check check (time_in_force in ('gtc', 'ioc', 'fok')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Added: engine identity. The engine's order id is unique within its shard.
  engine_order_id bigint not null,
  shard_id int not null constraint orders_shard_id_check check (shard_id >= 0),
  -- Added: the market row (symbol is kept as in the seed; the composite FK keeps both in step).
  market_id uuid not null,
  -- Added: self-trade prevention mode chosen by the taker (design: Engine).
  stp_mode text not null default 'expire_taker'
    constraint orders_stp_mode_check check (
      stp_mode in ('none', 'expire_taker', 'expire_maker', 'expire_both', 'decrement')
    ),
  -- Added: post-only limit orders are rejected/expired instead of taking liquidity.
  post_only boolean not null default false,
  -- Added: quantity not yet filled (filled + remaining = quantity, invariant 7); generated so it
  -- can never disagree. For closed orders it is what was left unfilled.
  remaining_quantity numeric generated always as (quantity - filled_quantity) stored,
  -- Added: version guard (see header). Journal seq of the last event applied to this row.
  last_journal_seq bigint not null constraint orders_last_journal_seq_check check (last_journal_seq >= 0),
  -- Added: volume-weighted fill price (null until the first fill) and filled notional.
  average_price numeric constraint orders_average_price_check check (average_price > 0),
  cumulative_quote numeric not null default 0
    constraint orders_cumulative_quote_check check (cumulative_quote >= 0),
  -- Added: the engine's numeric reject reason code (proto enum), for rejected orders.
  reject_reason int constraint orders_reject_reason_check check (reject_reason >= 0),
  constraint orders_shard_engine_order_id_key unique (shard_id, engine_order_id),
  constraint orders_market_fkey foreign key (market_id, symbol) references markets (id, symbol),
  constraint orders_filled_quantity_check check (filled_quantity between 0 and quantity),
  constraint orders_limit_price_check check (type <> 'limit' or price is not null),
  constraint orders_post_only_check check (not post_only or type = 'limit'),
  -- Status agrees with the fills.
  constraint orders_status_fill_check check (
    case status
      when 'new' then filled_quantity = 0
      when 'partially_filled' then filled_quantity > 0 and filled_quantity < quantity
      when 'filled' then filled_quantity = quantity
      when 'rejected' then filled_quantity = 0
      else true
    end
  ),
  constraint orders_average_price_fill_check check (filled_quantity = 0 or average_price is not null)
);

-- Client order ids are unique among an account's OPEN orders only (as the engine enforces, and
-- as Binance does): a client may reuse an id once the earlier order is closed. Because
-- settlement may apply journal ranges out of order, an insert here can transiently conflict
-- with an order whose close sits in a not-yet-applied earlier range; that unique violation
-- (23505) is retriable, as the earlier range never depends on the later one.
create unique index orders_open_client_order_id_key on orders (account_id, client_order_id)
  where client_order_id is not null and status in ('new', 'partially_filled');
-- "Status unknown" after a timeout: clients query by client order id (open or closed).
create index orders_account_client_order_id_idx on orders (account_id, client_order_id, created_at desc)
  where client_order_id is not null;
-- Open orders by account (cancel-all, open-orders query) and by market.
create index orders_open_by_account_idx on orders (account_id, created_at)
  where status in ('new', 'partially_filled');
create index orders_open_by_symbol_idx on orders (symbol, created_at)
  where status in ('new', 'partially_filled');
-- Order history by account.
create index orders_account_created_at_idx on orders (account_id, created_at desc);

create trigger orders_set_updated_at before update on orders
  for each row execute function set_updated_at();

create table trades (
  id uuid primary key default gen_random_uuid(),
  symbol text not null references markets (symbol),
  -- Not foreign keys: see the header (out-of-order settlement).
  maker_order_id uuid not null,
  taker_order_id uuid not null,
  price numeric not null constraint trades_price_check check (price > 0),
  quantity numeric not null constraint trades_quantity_check check (quantity > 0),
  executed_at timestamptz not null,
  -- Added: engine identity and journal position, for idempotent settlement and tracing.
  shard_id int not null constraint trades_shard_id_check check (shard_id >= 0),
  engine_trade_id bigint not null,
  journal_seq bigint not null constraint trades_journal_seq_check check (journal_seq >= 0),
  -- Added: both sides' accounts, so account trade history needs no join through orders.
  maker_account_id uuid not null references accounts (id),
  taker_account_id uuid not null references accounts (id),
  taker_side text not null constraint trades_taker_side_check check (taker_side in ('buy', 'sell')),
  -- Added: fees charged on this fill. The maker fee may be negative (a rebate); the taker fee
  -- never is (see fee_tiers).
  maker_fee numeric not null default 0,
  taker_fee numeric not null default 0 constraint trades_taker_fee_check check (taker_fee >= 0),
  maker_fee_asset text not null references assets (symbol),
  taker_fee_asset text not null references assets (symbol),
  constraint trades_shard_engine_trade_id_key unique (shard_id, engine_trade_id),
  constraint trades_distinct_orders_check check (maker_order_id <> taker_order_id)
);

create index trades_symbol_executed_at_idx on trades (symbol, executed_at desc);
create index trades_maker_order_id_idx on trades (maker_order_id);
create index trades_taker_order_id_idx on trades (taker_order_id);
create index trades_maker_account_executed_at_idx on trades (maker_account_id, executed_at desc);
create index trades_taker_account_executed_at_idx on trades (taker_account_id, executed_at desc);
