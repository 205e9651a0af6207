// Postgres rows for a Scenario: what operators and the gateway create before
// the engine hears of anything (users and accounts with their engine ids,
// assets, markets, the fee and treasury accounts), and the deposit and
// withdrawal request rows whose engine references the journal carries.
import type { Sql } from 'postgres';
import { ASSETS, MARKETS, type Scenario } from './scenario';

/** Fixed ids, so two databases seeded from one scenario can be compared row for row. */
export function fixedUuid(kind: number, n: number): string {
  return `0000000${kind}-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export async function seedWorld(sql: Sql, scenario: Scenario, shard: number): Promise<void> {
  await sql`insert into accounts (id, type, engine_account_id) values (${fixedUuid(1, scenario.feeAccountId)}, 'fee',
    ${scenario.feeAccountId}) on conflict do nothing`;
  await sql`insert into accounts (id, type) values (${fixedUuid(2, 0)}, 'treasury') on conflict do nothing`;
  for (const a of scenario.accounts) {
    const [u] = await sql<{ id: string }[]>`
      insert into users (id, email, password_hash) values (${fixedUuid(3, a.engineId)},
        ${`trader${a.engineId}@example.test`}, 'x') returning id`;
    await sql`insert into accounts (id, user_id, type, engine_account_id)
      values (${fixedUuid(1, a.engineId)}, ${u!.id}, 'spot', ${a.engineId})`;
  }
  for (const a of ASSETS) {
    await sql`insert into assets (symbol, precision, engine_asset_id) values (${a.symbol}, ${a.precision}, ${a.engineId})
      on conflict do nothing`;
  }
  for (const m of MARKETS) {
    await sql`
      insert into markets (id, symbol, base_asset, quote_asset, engine_market_id, shard_id, tick_size, lot_size,
        min_quantity, min_notional)
      values (${fixedUuid(4, m.engineId)}, ${m.symbol}, ${m.base.symbol}, ${m.quote.symbol}, ${m.engineId}, ${shard}, ${m.tickSize}::numeric,
        ${m.lotSize}::numeric, ${m.lotSize}::numeric, 0.01)
      on conflict do nothing`;
  }
}

function decimal(atoms: number, precision: number): string {
  const s = String(atoms).padStart(precision + 1, '0');
  return precision === 0 ? s : `${s.slice(0, -precision)}.${s.slice(-precision)}`;
}

/** Request rows for the scenario's deposits and withdrawals not seeded yet. */
export async function seedRequests(
  sql: Sql,
  scenario: Scenario,
  skip: { deposits?: number[] } = {},
): Promise<void> {
  const acc = new Map<number, string>();
  for (const r of await sql<
    { id: string; e: string }[]
  >`select id, engine_account_id::text as e from accounts`) {
    acc.set(Number(r.e), r.id);
  }
  const sym = new Map(ASSETS.map((a) => [a.engineId, a]));
  const skipped = new Set(skip.deposits ?? []);
  const dep = scenario.deposits.filter((d) => !skipped.has(d.refId));
  if (dep.length > 0) {
    await sql`
      insert into deposits (id, account_id, asset, amount, txid, engine_ref_id)
      select * from unnest(${dep.map((d) => fixedUuid(5, d.refId))}::uuid[], ${dep.map((d) => acc.get(d.accountId)!)}::uuid[],
        ${dep.map((d) => sym.get(d.assetId)!.symbol)}::text[],
        ${dep.map((d) => decimal(d.amountAtoms, sym.get(d.assetId)!.precision))}::numeric[],
        ${dep.map((d) => `chain-${d.refId}`)}::text[], ${dep.map((d) => d.refId)}::int8[])
      on conflict do nothing`;
  }
  const wd = scenario.withdrawals;
  if (wd.length > 0) {
    await sql`
      insert into withdrawals (id, account_id, asset, address, amount, txid, engine_ref_id)
      select * from unnest(${wd.map((d) => fixedUuid(6, d.refId))}::uuid[], ${wd.map((d) => acc.get(d.accountId)!)}::uuid[],
        ${wd.map((d) => sym.get(d.assetId)!.symbol)}::text[], ${wd.map(() => 'addr-1')}::text[],
        ${wd.map((d) => decimal(d.amountAtoms, sym.get(d.assetId)!.precision))}::numeric[],
        ${wd.map((d) => `payout-${d.refId}`)}::text[], ${wd.map((d) => d.refId)}::int8[])
      on conflict do nothing`;
  }
}
