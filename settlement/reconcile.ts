// Reconciliation: Postgres against the engine at the same journal position.
// The engine is rebuilt with the engine process's own recovery code (latest
// snapshot + journal replay, recorded state hashes checked) up to each
// shard's settled cursor, and compared with what settlement wrote:
//   - per asset, all ledger entries sum to zero (fee and treasury included);
//   - every ledger account: available + locked = credits - debits;
//   - every engine balance equals its Postgres ledger account (and every
//     other non-treasury Postgres balance is zero);
//   - trade count (all time) and per-market volume (over the journal still
//     in Redis) match the journal, and no trade lies past the cursor;
//   - open orders (price, quantity, filled) equal the engine's resting orders;
//   - pending withdrawals and credited deposits agree with the engine.
// Postgres is read in one REPEATABLE READ snapshot. A shard with ranges
// applied past its cursor (jobs in flight, or a failed range below them) is
// not comparable: that is reported as a difference ("not drained").
import type Redis from 'ioredis';
import type { Sql } from 'postgres';
import { EventKind } from '../engine/enums';
import {
  fastEngineFactory,
  journalKey,
  loadSnapshot,
  readJournal,
  SnapshotStore,
  seqOfEntryId,
} from '../engine/process';
import { decimalToAtoms, divideToInteger, parseDecimal } from './amounts';
import { decodeEntry } from './journal';
import { RECONCILE_MAX_LISTED } from './limits';

export interface ReconcileOptions {
  readonly sql: Sql;
  readonly redis: Redis;
  readonly shards: readonly number[];
  /** Check every state hash recorded in the replayed journal (default true). */
  readonly verifyHashes?: boolean;
}

export interface ShardSummary {
  shard: number;
  settledSeq: number;
  headSeq: number;
  snapshotSeq: number;
  replayedCommands: number;
  journalTrades: number;
  postgresTrades: number;
  restingOrders: number;
}

export interface ReconcileReport {
  ok: boolean;
  shards: ShardSummary[];
  /** Every difference found, most important first. */
  differences: string[];
  /** Totals checked (for the report). */
  checked: {
    assets: number;
    ledgerAccounts: number;
    balances: number;
    entries: number;
    openOrders: number;
  };
}

type Key = string;
const bk = (acc: number, asset: number): Key => `${acc}:${asset}`;

interface MarketInfo {
  symbol: string;
  engineId: number;
  tick: string;
  lot: string;
}

