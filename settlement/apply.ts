// Applying one journal range to Postgres: one transaction, set-based
// statements (unnest), idempotent in any order (README "Exactly once").
//
//   1. claim the range in settlement_applied_ranges (entries another job
//      already applied are left out; overlapping concurrent claims wait for
//      each other and the loser retries);
//   2. trades and ledger entries with deterministic ids, ON CONFLICT DO NOTHING;
//      treasury balances move by the entries actually inserted;
//   3. deposits and withdrawals statuses (guarded by journal seq);
//   4. orders: the complete state as of the job, written only over an older one;
//   5. ledger balances: the engine's absolute BALANCE, only over an older one;
//   6. the contiguous settled cursor, under a per-shard advisory lock.
// After COMMIT the cursor is copied to Redis `settled:{shard}` (only upward).
import type Redis from 'ioredis';
import type { Sql, TransactionSql } from 'postgres';
import { EventKind } from '../engine/enums';
import { settledKey } from '../engine/process';
import { DependencyError, SettlementError } from './errors';
import { depositRefUuid, withdrawalRefUuid } from './ids';
import { type JEntry, type JournalCache, readEntries } from './journal';
import { MAX_WINDOW_COMMANDS } from './limits';
import { type OrderRow, OrderState, type StoredOrder, stateFromRow } from './order-state';
import { pgArray, pgSafeArray } from './pg-array';
import { buildPlan, isoMicros, type OrderTouch, type Plan, referencedIds } from './plan';
import type { ReferenceData } from './reference-data';

/** pg_advisory_xact_lock(class, shard) serializes cursor moves of one shard. */
export const CURSOR_LOCK_CLASS = 0x5e77;

export interface ApplyContext {
  readonly sql: Sql;
  readonly redis: Redis;
  readonly cache: JournalCache;
  readonly refs: ReferenceData;
  readonly statementTimeoutMs: number;
  /** Test seam: called after each stage (inside the transaction for most); throwing there aborts the job. */
  readonly stageHook?: (stage: string) => void;
}

export interface RangeJob {
  readonly shard: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly jobId: string;
}

export interface ApplyResult {
  /** applied: all of the range; partial: the part no other job had applied; duplicate: nothing new. */
  readonly status: 'applied' | 'partial' | 'duplicate';
  readonly commands: number;
  readonly trades: number;
  readonly entries: number;
  readonly orders: number;
  readonly balances: number;
  /** Contiguous settled seq of the shard after this job (0 when unknown). */
  readonly settledSeq: number;
  /** Journal commands read beyond the job to fold order history. */
  readonly windowCommands: number;
  /** Open client order id conflicts settled by folding the other order (README "Orders"). */
  readonly clientIdConflicts: number;
  readonly anomalies: readonly string[];
  /** Milliseconds per stage (read, plan, claim, trades, entries, orders, balances, cursor, commit). */
  readonly stageMs?: Record<string, number>;
}

type Tx = TransactionSql;

const SET_MAX = `
local cur = redis.call('GET', KEYS[1])
local n = tonumber(cur)
if cur == false or n == nil or n < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1])
  return 1
end
return 0
`;

/** Raises `settled:{shard}` to seq (never lowers it): what the engine's journal trimmer reads. */
export async function publishSettled(redis: Redis, shard: number, seq: number): Promise<void> {
  await redis.eval(SET_MAX, 1, settledKey(shard), String(seq));
}

export async function readSettledSeq(db: Sql | Tx, shard: number): Promise<number> {
  const rows = await db<{ s: string }[]>`
    select settled_seq::text as s from settlement_cursors where shard_id = ${shard}`;
  return rows.length === 0 ? 0 : Number(rows[0]!.s);
}

function coverage(entries: readonly JEntry[], first: number, last: number): boolean {
  if (entries.length === 0) return false;
  if (entries[0]!.firstSeq !== first || entries[entries.length - 1]!.lastSeq !== last) return false;
  for (let i = 1; i < entries.length; i++) {
    if (entries[i]!.firstSeq !== entries[i - 1]!.lastSeq + 1) return false;
  }
  return true;
}

