// Engine ids -> Postgres rows. Accounts, assets and markets are defined in
// Postgres before the engine hears of them (the engine learns them from
// journaled commands), so every id in the journal has a row here; they are
// loaded on first use and cached (rows never change identity). Ledger account
// ids are cached the same way: ledger_accounts rows are never deleted (entries
// reference them).
import type { Sql, TransactionSql } from 'postgres';
import { type Fixed, multiplyFixed, parseDecimal, unitInAtoms } from './amounts';
import { SettlementError } from './errors';
import { pgArray } from './pg-array';

export type AccountType = 'spot' | 'fee' | 'treasury';

export interface AccountRef {
  readonly id: string;
  readonly type: AccountType;
  readonly engineId: number;
}

export interface AssetRef {
  readonly engineId: number;
  readonly symbol: string;
  readonly precision: number;
}

export interface MarketRef {
  readonly engineId: number;
  readonly id: string;
  readonly symbol: string;
  readonly shardId: number;
  readonly base: AssetRef;
  readonly quote: AssetRef;
  readonly tickSize: Fixed;
  readonly lotSize: Fixed;
  /** lot_size in base atoms (the engine's baseAtomsPerLot). */
  readonly baseAtomsPerLot: number;
  /** tick_size x lot_size in quote atoms (the engine's quoteAtomsPerTickLot). */
  readonly quoteAtomsPerTickLot: number;
}

type Db = Sql | TransactionSql;

function unknown(what: string, ids: Iterable<number>): SettlementError {
  return new SettlementError(
    'E_SETTLEMENT_UNKNOWN_REFERENCE',
    `no Postgres row for engine ${what} id(s) ${[...ids].slice(0, 10).join(', ')}`,
  );
}

export class ReferenceData {
  private readonly accounts = new Map<number, AccountRef>();
  private readonly accountsByUuid = new Map<string, AccountRef>();
  private readonly assets = new Map<number, AssetRef>();
  private readonly assetsBySymbol = new Map<string, AssetRef>();
  private readonly markets = new Map<number, MarketRef>();
  private readonly marketsByUuid = new Map<string, MarketRef>();
  private readonly ledgerIds = new Map<string, string>();
  private fee: AccountRef | undefined;
  private treasury: AccountRef | undefined;

  constructor(private readonly sql: Sql) {}

  get feeAccount(): AccountRef {
    if (this.fee === undefined)
      throw new SettlementError('E_SETTLEMENT_UNKNOWN_REFERENCE', 'no fee account');
    return this.fee;
  }

  get treasuryAccount(): AccountRef {
    if (this.treasury === undefined) {
      throw new SettlementError('E_SETTLEMENT_UNKNOWN_REFERENCE', 'no treasury account');
    }
    return this.treasury;
  }

  account(engineId: number): AccountRef {
    const a = this.accounts.get(engineId);
    if (a === undefined) throw unknown('account', [engineId]);
    return a;
  }

  accountByUuid(id: string): AccountRef | undefined {
    return this.accountsByUuid.get(id);
  }

  asset(engineId: number): AssetRef {
    const a = this.assets.get(engineId);
    if (a === undefined) throw unknown('asset', [engineId]);
    return a;
  }

  assetBySymbol(symbol: string): AssetRef | undefined {
    return this.assetsBySymbol.get(symbol);
  }

  market(engineId: number): MarketRef {
    const m = this.markets.get(engineId);
    if (m === undefined) throw unknown('market', [engineId]);
    return m;
  }

  marketByUuid(id: string): MarketRef | undefined {
    return this.marketsByUuid.get(id);
  }

  allAssets(): AssetRef[] {
    return [...this.assets.values()];
  }