/** Runs every check; never throws for a difference (only for I/O errors). */
export async function reconcile(o: ReconcileOptions): Promise<ReconcileReport> {
  const diffs: string[] = [];
  const shards: ShardSummary[] = [];
  const checked = { assets: 0, ledgerAccounts: 0, balances: 0, entries: 0, openOrders: 0 };
  const verify = o.verifyHashes ?? true;

  await o.sql.begin('isolation level repeatable read read only', async (sql) => {
    // ---- reference data
    const assets = await sql<{ symbol: string; precision: number; engine_asset_id: number }[]>`
      select symbol, precision, engine_asset_id from assets`;
    const assetBySymbol = new Map(assets.map((a) => [a.symbol, a]));
    const markets = await sql<
      { symbol: string; engine_market_id: number; tick: string; lot: string }[]
    >`
      select symbol, engine_market_id, tick_size::text as tick, lot_size::text as lot from markets`;
    const marketById = new Map<number, MarketInfo>(
      markets.map((m) => [
        m.engine_market_id,
        { symbol: m.symbol, engineId: m.engine_market_id, tick: m.tick, lot: m.lot },
      ]),
    );
    const fee = await sql<
      { e: string }[]
    >`select engine_account_id::text as e from accounts where type = 'fee'`;
    if (fee.length === 0) {
      diffs.push('no fee account in Postgres (accounts.type = fee)');
      return;
    }
    const feeAccountId = Number(fee[0]!.e);

    // ---- invariant 2: double entry and balances = credits - debits
    const sums = await sql<{ asset: string; total: string; n: string }[]>`
      select la.asset, coalesce(sum(case when e.entry_type = 'credit' then e.amount else -e.amount end), 0)::text as total,
        count(*)::text as n
      from ledger_entries e join ledger_accounts la on la.id = e.ledger_account_id
      group by la.asset order by la.asset`;
    for (const s of sums) {
      checked.entries += Number(s.n);
      if (parseDecimal(s.total).coef !== 0n) {
        diffs.push(`invariant 2: ledger entries of ${s.asset} sum to ${s.total}, not 0`);
      }
    }
    checked.assets = sums.length;
    const bad = await sql<
      { id: string; account_id: string; type: string; asset: string; bal: string; net: string }[]
    >`
      select la.id, la.account_id, la.account_type as type, la.asset,
        (la.balance_available + la.balance_locked)::text as bal, coalesce(x.net, 0)::text as net
      from ledger_accounts la
      left join (
        select ledger_account_id, sum(case when entry_type = 'credit' then amount else -amount end) as net
        from ledger_entries group by 1
      ) x on x.ledger_account_id = la.id
      where la.balance_available + la.balance_locked <> coalesce(x.net, 0)
      order by la.account_type, la.asset, la.id`;
    for (const b of bad) {
      diffs.push(
        `invariant 2: ledger account ${b.id} (${b.type} ${b.account_id}, ${b.asset}) holds available + locked = ${b.bal} but its entries net ${b.net}`,
      );
    }
    const [{ n: laCount }] = await sql<
      { n: string }[]
    >`select count(*)::text as n from ledger_accounts`;
    checked.ledgerAccounts = Number(laCount);

    // ---- per shard: position, engine, trades, orders
    const engineBalances = new Map<Key, { available: bigint; locked: bigint }>();
    for (const shard of o.shards) {
      const [cur] = await sql<
        { s: string }[]
      >`select settled_seq::text as s from settlement_cursors where shard_id = ${shard}`;
      const settled = cur === undefined ? 0 : Number(cur.s);
      const beyond = await sql<{ f: string; l: string }[]>`
        select first_seq::text as f, last_seq::text as l from settlement_applied_ranges
        where shard_id = ${shard} and last_seq > ${settled} order by first_seq limit 3`;
      const top = (await o.redis.xrevrange(journalKey(shard), '+', '-', 'COUNT', 1)) as [
        string,
        string[],
      ][];
      const headSeq = top.length === 0 ? 0 : seqOfEntryId(top[0]![0]);
      const summary: ShardSummary = {
        shard,
        settledSeq: settled,
        headSeq,
        snapshotSeq: 0,
        replayedCommands: 0,
        journalTrades: 0,
        postgresTrades: 0,
        restingOrders: 0,
      };
      shards.push(summary);
      if (beyond.length > 0) {
        diffs.push(
          `shard ${shard}: not drained: ranges ${beyond.map((r) => `${r.f}..${r.l}`).join(', ')} are applied past the settled cursor ${settled} (jobs in flight, or a failed range below them)`,
        );
        continue;
      }
      if (headSeq < settled) {
        diffs.push(
          `shard ${shard}: the settled cursor ${settled} is past the journal head ${headSeq}`,
        );
        continue;
      }

      // Engine at `settled`: snapshot (at or below it) + journal replay.
      const store = new SnapshotStore(o.redis, shard);
      const header = await store.header();
      if (header !== undefined && Number(header.lastSeq) > settled) {
        diffs.push(
          `shard ${shard}: the latest snapshot (seq ${header.lastSeq}) is past the settled cursor ${settled}; the engine cannot be rebuilt at ${settled} (rerun once settlement has passed it)`,
        );
        continue;
      }
      const { replayer, snapshot } = await loadSnapshot(
        store,
        fastEngineFactory(),
        shard,
        feeAccountId,
        1_000,
      );
      summary.snapshotSeq = snapshot?.lastSeq ?? 0;
      const from = replayer.lastSeq;
      const volume = new Map<number, { lots: number; notional: bigint; count: number }>();
      let gap = '';
      if (settled > from) {
        await readJournal(
          o.redis,
          shard,
          from,
          (id, e) => {
            if (seqOfEntryId(id) > settled) return;
            replayer.apply(id, e, () => verify);
            const d = decodeEntry(id, e, shard);
            for (const c of d.commands) {
              for (const ev of c.events) {
                if (ev.kind !== EventKind.TRADE) continue;
                summary.journalTrades++;
                const v = volume.get(ev.marketId) ?? { lots: 0, notional: 0n, count: 0 };
                v.lots += ev.qtyLots;
                v.notional += BigInt(ev.quoteAtoms);
                v.count++;
                volume.set(ev.marketId, v);
              }
            }
          },
          settled,
        );
        if (replayer.lastSeq !== settled) gap = `the journal ends at seq ${replayer.lastSeq}`;
      }
      summary.replayedCommands = replayer.commands;
      if (gap !== '') {
        diffs.push(
          `shard ${shard}: cannot rebuild the engine at the settled cursor ${settled}: ${gap}`,
        );
        continue;
      }
      const engine = replayer.engine;
      engine.forEachBalance((acc, asset, available, locked) => {
        const k = bk(acc, asset);
        const prev = engineBalances.get(k) ?? { available: 0n, locked: 0n };
        engineBalances.set(k, {
          available: prev.available + BigInt(available),
          locked: prev.locked + BigInt(locked),
        });
      });

      // Trades: count (all time), volume per market (replayed part), none past the cursor.
      const [tc] = await sql<{ n: string; past: string }[]>`
        select count(*)::text as n, count(*) filter (where journal_seq > ${settled})::text as past
        from trades where shard_id = ${shard}`;
      summary.postgresTrades = Number(tc!.n);
      if (Number(tc!.past) > 0)
        diffs.push(`shard ${shard}: ${tc!.past} trades lie past the settled cursor ${settled}`);
      const engineTrades = engine.nextTradeId - 1;
      if (summary.postgresTrades !== engineTrades) {
        diffs.push(
          `shard ${shard}: ${summary.postgresTrades} trades in Postgres, the engine made ${engineTrades}`,
        );
      }
      const pv = await sql<{ symbol: string; n: string; qty: string; notional: string }[]>`
        select symbol, count(*)::text as n, sum(quantity)::text as qty, sum(price * quantity)::text as notional
        from trades where shard_id = ${shard} and journal_seq > ${from} and journal_seq <= ${settled}
        group by symbol`;
      const pvBySymbol = new Map(pv.map((r) => [r.symbol, r]));
      for (const [marketId, v] of volume) {
        const m = marketById.get(marketId);
        if (m === undefined) {
          diffs.push(
            `shard ${shard}: journal trades in engine market ${marketId}, which Postgres does not know`,
          );
          continue;
        }
        const p = pvBySymbol.get(m.symbol);
        pvBySymbol.delete(m.symbol);
        const lots =
          p === undefined ? 0 : divideToInteger(p.qty, parseDecimal(m.lot), `${m.symbol} volume`);
        if (p === undefined || Number(p.n) !== v.count || lots !== v.lots) {
          diffs.push(
            `shard ${shard}: ${m.symbol} journal has ${v.count} trades of ${v.lots} lots after seq ${from}; Postgres has ${p?.n ?? 0} of ${lots} lots`,
          );
        } else {
          // price x quantity in quote units = notional atoms / 10^precision
          const quote = assetBySymbol.get(m.symbol.split('-')[1]!);
          if (
            quote !== undefined &&
            decimalToAtoms(trimTo(p.notional, quote.precision), quote.precision) !== v.notional
          ) {
            diffs.push(
              `shard ${shard}: ${m.symbol} notional in Postgres ${p.notional} differs from the journal's ${v.notional} atoms`,
            );
          }
        }
      }
      for (const [symbol, p] of pvBySymbol) {
        diffs.push(
          `shard ${shard}: Postgres has ${p.n} ${symbol} trades after seq ${from} that the journal does not`,
        );
      }

      // Open orders vs the engine's book.
      const open = await sql<
        {
          eid: string;
          symbol: string;
          price: string | null;
          qty: string;
          filled: string;
          status: string;
        }[]
      >`select engine_order_id::text as eid, symbol, price::text as price, quantity::text as qty,
          filled_quantity::text as filled, status
        from orders where shard_id = ${shard} and status in ('new', 'partially_filled')`;
      const openById = new Map(open.map((r) => [Number(r.eid), r]));
      checked.openOrders += open.length;
      engine.forEachMarket((cfg) => {
        const m = marketById.get(cfg.marketId);
        for (const side of [1, 2] as const) {
          engine.forEachRestingOrder(cfg.marketId, side, (ro) => {
            summary.restingOrders++;
            const row = openById.get(ro.orderId);
            openById.delete(ro.orderId);
            if (row === undefined || m === undefined) {
              diffs.push(`shard ${shard}: resting order ${ro.orderId} is not open in Postgres`);
              return;
            }
            const lot = parseDecimal(m.lot);
            const tick = parseDecimal(m.tick);
            const q = divideToInteger(row.qty, lot, 'quantity');
            const f = divideToInteger(row.filled, lot, 'filled');
            const p = row.price === null ? 0 : divideToInteger(row.price, tick, 'price');
            if (q !== ro.qtyLots || f !== ro.filledLots || p !== ro.priceTicks) {
              diffs.push(
                `shard ${shard}: order ${ro.orderId} rests at ${ro.priceTicks} ticks, ${ro.qtyLots} lots, ${ro.filledLots} filled; Postgres has ${p}, ${q}, ${f} (${row.status})`,
              );
            }
          });
        }
      });
      for (const id of openById.keys())
        diffs.push(`shard ${shard}: order ${id} is open in Postgres but not in the engine's book`);

      // Withdrawals and deposits.
      const pending = new Set<number>();
      engine.forEachPendingWithdrawal((ref) => pending.add(ref));
      const locked = await sql<{ ref: string; status: string }[]>`
        select engine_ref_id::text as ref, status from withdrawals where status = 'locked'
           or engine_ref_id = any(${[...pending]}::int8[])`;
      for (const w of locked) {
        const ref = Number(w.ref);
        if (pending.has(ref) && w.status !== 'locked') {
          diffs.push(
            `shard ${shard}: withdrawal ref ${ref} is locked in the engine, '${w.status}' in Postgres`,
          );
        }
        if (!pending.has(ref) && w.status === 'locked' && o.shards.length === 1) {
          diffs.push(
            `shard ${shard}: withdrawal ref ${ref} is 'locked' in Postgres but not pending in the engine`,
          );
        }
      }
      const deposited: number[] = [];
      engine.forEachDepositRef((ref) => deposited.push(ref));
      const notCredited = await sql<{ ref: string; status: string }[]>`
        select engine_ref_id::text as ref, status from deposits
        where engine_ref_id = any(${deposited}::int8[]) and status <> 'credited'`;
      for (const d of notCredited) {
        diffs.push(
          `shard ${shard}: deposit ref ${d.ref} was credited by the engine but is '${d.status}' in Postgres`,
        );
      }
    }

    // ---- invariant 3: every balance equals the engine's
    const pgBalances = await sql<
      {
        acc: string;
        asset_id: number;
        precision: number;
        type: string;
        a: string;
        l: string;
        asset: string;
      }[]
    >`select a.engine_account_id::text as acc, s.engine_asset_id as asset_id, s.precision, a.type,
        la.balance_available::text as a, la.balance_locked::text as l, la.asset
      from ledger_accounts la join accounts a on a.id = la.account_id join assets s on s.symbol = la.asset
      where a.type <> 'treasury'`;
    const seen = new Set<Key>();
    for (const b of pgBalances) {
      const k = bk(Number(b.acc), b.asset_id);
      seen.add(k);
      checked.balances++;
      const e = engineBalances.get(k) ?? { available: 0n, locked: 0n };
      let pa: bigint;
      let pl: bigint;
      try {
        pa = decimalToAtoms(b.a, b.precision);
        pl = decimalToAtoms(b.l, b.precision);
      } catch (err) {
        diffs.push(`invariant 3: account ${b.acc} ${b.asset}: ${(err as Error).message}`);
        continue;
      }
      if (pa !== e.available || pl !== e.locked) {
        diffs.push(
          `invariant 3: account ${b.acc} ${b.asset}: Postgres available ${pa} locked ${pl} atoms, the engine ${e.available} / ${e.locked}`,
        );
      }
    }
    for (const [k, e] of engineBalances) {
      if (!seen.has(k) && (e.available !== 0n || e.locked !== 0n)) {
        const [acc, asset] = k.split(':');
        diffs.push(
          `invariant 3: engine account ${acc} asset ${asset} holds ${e.available} / ${e.locked} atoms; Postgres has no ledger account`,
        );
      }
    }
  });

  // Not drained / not comparable first, then invariant 2, then the rest (stable otherwise).
  const rank = (d: string) =>
    d.includes('not drained') || d.includes('cannot') ? 0 : d.startsWith('invariant 2') ? 1 : 2;
  diffs.sort((a, b) => rank(a) - rank(b));
  return { ok: diffs.length === 0, shards, differences: diffs, checked };
}