/** Applies one job's range; see the file header. Throws on failure (the transaction rolls back). */
export async function applyRange(ctx: ApplyContext, job: RangeJob): Promise<ApplyResult> {
  const { shard, firstSeq, lastSeq } = job;
  const stageMs: Record<string, number> = {};
  let mark = performance.now();
  const stage = (name: string) => {
    const now = performance.now();
    stageMs[name] = (stageMs[name] ?? 0) + (now - mark);
    mark = now;
    ctx.stageHook?.(name);
  };
  const entries = await readEntries(ctx.redis, ctx.cache, shard, firstSeq, lastSeq);
  if (!coverage(entries, firstSeq, lastSeq)) {
    const settled = await readSettledSeq(ctx.sql, shard);
    if (lastSeq <= settled) return emptyResult('duplicate', settled);
    const got =
      entries.length === 0
        ? 'nothing'
        : `${entries[0]!.firstSeq}..${entries[entries.length - 1]!.lastSeq}`;
    throw new SettlementError(
      'E_SETTLEMENT_JOURNAL_MISSING',
      `journal:{${shard}} seqs ${firstSeq}..${lastSeq} are not all in the journal (found ${got}) and not settled (cursor ${settled})`,
    );
  }
  const ids = referencedIds(entries);
  await ctx.refs.resolve(ids.accounts, ids.assets, ids.markets);
  stage('read');

  const anomalies: string[] = [];
  let found: [string, string][] = [];
  const result = await ctx.sql.begin(async (tx) => {
    await tx.unsafe(`set local statement_timeout = ${Math.floor(ctx.statementTimeoutMs)}`);
    const claimed = await claim(tx, job, entries);
    if (claimed.length === 0) return emptyResult('duplicate', 0);
    stage('claim');
    const plan = buildPlan(shard, claimed, ctx.refs);
    stage('plan');

    // Ledger account ids for every leg and balance (missing rows are created).
    const keys = new Set<string>(plan.entries.ledgerKey);
    for (const k of plan.balances.keys()) keys.add(k);
    const la = await ctx.refs.ledgerAccountIds(tx, keys);
    found = la.found;
    await resolveRequestRefs(tx, plan, anomalies);
    stage('ledgerIds');
    if (plan.trades.length > 0) await insertTrades(tx, plan);
    stage('trades');
    const treasuryDeltas =
      plan.entries.length > 0 ? await insertEntries(tx, plan, la.ids) : new Map<string, string>();
    stage('entries');
    await updateRequests(tx, plan);
    const orders = await applyOrders(ctx, tx, job, entries, claimed, plan, anomalies);
    stage('orders');
    const balances = await applyBalances(tx, plan, la.ids, treasuryDeltas);
    stage('balances');
    const settled = await advanceCursor(tx, shard);
    stage('cursor');
    return {
      status: claimed.length === entries.length ? ('applied' as const) : ('partial' as const),
      commands: plan.commands,
      trades: plan.trades.length,
      entries: plan.entries.length,
      orders: orders.written,
      balances,
      settledSeq: settled,
      windowCommands: orders.windowCommands,
      clientIdConflicts: orders.conflicts,
      anomalies,
    };
  });
  stage('commit');
  ctx.refs.rememberLedgerIds(found);
  if (result.settledSeq > 0) await publishSettled(ctx.redis, shard, result.settledSeq);
  stage('publish');
  return { ...result, stageMs };
}

function emptyResult(status: 'duplicate', settled: number): ApplyResult {
  return {
    status,
    commands: 0,
    trades: 0,
    entries: 0,
    orders: 0,
    balances: 0,
    settledSeq: settled,
    windowCommands: 0,
    clientIdConflicts: 0,
    anomalies: [],
  };
}

// ------------------------------------------------------------------ claim

/**
 * Inserts the job's applied range(s) and returns the entries it owns now:
 * all of them normally; none for a duplicate; some when another job with
 * other boundaries (a pump restart) applied part of the range already.
 */
async function claim(tx: Tx, job: RangeJob, entries: readonly JEntry[]): Promise<JEntry[]> {
  const { shard, firstSeq, lastSeq } = job;
  const settled = await readSettledSeq(tx, shard);
  const covered = await tx<{ f: string; l: string }[]>`
    select first_seq::text as f, last_seq::text as l from settlement_applied_ranges
    where shard_id = ${shard} and first_seq <= ${lastSeq} and last_seq >= ${firstSeq}`;
  const spans = covered.map((r) => [Number(r.f), Number(r.l)] as const);
  const mine: JEntry[] = [];
  for (const e of entries) {
    if (e.lastSeq <= settled) continue;
    let inside = false;
    for (const [f, l] of spans) {
      if (e.firstSeq >= f && e.lastSeq <= l) inside = true;
      else if (e.firstSeq <= l && e.lastSeq >= f) {
        throw new SettlementError(
          'E_SETTLEMENT_INVARIANT',
          `journal:{${shard}} entry ${e.firstSeq}..${e.lastSeq} straddles applied range ${f}..${l}`,
        );
      }
    }
    if (!inside) mine.push(e);
  }
  if (mine.length === 0) return mine;
  const firsts: number[] = [];
  const lasts: number[] = [];
  for (const e of mine) {
    const n = lasts.length;
    if (n > 0 && lasts[n - 1] === e.firstSeq - 1) lasts[n - 1] = e.lastSeq;
    else {
      firsts.push(e.firstSeq);
      lasts.push(e.lastSeq);
    }
  }
  await tx`
    insert into settlement_applied_ranges (shard_id, first_seq, last_seq, job_id)
    select ${shard}, f, l, ${job.jobId} from unnest(${pgArray(firsts)}::int8[], ${pgArray(lasts)}::int8[]) as x(f, l)`;
  return mine;
}