  /**
   * Makes sure the exchange's own accounts exist: the treasury (created here
   * when missing: it is a ledger construct the engine never sees) and the fee
   * account (created with `feeEngineId` when missing; an existing one keeps
   * its id). Then loads assets and gives both a ledger account per asset.
   */
  async ensureSystemAccounts(feeEngineId: number): Promise<void> {
    const sql = this.sql;
    // Engine id 2 for the treasury, as scripts/admin.ts does (the engine never hears of it).
    await sql`insert into accounts (type, engine_account_id) values ('treasury', 2) on conflict do nothing`;
    await sql`insert into accounts (type) select 'treasury' where not exists (
      select 1 from accounts where type = 'treasury') on conflict do nothing`;
    await sql`
      insert into accounts (type, engine_account_id) values ('fee', ${feeEngineId})
      on conflict do nothing`;
    const rows = await sql<{ id: string; type: AccountType; engine_account_id: string }[]>`
      select id, type, engine_account_id::text from accounts where type in ('fee', 'treasury')`;
    for (const r of rows) {
      const ref: AccountRef = { id: r.id, type: r.type, engineId: Number(r.engine_account_id) };
      if (r.type === 'fee') {
        this.fee = ref;
        this.accounts.set(ref.engineId, ref);
      } else {
        this.treasury = ref;
      }
      this.accountsByUuid.set(ref.id, ref);
    }
    await this.loadAssets();
    await this.ensureSystemLedgerAccounts();
  }

  private async ensureSystemLedgerAccounts(): Promise<void> {
    const symbols = [...this.assets.values()].map((a) => a.symbol);
    if (symbols.length === 0 || this.fee === undefined || this.treasury === undefined) return;
    const fee = this.fee.id;
    const treasury = this.treasury.id;
    await this.sql`
      insert into ledger_accounts (account_id, asset)
      select a, s from unnest(${pgArray(symbols)}::text[]) s, unnest(array[${fee}, ${treasury}]::uuid[]) a
      order by 1, 2
      on conflict (account_id, asset) do nothing`;
  }

  private async loadAssets(): Promise<number> {
    const rows = await this.sql<{ symbol: string; precision: number; engine_asset_id: number }[]>`
      select symbol, precision, engine_asset_id from assets`;
    let added = 0;
    for (const r of rows) {
      if (this.assets.has(r.engine_asset_id)) continue;
      const ref: AssetRef = {
        engineId: r.engine_asset_id,
        symbol: r.symbol,
        precision: r.precision,
      };
      this.assets.set(ref.engineId, ref);
      this.assetsBySymbol.set(ref.symbol, ref);
      added++;
    }
    return added;
  }

  private async loadMarkets(): Promise<void> {
    const rows = await this.sql<
      {
        id: string;
        symbol: string;
        base_asset: string;
        quote_asset: string;
        engine_market_id: number;
        shard_id: number;
        tick_size: string;
        lot_size: string;
      }[]
    >`select id, symbol, base_asset, quote_asset, engine_market_id, shard_id, tick_size::text, lot_size::text
      from markets`;
    for (const r of rows) {
      if (this.markets.has(r.engine_market_id)) continue;
      const base = this.assetsBySymbol.get(r.base_asset);
      const quote = this.assetsBySymbol.get(r.quote_asset);
      if (base === undefined || quote === undefined) continue;
      const tickSize = parseDecimal(r.tick_size);
      const lotSize = parseDecimal(r.lot_size);
      const bapl = unitInAtoms(lotSize, base.precision);
      const qptl = unitInAtoms(multiplyFixed(tickSize, lotSize), quote.precision);
      if (bapl === undefined || qptl === undefined) {
        throw new SettlementError(
          'E_SETTLEMENT_INVARIANT',
          `market ${r.symbol}: lot_size ${r.lot_size} and tick_size ${r.tick_size} are not whole atoms of ${base.symbol}/${quote.symbol}`,
        );
      }
      const ref: MarketRef = {
        engineId: r.engine_market_id,
        id: r.id,
        symbol: r.symbol,
        shardId: r.shard_id,
        base,
        quote,
        tickSize,
        lotSize,
        baseAtomsPerLot: bapl,
        quoteAtomsPerTickLot: qptl,
      };
      this.markets.set(ref.engineId, ref);
      this.marketsByUuid.set(ref.id, ref);
    }
  }