/** Cuts trailing zero decimals past `precision` (price x quantity carries both scales). */
function trimTo(text: string, precision: number): string {
  const dot = text.indexOf('.');
  if (dot < 0) return text;
  let s = text;
  while (s.length - dot - 1 > precision && s.endsWith('0')) s = s.slice(0, -1);
  return s.endsWith('.') ? s.slice(0, -1) : s;
}

export function formatReport(r: ReconcileReport): string {
  const lines: string[] = [];
  lines.push(`reconciliation: ${r.ok ? 'CLEAN' : `${r.differences.length} DIFFERENCE(S)`}`);
  for (const s of r.shards) {
    lines.push(
      `  shard ${s.shard}: settled seq ${s.settledSeq} of ${s.headSeq} (snapshot ${s.snapshotSeq}, replayed ${s.replayedCommands} commands); trades journal ${s.journalTrades} replayed / Postgres ${s.postgresTrades} total; ${s.restingOrders} resting orders`,
    );
  }
  const c = r.checked;
  lines.push(
    `  checked: ${c.entries} ledger entries over ${c.assets} assets, ${c.ledgerAccounts} ledger accounts, ${c.balances} balances against the engine, ${c.openOrders} open orders`,
  );
  const shown = r.differences.slice(0, RECONCILE_MAX_LISTED);
  for (const d of shown) lines.push(`  - ${d}`);
  if (r.differences.length > shown.length)
    lines.push(`  ... and ${r.differences.length - shown.length} more`);
  return lines.join('\n');
}