// ------------------------------------------------------------------ trades and entries

async function insertTrades(tx: Tx, plan: Plan): Promise<void> {
  const t = plan.trades;
  await tx`
    insert into trades (id, symbol, maker_order_id, taker_order_id, price, quantity, executed_at,
      shard_id, engine_trade_id, journal_seq, maker_account_id, taker_account_id, taker_side,
      maker_fee, taker_fee, maker_fee_asset, taker_fee_asset)
    select id, symbol, mo, tko, price, qty, at, ${plan.shard}, tid, seq, ma, ta, side, mf, tf, mfa, tfa
    from unnest(${pgSafeArray(t.id)}::uuid[], ${pgSafeArray(t.symbol)}::text[], ${pgSafeArray(t.makerOrderId)}::uuid[], ${pgSafeArray(t.takerOrderId)}::uuid[],
      ${pgSafeArray(t.price)}::numeric[], ${pgSafeArray(t.quantity)}::numeric[], ${pgSafeArray(t.time)}::timestamptz[], ${pgSafeArray(t.engineTradeId)}::int8[],
      ${pgSafeArray(t.seq)}::int8[], ${pgSafeArray(t.makerAccountId)}::uuid[], ${pgSafeArray(t.takerAccountId)}::uuid[], ${pgSafeArray(t.takerSide)}::text[],
      ${pgSafeArray(t.makerFee)}::numeric[], ${pgSafeArray(t.takerFee)}::numeric[], ${pgSafeArray(t.makerFeeAsset)}::text[], ${pgSafeArray(t.takerFeeAsset)}::text[])
      as x(id, symbol, mo, tko, price, qty, at, tid, seq, ma, ta, side, mf, tf, mfa, tfa)
    order by id
    on conflict do nothing`;
}

/** Inserts the legs; returns the balance change of each treasury ledger account from the legs actually inserted. */
async function insertEntries(
  tx: Tx,
  plan: Plan,
  ids: Map<string, string>,
): Promise<Map<string, string>> {
  const e = plan.entries;
  const la = e.ledgerKey.map((k) => ids.get(k)!);
  if (plan.refUses.length === 0) {
    // Trading only: no treasury leg, so nothing to sum from what was inserted.
    await tx`
      insert into ledger_entries (id, ledger_account_id, entry_type, amount, reference_type, reference_id,
        created_at, journal_seq, shard_id, transfer_id)
      select id, la, et, amount, rt, rid, at, seq, ${plan.shard}, tr
      from unnest(${pgSafeArray(e.id)}::uuid[], ${pgSafeArray(la)}::uuid[], ${pgSafeArray(e.entryType)}::text[], ${pgSafeArray(e.amount)}::numeric[],
        ${pgSafeArray(e.refType)}::text[], ${pgSafeArray(e.refId)}::uuid[], ${pgSafeArray(e.time)}::timestamptz[], ${pgSafeArray(e.seq)}::int8[],
        ${pgSafeArray(e.transferId)}::uuid[]) as x(id, la, et, amount, rt, rid, at, seq, tr)
      order by id
      on conflict (id) do nothing`;
    return new Map();
  }
  const rows = await tx<{ id: string; delta: string }[]>`
    with ins as (
      insert into ledger_entries (id, ledger_account_id, entry_type, amount, reference_type, reference_id,
        created_at, journal_seq, shard_id, transfer_id)
      select id, la, et, amount, rt, rid, at, seq, ${plan.shard}, tr
      from unnest(${pgSafeArray(e.id)}::uuid[], ${pgSafeArray(la)}::uuid[], ${pgSafeArray(e.entryType)}::text[], ${pgSafeArray(e.amount)}::numeric[],
        ${pgSafeArray(e.refType)}::text[], ${pgSafeArray(e.refId)}::uuid[], ${pgSafeArray(e.time)}::timestamptz[], ${pgSafeArray(e.seq)}::int8[],
        ${pgSafeArray(e.transferId)}::uuid[]) as x(id, la, et, amount, rt, rid, at, seq, tr)
      order by id
      on conflict (id) do nothing
      returning ledger_account_id, entry_type, amount
    )
    select ins.ledger_account_id as id,
      sum(case when entry_type = 'credit' then amount else -amount end)::text as delta
    from ins join ledger_accounts l on l.id = ins.ledger_account_id and l.account_type = 'treasury'
    group by 1`;
  const out = new Map<string, string>();
  for (const r of rows) out.set(r.id, r.delta);
  return out;
}