  /** Loads whatever of these engine ids is not cached yet; throws naming the ids Postgres lacks. */
  async resolve(
    accountIds: Iterable<number>,
    assetIds: Iterable<number>,
    marketIds: Iterable<number>,
  ): Promise<void> {
    const missingAssets = [...new Set(assetIds)].filter((id) => !this.assets.has(id));
    const missingMarkets = [...new Set(marketIds)].filter((id) => !this.markets.has(id));
    if (missingAssets.length > 0 || missingMarkets.length > 0) {
      if ((await this.loadAssets()) > 0) await this.ensureSystemLedgerAccounts();
      await this.loadMarkets();
      const a = missingAssets.filter((id) => !this.assets.has(id));
      if (a.length > 0) throw unknown('asset', a);
      const m = missingMarkets.filter((id) => !this.markets.has(id));
      if (m.length > 0) throw unknown('market', m);
    }
    const missing = [...new Set(accountIds)].filter((id) => !this.accounts.has(id));
    if (missing.length > 0) {
      const rows = await this.sql<{ id: string; type: AccountType; engine_account_id: number }[]>`
        select id, type, engine_account_id::int8::float8 as engine_account_id from accounts
        where engine_account_id = any(${pgArray(missing)}::int8[])`;
      for (const r of rows) {
        const ref: AccountRef = { id: r.id, type: r.type, engineId: Number(r.engine_account_id) };
        this.accounts.set(ref.engineId, ref);
        this.accountsByUuid.set(ref.id, ref);
      }
      const still = missing.filter((id) => !this.accounts.has(id));
      if (still.length > 0) throw unknown('account', still);
    }
  }

  /**
   * Ledger account ids for "accountUuid|asset" keys, creating the missing
   * rows (zero balances) inside the caller's transaction. `found` is what the
   * caller hands to rememberLedgerIds() once that transaction has committed.
   */
  async ledgerAccountIds(
    db: Db,
    keys: Iterable<string>,
  ): Promise<{ ids: Map<string, string>; found: [string, string][] }> {
    const ids = new Map<string, string>();
    const missingAcc: string[] = [];
    const missingAsset: string[] = [];
    for (const k of keys) {
      if (ids.has(k)) continue;
      const id = this.ledgerIds.get(k);
      if (id !== undefined) {
        ids.set(k, id);
        continue;
      }
      ids.set(k, '');
      const bar = k.indexOf('|');
      missingAcc.push(k.slice(0, bar));
      missingAsset.push(k.slice(bar + 1));
    }
    const found: [string, string][] = [];
    if (missingAcc.length > 0) {
      const rows = await db<{ id: string; account_id: string; asset: string }[]>`
        with want as (
          select * from unnest(${pgArray(missingAcc)}::uuid[], ${pgArray(missingAsset)}::text[]) as w(account_id, asset)
        ), ins as (
          insert into ledger_accounts (account_id, asset)
          select account_id, asset from want order by 1, 2
          on conflict (account_id, asset) do nothing
          returning id, account_id, asset
        )
        select id, account_id, asset from ins
        union all
        select la.id, la.account_id, la.asset from ledger_accounts la
        join want w on w.account_id = la.account_id and w.asset = la.asset`;
      for (const r of rows) {
        const k = `${r.account_id}|${r.asset}`;
        ids.set(k, r.id);
        found.push([k, r.id]);
      }
      // A row another transaction inserted while this statement ran is invisible to its
      // snapshot (the insert waited, then did nothing): a new statement sees it.
      const lateAcc: string[] = [];
      const lateAsset: string[] = [];
      for (const [k, id] of ids) {
        if (id !== '') continue;
        const bar = k.indexOf('|');
        lateAcc.push(k.slice(0, bar));
        lateAsset.push(k.slice(bar + 1));
      }
      if (lateAcc.length > 0) {
        const late = await db<{ id: string; account_id: string; asset: string }[]>`
          select la.id, la.account_id, la.asset from ledger_accounts la
          join unnest(${pgArray(lateAcc)}::uuid[], ${pgArray(lateAsset)}::text[]) as w(account_id, asset)
            on w.account_id = la.account_id and w.asset = la.asset`;
        for (const r of late) {
          const k = `${r.account_id}|${r.asset}`;
          ids.set(k, r.id);
          found.push([k, r.id]);
        }
      }
      for (const [k, id] of ids) {
        if (id === '') {
          throw new SettlementError(
            'E_SETTLEMENT_INVARIANT',
            `ledger account ${k} was neither found nor created`,
          );
        }
      }
    }
    return { ids, found };
  }

  /** Remembers ledger account ids once the transaction that read or created them committed. */
  rememberLedgerIds(pairs: ReadonlyArray<[string, string]>): void {
    for (const [k, id] of pairs) this.ledgerIds.set(k, id);
  }
}
