// Waiting for settlement to catch up, and counting what it wrote against
// what the journal says it must (the chaos script's missing / duplicated).
import type { Sql } from 'postgres';
import type { GeneratedJournal } from './journal-gen';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves when settlement_cursors of `shard` reaches seq; throws after timeoutMs. */
export async function waitSettled(
  sql: Sql,
  shard: number,
  seq: number,
  timeoutMs = 60_000,
): Promise<number> {
  const until = Date.now() + timeoutMs;
  let last = 0;
  for (;;) {
    try {
      const r = await sql<
        { s: string }[]
      >`select settled_seq::text as s from settlement_cursors where shard_id = ${shard}`;
      last = r.length === 0 ? 0 : Number(r[0]!.s);
      if (last >= seq) return last;
    } catch {
      // Postgres may be down in a fault test.
    }
    if (Date.now() > until)
      throw new Error(`shard ${shard} settled only to ${last} of ${seq} in ${timeoutMs} ms`);
    await sleep(50);
  }
}

export interface LedgerCount {
  missing: number;
  duplicated: number;
  trades: number;
}

/** Ledger legs and trades per journal seq against what the journal implies. */
export async function countAgainstJournal(
  sql: Sql,
  shard: number,
  j: GeneratedJournal,
): Promise<LedgerCount> {
  const legs = await sql<{ seq: string; n: string }[]>`
    select journal_seq::text as seq, count(*)::text as n from ledger_entries where shard_id = ${shard} group by 1`;
  const got = new Map(legs.map((r) => [Number(r.seq), Number(r.n)]));
  let missing = 0;
  let duplicated = 0;
  for (const [seq, n] of j.expectedLegs) {
    const g = got.get(seq) ?? 0;
    if (g < n) missing += n - g;
    if (g > n) duplicated += g - n;
    got.delete(seq);
  }
  for (const n of got.values()) duplicated += n;
  const [t] = await sql<
    { n: string }[]
  >`select count(*)::text as n from trades where shard_id = ${shard}`;
  const trades = Number(t!.n);
  if (trades < j.expectedTrades) missing += j.expectedTrades - trades;
  if (trades > j.expectedTrades) duplicated += trades - j.expectedTrades;
  return { missing, duplicated, trades };
}