// ------------------------------------------------------------------ deposits and withdrawals

async function resolveRequestRefs(tx: Tx, plan: Plan, anomalies: string[]): Promise<void> {
  if (plan.refUses.length === 0) return;
  const dep = plan.refUses.filter((u) => u.kind === 'deposit').map((u) => u.refId);
  const wd = plan.refUses.filter((u) => u.kind === 'withdrawal').map((u) => u.refId);
  type Row = {
    id: string;
    ref: string;
    account_id: string;
    asset: string;
    amount: string;
    txid?: string | null;
  };
  const deposits = new Map<number, Row>();
  const withdrawals = new Map<number, Row>();
  if (dep.length > 0) {
    for (const r of await tx<Row[]>`
      select id, engine_ref_id::text as ref, account_id, asset, amount::text as amount
      from deposits where engine_ref_id = any(${pgArray(dep)}::int8[])`) {
      deposits.set(Number(r.ref), r);
    }
  }
  if (wd.length > 0) {
    for (const r of await tx<Row[]>`
      select id, engine_ref_id::text as ref, account_id, asset, amount::text as amount, txid
      from withdrawals where engine_ref_id = any(${pgArray(wd)}::int8[])`) {
      withdrawals.set(Number(r.ref), r);
    }
  }
  for (const u of plan.refUses) {
    const row = (u.kind === 'deposit' ? deposits : withdrawals).get(u.refId);
    let refUuid: string;
    if (row === undefined) {
      refUuid =
        u.kind === 'deposit'
          ? depositRefUuid(plan.shard, u.refId)
          : withdrawalRefUuid(plan.shard, u.refId);
      anomalies.push(
        `${u.kind} engine ref ${u.refId} has no ${u.kind}s row; ledger reference ${refUuid}`,
      );
    } else {
      refUuid = row.id;
      if (u.kind === 'withdrawal' && (row.txid === null || row.txid === undefined)) {
        anomalies.push(
          `withdrawal ${row.id} (engine ref ${u.refId}) was finalized by the engine but has no payout txid: it stays '${'locked'}' (the ledger has the debit)`,
        );
      }
      if (
        row.account_id !== u.accountUuid ||
        row.asset !== u.asset ||
        !sameDecimal(row.amount, u.amount)
      ) {
        anomalies.push(
          `${u.kind} ${row.id} (engine ref ${u.refId}) is ${row.amount} ${row.asset} for ${row.account_id}; the engine moved ${u.amount} ${u.asset} for ${u.accountUuid}`,
        );
      }
    }
    for (const i of u.entries) plan.entries.refId[i] = refUuid;
  }
}

function sameDecimal(a: string, b: string): boolean {
  const norm = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  return norm(a) === norm(b);
}

async function updateRequests(tx: Tx, plan: Plan): Promise<void> {
  if (plan.depositsCredited.size > 0) {
    const refs = [...plan.depositsCredited.keys()];
    const seqs = refs.map((r) => plan.depositsCredited.get(r)!);
    await tx`
      update deposits d set status = 'credited', journal_seq = x.seq
      from (select * from unnest(${pgArray(refs)}::int8[], ${pgArray(seqs)}::int8[]) as u(ref, seq) order by ref) x
      where d.engine_ref_id = x.ref and d.status <> 'credited'`;
  }
  if (plan.depositsRejected.size > 0) {
    const refs = [...plan.depositsRejected.keys()];
    await tx`
      update deposits set status = 'rejected'
      where engine_ref_id = any(${pgArray(refs)}::int8[]) and status = 'pending'`;
  }
  if (plan.withdrawals.size > 0) {
    const refs = [...plan.withdrawals.keys()];
    const status = refs.map((r) => plan.withdrawals.get(r)!.status);
    const seqs = refs.map((r) => plan.withdrawals.get(r)!.seq);
    // 'completed' needs the payout txid (withdrawals_completed_txid_check); a row without
    // one keeps its status and is reported by reconciliation (the ledger is complete anyway).
    await tx`
      update withdrawals w set status = x.status, journal_seq = x.seq
      from (select * from unnest(${pgArray(refs)}::int8[], ${pgArray(status)}::text[], ${pgArray(seqs)}::int8[]) as u(ref, status, seq)
            order by ref) x
      where w.engine_ref_id = x.ref and (w.journal_seq is null or w.journal_seq < x.seq)
        and (x.status <> 'completed' or w.txid is not null)`;
  }
  if (plan.withdrawalsRejected.size > 0) {
    const refs = [...plan.withdrawalsRejected.keys()];
    await tx`
      update withdrawals set status = 'rejected'
      where engine_ref_id = any(${pgArray(refs)}::int8[]) and status = 'requested'`;
  }
}

