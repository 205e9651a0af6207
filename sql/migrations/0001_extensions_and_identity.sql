-- 0001: extensions, shared trigger functions, identity tables (users, refresh_tokens, api_keys).
--
-- Conventions for every migration in this folder:
--   * Table and column names are those of the seed schema (shared seed-schema.md); columns the
--     design needs are ADDED next to them, never renamed, each with a comment saying why.
--   * Money and quantities are unconstrained `numeric` (no precision/scale), so assets with
--     18 decimals and any magnitude fit exactly; never float.
--   * Primary keys are uuid with default gen_random_uuid() (core in PG13+, no pgcrypto needed).
--   * Users are closed through users.status, never deleted, so foreign keys use the default
--     NO ACTION (a DELETE that would orphan rows fails).
--   * Each file runs in one transaction (see sql/migrate.ts), so no CREATE INDEX CONCURRENTLY.

-- btree_gist lets settlement_applied_ranges (0006) exclude overlapping journal ranges per shard
-- with a GiST exclusion constraint over (shard_id =, int8range &&). Trusted extension in PG13+.
create extension if not exists btree_gist;

-- Keeps updated_at honest on every table that has one (attached as BEFORE UPDATE row trigger).
create function set_updated_at() returns trigger
language plpgsql as $$
begin
  new.updated_at := now();
  return new;
end
$$;

comment on function set_updated_at() is
  'BEFORE UPDATE trigger: sets updated_at to the transaction time.';

create table users (
  id uuid primary key default gen_random_uuid(),
  -- Emails are stored lowercased (the application normalises before insert and lookup), so the
  -- plain unique constraint is case-insensitive uniqueness without citext, and lookups by
  -- `email = $1` use its index.
  email text not null unique
    constraint users_email_lowercase check (email = lower(email))
    constraint users_email_format check (email ~ '^[^@\s]+@[^@\s]+$'),
  password_hash text not null,
  status text not null default 'active'
    constraint users_status_check check (status in ('pending', 'active', 'suspended', 'closed')),
  kyc_level text not null default 'none'
    constraint users_kyc_level_check check (kyc_level in ('none', 'basic', 'full')),
  mfa_enabled boolean not null default false,
  mfa_secret text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- MFA cannot be on without a secret to verify codes against.
  constraint users_mfa_secret_check check (not mfa_enabled or mfa_secret is not null)
);

create trigger users_set_updated_at before update on users
  for each row execute function set_updated_at();

create table refresh_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id),
  -- Only a hash of the token is stored; unique so a presented token finds exactly one row.
  token_hash text not null unique,
  expires_at timestamptz not null,
  revoked_at timestamptz,
  -- Rotation chain: the token that replaced this one (reuse of a replaced token = theft signal).
  replaced_by uuid references refresh_tokens (id),
  created_at timestamptz not null default now(),
  created_ip text,
  user_agent text,
  constraint refresh_tokens_expiry_check check (expires_at > created_at),
  constraint refresh_tokens_replaced_by_self_check check (replaced_by <> id),
  -- A replaced token is revoked in the same statement that records its replacement.
  constraint refresh_tokens_replaced_revoked_check check (replaced_by is null or revoked_at is not null)
);

create index refresh_tokens_user_id_idx on refresh_tokens (user_id);
create index refresh_tokens_replaced_by_idx on refresh_tokens (replaced_by) where replaced_by is not null;

create table api_keys (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id),
  -- Public, non-secret prefix shown to the user and used to find the key; globally unique.
  prefix text not null unique
    constraint api_keys_prefix_check check (char_length(prefix) between 4 and 64),
  key_hash text not null,
  scopes text[] not null default array['read']::text[]
    constraint api_keys_scopes_check check (
      cardinality(scopes) > 0
      and array_position(scopes, null) is null
      and scopes <@ array['read', 'trade', 'withdraw', 'admin']::text[]
    ),
  -- JSON array of IPs/CIDRs; null = no restriction.
  ip_whitelist jsonb
    constraint api_keys_ip_whitelist_check check (ip_whitelist is null or jsonb_typeof(ip_whitelist) = 'array'),
  last_used_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Added: the key's Ed25519 public key (raw 32 bytes) for signed WebSocket logon, the way
  -- Binance's session.logon works; null = key cannot log on to the binary WebSocket.
  ed25519_public_key bytea
    constraint api_keys_ed25519_public_key_check check (
      ed25519_public_key is null or octet_length(ed25519_public_key) = 32
    ),
  -- Added: human label for the key list.
  label text
    constraint api_keys_label_check check (label is null or char_length(label) <= 200),
  -- Added: per-key session and order-rate limits enforced by the gateway and reported back.
  max_sessions int not null default 5
    constraint api_keys_max_sessions_check check (max_sessions between 1 and 1000),
  orders_per_10s int not null default 100
    constraint api_keys_orders_per_10s_check check (orders_per_10s between 1 and 1000000)
);

create index api_keys_user_id_idx on api_keys (user_id);

create trigger api_keys_set_updated_at before update on api_keys
  for each row execute function set_updated_at();
