// Test fixtures: a private redis-server, a fresh migrated database, a
// generated journal written to Redis with its Postgres world seeded, and an
// ApplyContext to apply ranges directly (without BullMQ).
import Redis from 'ioredis';
import type { Sql } from 'postgres';
import { createTestDatabase, type TestDatabase } from '../../../sql';
import type { ApplyContext } from '../../apply';
import { JournalCache } from '../../journal';
import { ReferenceData } from '../../reference-data';
import type { BuiltEntry } from '../../testing/journal-builder';
import {
  type GeneratedJournal,
  type GenerateOptions,
  generateJournal,
} from '../../testing/journal-gen';
import { seedRequests, seedWorld } from '../../testing/seed';
import { RedisServer } from '../../testing/services';

export interface Env {
  redisServer: RedisServer;
  redis: Redis;
  db: TestDatabase;
  close(): Promise<void>;
}

export async function startEnv(name: string, serverUrl?: string): Promise<Env> {
  const redisServer = await RedisServer.start();
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
  const db = await createTestDatabase(name, serverUrl === undefined ? {} : { serverUrl });
  return {
    redisServer,
    redis,
    db,
    async close() {
      redis.disconnect();
      await db.drop();
      await redisServer.destroy();
    },
  };
}

export async function writeJournal(
  redis: Redis,
  sql: Sql,
  seed: number,
  commands: number,
  o: GenerateOptions & { flush?: boolean } = {},
): Promise<GeneratedJournal> {
  const j = generateJournal(seed, commands, o);
  await seedWorld(sql, j.scenario, o.shard ?? 0);
  await seedRequests(sql, j.scenario);
  if (o.flush !== false) await j.builder.flush(redis);
  return j;
}

/** XADDs the journal's entries in `slices` parts, `gapMs` apart (a live engine). */
export async function trickle(
  redis: Redis,
  j: GeneratedJournal,
  slices: number,
  gapMs: number,
): Promise<void> {
  const per = Math.ceil(j.entries.length / slices);
  for (let i = 0; i < j.entries.length; i += per) {
    const p = redis.pipeline();
    for (const e of j.entries.slice(i, i + per))
      p.xadd(`journal:{${j.builder.shard}}`, e.id, 'e', e.bytes);
    await p.exec();
    await new Promise((r) => setTimeout(r, gapMs));
  }
}

export async function applyContext(
  sql: Sql,
  redis: Redis,
  feeAccountId = 1,
): Promise<ApplyContext> {
  const refs = new ReferenceData(sql);
  await refs.ensureSystemAccounts(feeAccountId);
  return { sql, redis, cache: new JournalCache(), refs, statementTimeoutMs: 60_000 };
}

/** Splits entries into consecutive ranges of 1..maxEntries entries. */
export function ranges(
  entries: readonly BuiltEntry[],
  rand: () => number,
  maxEntries: number,
): [number, number][] {
  const out: [number, number][] = [];
  let i = 0;
  while (i < entries.length) {
    const n = 1 + Math.floor(rand() * maxEntries);
    const j = Math.min(entries.length, i + n) - 1;
    out.push([entries[i]!.firstSeq, entries[j]!.lastSeq]);
    i = j + 1;
  }
  return out;
}

/** A digest of everything settlement writes, for comparing two databases. */
export async function projectionDigest(sql: Sql): Promise<Record<string, string>> {
  const q = async (text: string) => {
    const [r] = await sql.unsafe<{ d: string | null; n: string }[]>(
      `select md5(string_agg(x::text, '|' order by x::text)) as d, count(*)::text as n from (${text}) x`,
    );
    return `${r!.n}:${r!.d}`;
  };
  return {
    orders: await q(
      `select id, client_order_id, account_id, symbol, side, type, price, quantity, filled_quantity, status,
        time_in_force, created_at, engine_order_id, shard_id, market_id, stp_mode, post_only,
        last_journal_seq, average_price, cumulative_quote from orders`,
    ),
    trades:
      await q(`select id, symbol, maker_order_id, taker_order_id, price, quantity, executed_at, shard_id,
        engine_trade_id, journal_seq, maker_account_id, taker_account_id, taker_side, maker_fee, taker_fee,
        maker_fee_asset, taker_fee_asset from trades`),
    ledger_entries:
      await q(`select e.id, la.account_id, la.asset, entry_type, amount, reference_type, reference_id,
        created_at, journal_seq, shard_id, transfer_id
        from ledger_entries e join ledger_accounts la on la.id = e.ledger_account_id`),
    ledger_accounts:
      await q(`select account_id, asset, balance_available, balance_locked, account_type
        from ledger_accounts`),
    deposits: await q('select engine_ref_id, status, journal_seq from deposits'),
    withdrawals: await q('select engine_ref_id, status, journal_seq from withdrawals'),
    cursor: await q('select shard_id, settled_seq from settlement_cursors'),
  };
}

/** mulberry32 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