// ------------------------------------------------------------------ orders

const ORDER_COLUMNS = `engine_order_id::float8 as engine_order_id, account_id, market_id, side, type,
  price::text as price, quantity::text as quantity, filled_quantity::text as filled_quantity,
  cumulative_quote::text as cumulative_quote, status, time_in_force, stp_mode, post_only, client_order_id,
  (extract(epoch from created_at) * 1000000)::int8::text as created_us, last_journal_seq::text as last_journal_seq`;

/** Order events of entries, per engine order id, in journal order. */
function indexOrderEvents(entries: readonly JEntry[]): Map<number, OrderTouch[]> {
  const out = new Map<number, OrderTouch[]>();
  const add = (id: number, t: OrderTouch) => {
    let l = out.get(id);
    if (l === undefined) {
      l = [];
      out.set(id, l);
    }
    l.push(t);
  };
  for (const e of entries) {
    for (const c of e.commands) {
      for (const ev of c.events) {
        const t = { ev, seq: c.seq, timeUs: c.timeUs };
        switch (ev.kind) {
          case EventKind.ORDER_ACCEPTED:
          case EventKind.ORDER_CANCELED:
          case EventKind.ORDER_EXPIRED:
          case EventKind.ORDER_AMENDED:
            add(ev.orderId, t);
            break;
          case EventKind.TRADE:
            add(ev.orderId, t);
            add(ev.makerOrderId, t);
            break;
          case EventKind.SELF_TRADE_PREVENTED:
            if (ev.stpMode === 5) {
              add(ev.orderId, t);
              add(ev.makerOrderId, t);
            }
            break;
          default:
        }
      }
    }
  }
  return out;
}

class OrderFolder {
  readonly states = new Map<number, OrderState>();
  private cursor = -1;
  private window: JEntry[] | undefined;
  windowCommands = 0;

  constructor(
    private readonly ctx: ApplyContext,
    private readonly tx: Tx,
    private readonly job: RangeJob,
    private readonly anomalies: string[],
  ) {}

  private anomaly = (m: string): void => {
    this.anomalies.push(m);
  };

  async settled(): Promise<number> {
    if (this.cursor < 0) this.cursor = await readSettledSeq(this.tx, this.job.shard);
    return this.cursor;
  }

  /** Journal entries after the settled cursor and before the job (read once). */
  async windowEntries(): Promise<JEntry[]> {
    if (this.window !== undefined) return this.window;
    const from = (await this.settled()) + 1;
    const to = this.job.firstSeq - 1;
    if (to < from) {
      this.window = [];
      return this.window;
    }
    if (to - from + 1 > MAX_WINDOW_COMMANDS) {
      throw new DependencyError(
        `orders of seqs ${this.job.firstSeq}.. need history from seq ${from}: more than ${MAX_WINDOW_COMMANDS} commands ahead of the cursor`,
      );
    }
    const w = await readEntries(this.ctx.redis, this.ctx.cache, this.job.shard, from, to);
    if (!coverage(w, from, to)) {
      throw new DependencyError(
        `journal:{${this.job.shard}} seqs ${from}..${to} are not all readable`,
      );
    }
    for (const e of w) this.windowCommands += e.commands.length;
    this.window = w;
    return w;
  }

  async loadRows(ids: number[]): Promise<Map<number, StoredOrder>> {
    const out = new Map<number, StoredOrder>();
    if (ids.length === 0) return out;
    const rows = await this.tx.unsafe<StoredOrder[]>(
      `select ${ORDER_COLUMNS} from orders where shard_id = $1 and engine_order_id = any($2::int8[])`,
      [this.job.shard, pgArray(ids)],
    );
    for (const r of rows) out.set(Number(r.engine_order_id), r);
    return out;
  }

