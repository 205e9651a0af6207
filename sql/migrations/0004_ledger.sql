-- 0004: the double-entry ledger. ledger_accounts hold balances per (account, asset);
-- ledger_entries are the immutable legs that explain them.
--
-- Invariant 2 (design): per asset all entries sum to zero, and for every ledger account
-- balance_available + balance_locked = credits - debits. Entries are written only by settlement
-- from the engine journal, so each carries its shard and journal seq.

-- Lets ledger_accounts reference (id, type) so a ledger account knows its account's type
-- declaratively (used by the treasury exception to the non-negative balance check below).
alter table accounts add constraint accounts_id_type_key unique (id, type);

create table ledger_accounts (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references accounts (id),
  asset text not null references assets (symbol),
  balance_available numeric not null default 0,
  balance_locked numeric not null default 0
    constraint ledger_accounts_balance_locked_check check (balance_locked >= 0),
  updated_at timestamptz not null default now(),
  -- Added: version guard for settlement; a balance event is applied only if its journal seq is
  -- newer than this (UPDATE ... WHERE last_journal_seq < $seq). 0 = nothing applied yet.
  last_journal_seq bigint not null default 0
    constraint ledger_accounts_last_journal_seq_check check (last_journal_seq >= 0),
  -- Added: copy of accounts.type, kept truthful by the composite foreign key below and filled in
  -- automatically on insert when omitted. Why: with double entry summing to zero, SOME account
  -- must carry the negative of all customer holdings: the treasury account, which mirrors the
  -- assets the exchange holds outside the ledger (a deposit credits the user and debits
  -- treasury). Every other balance is never negative (invariant 4).
  account_type text not null,
  constraint ledger_accounts_account_id_asset_key unique (account_id, asset),
  constraint ledger_accounts_account_type_fkey foreign key (account_id, account_type)
    references accounts (id, type),
  constraint ledger_accounts_balance_available_check check (
    balance_available >= 0 or account_type = 'treasury'
  )
);

create function ledger_accounts_fill_account_type() returns trigger
language plpgsql as $$
begin
  if new.account_type is null then
    select a.type into new.account_type from accounts a where a.id = new.account_id;
  end if;
  return new;
end
$$;

comment on function ledger_accounts_fill_account_type() is
  'BEFORE INSERT trigger: fills ledger_accounts.account_type from accounts when omitted.';

create trigger ledger_accounts_fill_account_type before insert on ledger_accounts
  for each row execute function ledger_accounts_fill_account_type();

create trigger ledger_accounts_set_updated_at before update on ledger_accounts
  for each row execute function set_updated_at();

create table ledger_entries (
  id uuid primary key default gen_random_uuid(),
  ledger_account_id uuid not null references ledger_accounts (id),
  entry_type text not null constraint ledger_entries_entry_type_check check (entry_type in ('debit', 'credit')),
  -- Always positive; the direction is entry_type (credit increases the balance).
  amount numeric not null constraint ledger_entries_amount_check check (amount > 0),
  reference_type text not null
    constraint ledger_entries_reference_type_check check (
      reference_type in ('trade', 'fee', 'rebate', 'deposit', 'withdrawal', 'adjustment')
    ),
  -- The row that caused the movement (trades.id, deposits.id, withdrawals.id, ...).
  reference_id uuid not null,
  created_at timestamptz not null default now(),
  -- Added: journal position of the event that produced the entry (traceability; money moves
  -- only through the engine, so it is always known).
  journal_seq bigint not null constraint ledger_entries_journal_seq_check check (journal_seq >= 0),
  shard_id int not null constraint ledger_entries_shard_id_check check (shard_id >= 0),
  -- Added: groups the legs of one balanced movement (debits = credits per asset within it).
  transfer_id uuid not null
);

create index ledger_entries_account_created_at_idx on ledger_entries (ledger_account_id, created_at);
create index ledger_entries_transfer_id_idx on ledger_entries (transfer_id);
create index ledger_entries_reference_idx on ledger_entries (reference_type, reference_id);
create index ledger_entries_journal_idx on ledger_entries (shard_id, journal_seq);

-- Append-only enforcement (invariant 6), shared with audit_logs (0006). Any UPDATE, DELETE or
-- TRUNCATE raises SQLSTATE P0001 with the message
--   '<table> is append-only: <UPDATE|DELETE|TRUNCATE> is not allowed'
-- Corrections are new, compensating rows. The triggers are ENABLE ALWAYS so that
-- session_replication_role = replica does not skip them; only an explicit
-- ALTER TABLE ... DISABLE TRIGGER by the table owner can, which is a visible schema change.
create function reject_append_only_change() returns trigger
language plpgsql as $$
begin
  raise exception '% is append-only: % is not allowed', tg_table_name, tg_op
    using errcode = 'P0001',
          hint = 'Rows of this table are never changed or removed; insert a correcting row instead.';
end
$$;

comment on function reject_append_only_change() is
  'Append-only guard: raises P0001 "<table> is append-only: <op> is not allowed".';

create trigger ledger_entries_append_only_row before update or delete on ledger_entries
  for each row execute function reject_append_only_change();
create trigger ledger_entries_append_only_truncate before truncate on ledger_entries
  for each statement execute function reject_append_only_change();
alter table ledger_entries enable always trigger ledger_entries_append_only_row;
alter table ledger_entries enable always trigger ledger_entries_append_only_truncate;

comment on table ledger_entries is
  'Immutable ledger legs: UPDATE, DELETE and TRUNCATE raise P0001 (append-only triggers).';
