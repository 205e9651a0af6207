-- 0007: cheaper settlement writes (about 12 rows per trade). Measured per row on the settlement
-- statement shapes: a foreign-key check costs ~2.4 us of Postgres CPU and each extra btree
-- ~0.5 us; ledger_entries takes ~5.7 rows per trade. Nothing here removes a constraint's
-- guarantee: the index dropped is answered by the primary key (settlement's ids are derived
-- from the journal, settlement/ids.ts), and the foreign key dropped is implied by another one.
-- ledger_entries_transfer_id_idx and ledger_entries_reference_idx stay: operators look up a
-- transfer's or a trade's legs by them without knowing how settlement derives ids.
-- Kept as required: all CHECKs, unique constraints, append-only triggers, the foreign keys of
-- trades and ledger_entries, orders_open_by_account_idx, trades_symbol_executed_at_idx,
-- ledger_entries_account_created_at_idx, audit_logs_entity_idx.

-- Why: (shard_id, journal_seq) is a prefix of every entry's primary key. Entry ids are the
-- UUIDv8 `1 | shard(4) | seq(14) | event(7) | leg(2) | 00` (settlement/ids.ts, entryUuid), so
-- "entries of shard s, seqs a..b" is the primary-key range
--   id >= entryUuid(s, a, 0, 0) and id < entryUuid(s, b + 1, 0, 0)
-- and this index was one more btree insert per leg for nothing.
drop index ledger_entries_journal_idx;

-- Why: orders_market_fkey (market_id, symbol) -> markets (id, symbol) already proves the symbol is
-- a market's symbol (markets.symbol is unique, and a composite key with no nulls is checked in
-- full: both columns are not null here), so orders_symbol_fkey was a second foreign-key check
-- (an SPI query and a row lock on markets) per order insert guaranteeing nothing more.
alter table orders drop constraint orders_symbol_fkey;