  /**
   * Folds `touches` onto the state of order id (creating it from ORDER_ACCEPTED). A row's
   * state covers whole commands, so callers pass only touches with seq > base.lastSeq.
   */
  fold(
    id: number,
    base: OrderState | undefined,
    touches: Iterable<OrderTouch>,
  ): OrderState | undefined {
    let s = base;
    for (const t of touches) {
      if (s === undefined) {
        if (t.ev.kind !== EventKind.ORDER_ACCEPTED) return undefined;
        s = new OrderState(this.job.shard, id);
      }
      s.apply(t.ev, t.seq, t.timeUs, this.ctx.refs, this.anomaly);
    }
    s?.finish();
    return s;
  }

  /** Events of the given orders in the window, per order, with seq > after(id). */
  async windowTouches(ids: Set<number>): Promise<Map<number, OrderTouch[]>> {
    const w = await this.windowEntries();
    const all = indexOrderEvents(w);
    const out = new Map<number, OrderTouch[]>();
    for (const id of ids) {
      const l = all.get(id);
      if (l !== undefined) out.set(id, l);
    }
    return out;
  }
}

async function applyOrders(
  ctx: ApplyContext,
  tx: Tx,
  job: RangeJob,
  entries: readonly JEntry[],
  claimed: readonly JEntry[],
  plan: Plan,
  anomalies: string[],
): Promise<{ written: number; windowCommands: number; conflicts: number }> {
  if (plan.orderEvents.size === 0) return { written: 0, windowCommands: 0, conflicts: 0 };
  const f = new OrderFolder(ctx, tx, job, anomalies);
  // Read the cursor before any orders row: a row read later is at least as new as the cursor.
  await f.settled();
  const jobTouches =
    claimed.length === entries.length ? plan.orderEvents : indexOrderEvents(entries);
  const needBase: number[] = [];
  for (const [id, touches] of plan.orderEvents) {
    const all = jobTouches.get(id) ?? touches;
    if (all[0]!.ev.kind !== EventKind.ORDER_ACCEPTED) needBase.push(id);
  }
  const rows = await f.loadRows(needBase);
  const windowNeeded = new Set<number>();
  const bases = new Map<number, OrderState>();
  for (const id of needBase) {
    const row = rows.get(id);
    const lastTouch = jobTouches.get(id)!;
    const lastSeq = lastTouch[lastTouch.length - 1]!.seq;
    if (row !== undefined && Number(row.last_journal_seq) >= lastSeq) continue; // a newer state is written
    if (row !== undefined) bases.set(id, stateFromRow(job.shard, row, ctx.refs));
    windowNeeded.add(id);
  }
  const settled = await f.settled();
  const window =
    windowNeeded.size > 0 && settled < job.firstSeq - 1
      ? await f.windowTouches(windowNeeded)
      : new Map();
  for (const id of plan.orderEvents.keys()) {
    const touches = jobTouches.get(id)!;
    if (touches[0]!.ev.kind === EventKind.ORDER_ACCEPTED) {
      const s = f.fold(id, undefined, touches);
      if (s !== undefined) f.states.set(id, s);
      continue;
    }
    if (!windowNeeded.has(id)) continue;
    const base = bases.get(id);
    const after = base === undefined ? 0 : base.lastSeq;
    const w: OrderTouch[] = window.get(id) ?? [];
    const s = f.fold(
      id,
      base,
      [...w, ...touches].filter((t) => t.seq > after),
    );
    if (s === undefined) {
      throw new SettlementError(
        'E_SETTLEMENT_INVARIANT',
        `order ${id} of journal:{${job.shard}} has events at seq ${touches[0]!.seq}.. but no orders row and no ORDER_ACCEPTED after the settled cursor ${settled}`,
      );
    }
    f.states.set(id, s);
  }
  const conflicts = await resolveClientIdConflicts(f, ctx, tx, job);
  const list = [...f.states.values()].filter((s) => s.known).sort((a, b) => a.orderId - b.orderId);
  if (list.length > 0)
    await upsertOrders(
      tx,
      job.shard,
      list.map((s) => s.toRow()),
    );
  return { written: list.length, windowCommands: f.windowCommands, conflicts };
}

