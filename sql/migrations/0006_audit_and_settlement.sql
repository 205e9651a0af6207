-- 0006: audit log (append-only) and settlement bookkeeping.

create table audit_logs (
  id uuid primary key default gen_random_uuid(),
  -- Null only for the system actor.
  actor_id uuid,
  actor_type text not null
    constraint audit_logs_actor_type_check check (actor_type in ('user', 'api_key', 'admin', 'system')),
  action text not null constraint audit_logs_action_check check (char_length(action) > 0),
  entity_type text,
  entity_id uuid,
  created_at timestamptz not null default now(),
  metadata jsonb not null default '{}'::jsonb
    constraint audit_logs_metadata_check check (jsonb_typeof(metadata) = 'object'),
  constraint audit_logs_actor_check check (actor_type = 'system' or actor_id is not null),
  constraint audit_logs_entity_check check (entity_id is null or entity_type is not null)
);

create index audit_logs_entity_idx on audit_logs (entity_type, entity_id, created_at);
create index audit_logs_actor_idx on audit_logs (actor_id, created_at) where actor_id is not null;
create index audit_logs_created_at_idx on audit_logs (created_at);

-- Append-only, like ledger_entries (invariant 6): see reject_append_only_change() in 0004.
-- UPDATE/DELETE/TRUNCATE raise P0001 'audit_logs is append-only: <op> is not allowed'.
create trigger audit_logs_append_only_row before update or delete on audit_logs
  for each row execute function reject_append_only_change();
create trigger audit_logs_append_only_truncate before truncate on audit_logs
  for each statement execute function reject_append_only_change();
alter table audit_logs enable always trigger audit_logs_append_only_row;
alter table audit_logs enable always trigger audit_logs_append_only_truncate;

comment on table audit_logs is
  'Immutable audit trail: UPDATE, DELETE and TRUNCATE raise P0001 (append-only triggers).';

-- Which journal ranges settlement has applied (invariant 5: each journal entry affects Postgres
-- exactly once). A job inserts its range in the same transaction as its effects, so the row
-- exists if and only if the effects were committed. Ranges of one shard never overlap (GiST
-- exclusion, needs btree_gist from 0001): applying an overlapping range fails with 23P01
-- instead of applying entries twice.
create table settlement_applied_ranges (
  shard_id int not null constraint settlement_applied_ranges_shard_id_check check (shard_id >= 0),
  first_seq bigint not null constraint settlement_applied_ranges_first_seq_check check (first_seq >= 0),
  last_seq bigint not null,
  job_id text,
  applied_at timestamptz not null default now(),
  primary key (shard_id, first_seq),
  constraint settlement_applied_ranges_seq_check check (first_seq <= last_seq),
  constraint settlement_applied_ranges_no_overlap exclude using gist (
    shard_id with =,
    int8range(first_seq, last_seq, '[]') with &&
  )
);

-- Contiguous settled position per shard: every journal entry with seq <= settled_seq has been
-- applied. The engine trims its journal only below min(latest snapshot, settled_seq).
create table settlement_cursors (
  shard_id int primary key constraint settlement_cursors_shard_id_check check (shard_id >= 0),
  settled_seq bigint not null default 0
    constraint settlement_cursors_settled_seq_check check (settled_seq >= 0),
  -- Added: when the cursor last moved (monitoring settlement lag).
  updated_at timestamptz not null default now()
);

create trigger settlement_cursors_set_updated_at before update on settlement_cursors
  for each row execute function set_updated_at();