/**
 * Client order ids are unique among an account's OPEN orders. Jobs commit in
 * any order, so an order this job writes as open may meet another open row
 * with the same id whose close is in a range not applied yet. Both states are
 * in the journal: an older conflicting order is folded through the window to
 * its close; if the other order is newer, this job's order is folded forward
 * to its own close. Either way every row written is a true journal state.
 */
async function resolveClientIdConflicts(
  f: OrderFolder,
  ctx: ApplyContext,
  tx: Tx,
  job: RangeJob,
): Promise<number> {
  let resolved = 0;
  for (let round = 0; round < 3; round++) {
    const open = [...f.states.values()].filter((s) => s.known && s.open && s.clientOrderId !== '');
    if (open.length === 0) return resolved;
    const rows = await tx.unsafe<(StoredOrder & { ord: string })[]>(
      `select ${ORDER_COLUMNS}, x.ord::text as ord from orders o
       join unnest($2::uuid[], $3::text[], $4::int8[]) as x(acc, cid, ord)
         on o.account_id = x.acc and o.client_order_id = x.cid
       where o.status in ('new', 'partially_filled') and o.shard_id = $1 and o.engine_order_id <> x.ord`,
      [
        job.shard,
        pgArray(open.map((s) => s.accountUuid)),
        pgArray(open.map((s) => s.clientOrderId)),
        pgArray(open.map((s) => s.orderId)),
      ],
    );
    const conflicts = rows.filter(
      (r) =>
        !f.states.has(Number(r.engine_order_id)) || f.states.get(Number(r.engine_order_id))!.open,
    );
    if (conflicts.length === 0) return resolved;
    resolved += conflicts.length;
    for (const r of conflicts) {
      const otherId = Number(r.engine_order_id);
      const mineId = Number(r.ord);
      if (otherId < mineId) {
        // The other (older) order closed before mine was accepted: fold it through the window.
        const base = stateFromRow(job.shard, r, ctx.refs);
        const w = await f.windowTouches(new Set([otherId]));
        const s = f.fold(
          otherId,
          base,
          (w.get(otherId) ?? []).filter((t) => t.seq > base.lastSeq),
        );
        if (s === undefined || s.open) {
          throw new DependencyError(
            `order ${otherId} is open with the client order id of order ${mineId}`,
          );
        }
        f.states.set(otherId, s);
      } else {
        // Mine closes before the other (newer) one was accepted: fold mine forward to its close.
        const mine = f.states.get(mineId)!;
        const until = Number(r.last_journal_seq);
        if (until - job.lastSeq > MAX_WINDOW_COMMANDS) {
          throw new DependencyError(
            `order ${mineId} closes beyond the window (before seq ${until})`,
          );
        }
        const ahead = await readEntries(ctx.redis, ctx.cache, job.shard, job.lastSeq + 1, until);
        const touches = indexOrderEvents(ahead).get(mineId) ?? [];
        const closeAt = touches.findIndex(
          (t) =>
            t.ev.kind === EventKind.ORDER_CANCELED ||
            t.ev.kind === EventKind.ORDER_EXPIRED ||
            (t.ev.kind === EventKind.TRADE &&
              (t.ev.makerOrderId === mineId ? t.ev.makerRemainingLots : t.ev.remainingLots) === 0),
        );
        if (closeAt < 0) {
          throw new DependencyError(
            `order ${mineId} is open with the client order id of newer order ${otherId}`,
          );
        }
        const s = f.fold(mineId, mine, touches.slice(0, closeAt + 1));
        if (s === undefined || s.open) {
          throw new DependencyError(`order ${mineId} could not be folded to its close`);
        }
        f.states.set(mineId, s);
      }
    }
  }
  throw new DependencyError('client order id conflicts did not resolve');
}

async function upsertOrders(tx: Tx, shard: number, rows: OrderRow[]): Promise<void> {
  const col = <K extends keyof OrderRow>(k: K) => rows.map((r) => r[k]);
  await tx`
    insert into orders as o (id, client_order_id, account_id, symbol, side, type, price, quantity,
      filled_quantity, status, time_in_force, created_at, updated_at, engine_order_id, shard_id, market_id,
      stp_mode, post_only, last_journal_seq, average_price, cumulative_quote)
    select id, cid, acc, sym, side, type, price, qty, filled, status, tif,
      created, now(), eid, ${shard}, mkt, stp, po = 1,
      seq, case when filled > 0 then cq / filled end, cq
    from unnest(${pgSafeArray(col('id'))}::uuid[], ${pgArray(col('clientOrderId'))}::text[], ${pgSafeArray(col('accountId'))}::uuid[],
      ${pgSafeArray(col('symbol'))}::text[], ${pgSafeArray(col('side'))}::text[], ${pgSafeArray(col('type'))}::text[], ${pgArray(col('price'))}::numeric[],
      ${pgSafeArray(col('quantity'))}::numeric[], ${pgSafeArray(col('filled'))}::numeric[], ${pgSafeArray(col('status'))}::text[],
      ${pgSafeArray(col('timeInForce'))}::text[], ${pgSafeArray(rows.map((r) => isoMicros(r.createdUs)))}::timestamptz[],
      ${pgSafeArray(col('engineOrderId'))}::int8[],
      ${pgSafeArray(col('marketId'))}::uuid[], ${pgSafeArray(col('stpMode'))}::text[], ${pgSafeArray(col('postOnly'))}::int2[],
      ${pgSafeArray(col('lastSeq'))}::int8[], ${pgSafeArray(col('cumulativeQuote'))}::numeric[])
      as x(id, cid, acc, sym, side, type, price, qty, filled, status, tif, created, eid, mkt, stp, po, seq, cq)
    order by id
    on conflict (id) do update set
      client_order_id = excluded.client_order_id, side = excluded.side, type = excluded.type,
      price = excluded.price, quantity = excluded.quantity, filled_quantity = excluded.filled_quantity,
      status = excluded.status, time_in_force = excluded.time_in_force, created_at = excluded.created_at,
      stp_mode = excluded.stp_mode, post_only = excluded.post_only,
      last_journal_seq = excluded.last_journal_seq, average_price = excluded.average_price,
      cumulative_quote = excluded.cumulative_quote
    where o.last_journal_seq < excluded.last_journal_seq`;
}

// ------------------------------------------------------------------ balances and cursor

async function applyBalances(
  tx: Tx,
  plan: Plan,
  ids: Map<string, string>,
  treasury: Map<string, string>,
): Promise<number> {
  const bIds: string[] = [];
  const avail: string[] = [];
  const locked: string[] = [];
  const seqs: number[] = [];
  for (const [k, v] of plan.balances) {
    bIds.push(ids.get(k)!);
    avail.push(v.available);
    locked.push(v.locked);
    seqs.push(v.seq);
  }
  const tIds = [...treasury.keys()];
  const lockIds = [...new Set([...bIds, ...tIds])].sort();
  if (lockIds.length === 0) return 0;
  // One lock order for every job (sorted ids) so concurrent jobs never deadlock here;
  // taken last, so jobs overlap everywhere else.
  await tx`select id from ledger_accounts where id = any(${pgArray(lockIds)}::uuid[]) order by id for no key update`;
  if (bIds.length > 0) {
    await tx`
      update ledger_accounts la set balance_available = x.a, balance_locked = x.l, last_journal_seq = x.s
      from unnest(${pgArray(bIds)}::uuid[], ${pgArray(avail)}::numeric[], ${pgArray(locked)}::numeric[], ${pgArray(seqs)}::int8[]) as x(id, a, l, s)
      where la.id = x.id and la.last_journal_seq < x.s`;
  }
  if (tIds.length > 0) {
    const deltas = tIds.map((id) => treasury.get(id)!);
    await tx`
      update ledger_accounts la set balance_available = la.balance_available + x.d,
        last_journal_seq = greatest(la.last_journal_seq, ${plan.lastSeq})
      from unnest(${pgArray(tIds)}::uuid[], ${pgArray(deltas)}::numeric[]) as x(id, d)
      where la.id = x.id`;
  }
  return bIds.length + tIds.length;
}

/** Moves settlement_cursors over every applied range contiguous with it; returns the new position. */
export async function advanceCursor(tx: Tx, shard: number): Promise<number> {
  await tx`select pg_advisory_xact_lock(${CURSOR_LOCK_CLASS}, ${shard})`;
  const before = await readSettledSeq(tx, shard);
  const ranges = await tx<{ f: string; l: string }[]>`
    select first_seq::text as f, last_seq::text as l from settlement_applied_ranges
    where shard_id = ${shard} and last_seq > ${before} order by first_seq limit 100000`;
  let settled = before;
  for (const r of ranges) {
    const f = Number(r.f);
    if (f > settled + 1) break;
    settled = Math.max(settled, Number(r.l));
  }
  if (settled > before) {
    await tx`
      insert into settlement_cursors (shard_id, settled_seq) values (${shard}, ${settled})
      on conflict (shard_id) do update set settled_seq = excluded.settled_seq
      where settlement_cursors.settled_seq < excluded.settled_seq`;
  }
  return settled;
}
