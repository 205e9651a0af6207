// Crash test of the engine process: drive it with a load client over a real
// link, kill -9 it at random moments, restart it, and check against the
// journal that no acknowledged order, fill or balance change is missing,
// nothing is duplicated (each client order id accepted at most once, resends
// after the crash included), and the state each restart recovered hashes the
// same as a fresh engine replaying the whole journal up to that point.
//
//   npm run chaos:engine -- --trials 20 [--seed 42]
//
// Runs its own redis-server (AOF, appendfsync always) on a free port. The last
// line printed is the JSON summary:
//   {"trials","acknowledged","lost","duplicated","hashMismatches"}
import { isDeepStrictEqual } from 'node:util';
import { fastEngineFactory } from '../engine/process/engine-port';
import {
  type EngineHandle,
  type PrivateRedis,
  startEngine,
  startRedis,
} from '../engine/process/harness';
import { IdempotencyWindow } from '../engine/process/idempotency-window';
import { Replayer, readJournal } from '../engine/process/recovery';
import { journalKey } from '../engine/process/redis-keys';
import { exchange } from '../proto/gen/exchange';
import { type LinkAnswer, LinkClient } from '../proto/link-client';

export interface ChaosSummary {
  trials: number;
  acknowledged: number;
  lost: number;
  duplicated: number;
  hashMismatches: number;
  /** Details for a report (not part of the required line). */
  resentAfterCrash?: number;
  resendsAnsweredFromJournal?: number;
  journalCommands?: number;
}

const FEE_ACCOUNT = 1;
const ACCOUNTS = [101, 102, 103, 104];
const MARKET = 1;

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

type PlainEvents = Record<string, unknown>[];

function plainEvents(events: exchange.v1.IEvent[] | null | undefined): PlainEvents {
  return (events ?? []).map((e) =>
    exchange.v1.Event.toObject(exchange.v1.Event.fromObject(e), { enums: Number, defaults: false }),
  );
}

interface Acked {
  seq: number;
  reason: number;
  events: PlainEvents;
}

interface PlaceSpec {
  cid: string;
  accountId: number;
  place: exchange.v1.IPlaceOrder;
}

async function setup(client: LinkClient): Promise<void> {
  const cmds: exchange.v1.ICommand[] = [
    { addAsset: { assetId: 1 } },
    { addAsset: { assetId: 2 } },
    ...ACCOUNTS.map((a) => ({ addAccount: { accountId: a, makerFeeBps: 1, takerFeeBps: 5 } })),
    {
      addMarket: {
        marketId: MARKET,
        baseAssetId: 1,
        quoteAssetId: 2,
        baseAtomsPerLot: 1_000,
        quoteAtomsPerTickLot: 10,
        minQtyLots: 1,
        maxQtyLots: 1_000_000,
        maxPriceTicks: 1_000_000,
        minNotionalAtoms: 0,
        priceBandBps: 1_000,
        status: 1,
      },
    },
    ...ACCOUNTS.flatMap((a, i) => [
      { deposit: { accountId: a, assetId: 1, amountAtoms: 1e13, refId: 1 + i * 2 } },
      { deposit: { accountId: a, assetId: 2, amountAtoms: 1e13, refId: 2 + i * 2 } },
    ]),
  ];
  for (const c of cmds) {
    const m = await client.command(c);
    if (!m.result || m.result.rejectReason !== 0)
      throw new Error(`setup command refused: ${JSON.stringify(m.toJSON())}`);
  }
}

export async function runChaos(opts: {
  trials: number;
  seed?: number;
  log?: (msg: string) => void;
}): Promise<ChaosSummary> {
  const log = opts.log ?? (() => {});
  const seed = opts.seed ?? Date.now() % 1_000_000;
  const rand = rng(seed);
  log(`chaos: ${opts.trials} trials, seed ${seed}`);
  const redis: PrivateRedis = await startRedis({ durable: true });
  const env = {
    REDIS_URL: redis.url,
    SHARD_ID: '0',
    ENGINE_FEE_ACCOUNT_ID: String(FEE_ACCOUNT),
    ENGINE_SNAPSHOT_EVERY_ENTRIES: '400',
    ENGINE_HASH_EVERY_ENTRIES: '97',
    ENGINE_HASH_MIN_INTERVAL_MS: '0',
    ENGINE_TRIM_EVERY_MS: '0',
    ENGINE_LOG_READY_HASH: '1',
    ENGINE_APPEND_TIMEOUT_MS: '5000',
    LOG_LEVEL: 'warn',
  };
  const acked = new Map<number, Acked>();
  /** Every place ever sent, by client order id. */
  const places = new Map<string, PlaceSpec>();
  const ackedPlaces = new Set<string>();
  /** Recovered (lastSeq, stateHash) after each restart. */
  const recoveries: { seq: number; hash: string }[] = [];
  let resent = 0;
  let resendsFromJournal = 0;
  let engine: EngineHandle | undefined;
  let n = 0;

  const record = (m: LinkAnswer | undefined) => {
    const r = m?.result as exchange.v1.CommandResult | null | undefined;
    if (!r) return;
    const prev = acked.get(r.seq);
    const a: Acked = { seq: r.seq, reason: r.rejectReason, events: plainEvents(r.events) };
    if (prev !== undefined && !isDeepStrictEqual(prev, a)) {
      throw new Error(`seq ${r.seq} acknowledged twice with different results`);
    }
    acked.set(r.seq, a);
  };

  try {
    engine = await startEngine({ ...env, LOG_LEVEL: 'info' });
    {
      const c = await LinkClient.connect({ port: engine.port });
      await setup(c);
      await c.close();
    }
    for (let trial = 1; trial <= opts.trials; trial++) {
      const client = await LinkClient.connect({ port: engine.port, maxInFlight: 400 });
      client.hello(`chaos-${trial}`).catch(() => {});
      const inflight: PlaceSpec[] = [];
      let stop = false;
      const pump = async () => {
        while (!stop) {
          const r = rand();
          let p: Promise<LinkAnswer>;
          let spec: PlaceSpec | undefined;
          if (r < 0.25 && ackedPlaces.size > 0) {
            // Cancel an acknowledged order by client order id (it may be gone already).
            const cids = [...ackedPlaces];
            const cid = cids[Math.floor(rand() * cids.length)]!;
            const s = places.get(cid)!;
            p = client.command({ cancelOrder: { accountId: s.accountId, clientOrderId: cid } });
          } else if (r < 0.3 && ackedPlaces.size > 0) {
            // A live resend of an acknowledged order: must get the original result.
            const cids = [...ackedPlaces];
            spec = places.get(cids[Math.floor(rand() * cids.length)]!)!;
            p = client.command({ placeOrder: spec.place });
          } else {
            const accountId = ACCOUNTS[Math.floor(rand() * ACCOUNTS.length)]!;
            const side = rand() < 0.5 ? 1 : 2;
            const cid = `t${trial}-${n++}`;
            const place: exchange.v1.IPlaceOrder = {
              accountId,
              marketId: MARKET,
              side,
              orderType: 1,
              timeInForce: rand() < 0.1 ? 2 : 1,
              priceTicks: 1_000 + Math.floor(rand() * 21) - 10,
              qtyLots: 1 + Math.floor(rand() * 10),
              stpMode: 2,
              clientOrderId: cid,
            };
            spec = { cid, accountId, place };
            places.set(cid, spec);
            p = client.command({ placeOrder: place });
          }
          if (spec !== undefined) inflight.push(spec);
          const s = spec;
          p.then(
            (m) => {
              record(m);
              if (s !== undefined && m.result && m.result.rejectReason === 0)
                ackedPlaces.add(s.cid);
            },
            () => {
              if (s !== undefined && !ackedPlaces.has(s.cid)) inflight.push(s);
            },
          );
          if (client.inFlight + client.queued >= 400 || rand() < 0.02)
            await new Promise((res) => setImmediate(res));
          if (client.closed) return;
        }
      };
      const pumping = pump().catch(() => {});
      await new Promise((res) => setTimeout(res, 150 + Math.floor(rand() * 600)));
      await engine.kill('SIGKILL');
      stop = true;
      await pumping;
      client.destroy();

      engine = await startEngine({ ...env, LOG_LEVEL: 'info' });
      recoveries.push({ seq: Number(engine.ready.lastSeq), hash: String(engine.ready.stateHash) });

      // The client lost these answers: resend each place exactly as it was.
      const c2 = await LinkClient.connect({ port: engine.port });
      const unknown = new Map<string, PlaceSpec>();
      for (const s of inflight) if (!ackedPlaces.has(s.cid)) unknown.set(s.cid, s);
      const recoveredSeq = Number(engine.ready.lastSeq);
      await Promise.all(
        [...unknown.values()].map(async (s) => {
          resent++;
          const m = await c2.command({ placeOrder: s.place });
          record(m);
          if (m.result && Number(m.result.seq) <= recoveredSeq) resendsFromJournal++;
          if (m.result && m.result.rejectReason === 0) ackedPlaces.add(s.cid);
        }),
      );
      await c2.close();
      log(
        `trial ${trial}: recovered seq ${recoveredSeq}, resent ${unknown.size}, acknowledged so far ${acked.size}`,
      );
    }
    await engine.kill('SIGTERM');
    engine = undefined;

    // Check everything against the journal.
    const journal = new Map<number, Acked>();
    const accepted = new Map<string, number>();
    const replayer = new Replayer(
      fastEngineFactory().create(FEE_ACCOUNT),
      new IdempotencyWindow(0),
      0,
      0,
    );
    const hashAt = new Map<number, string>();
    const wanted = new Set(recoveries.map((r) => r.seq));
    const rc = redis.client();
    await readJournal(rc, 0, 0, (id, e) => {
      const entry = exchange.v1.JournalEntry.decode(e!);
      for (const jc of entry.commands as exchange.v1.JournaledCommand[]) {
        const events = plainEvents(jc.events);
        journal.set(jc.seq, { seq: jc.seq, reason: jc.rejectReason, events });
        for (const ev of jc.events) {
          if (ev.kind === 1) {
            const k = `${ev.accountId}:${ev.clientOrderId}`;
            accepted.set(k, (accepted.get(k) ?? 0) + 1);
          }
        }
      }
      replayer.apply(id, e, () => false);
      if (wanted.has(replayer.lastSeq)) hashAt.set(replayer.lastSeq, replayer.engine.stateHash());
    });
    let lost = 0;
    for (const [seq, a] of acked) {
      const j = journal.get(seq);
      if (j === undefined || !isDeepStrictEqual(j, a)) {
        lost++;
        if (lost <= 5)
          log(
            `lost or different: seq ${seq}: told ${JSON.stringify(a)}, journal ${JSON.stringify(j)}`,
          );
      }
    }
    let duplicated = 0;
    for (const [k, count] of accepted) {
      if (count > 1) {
        duplicated += count - 1;
        log(`duplicated: ${k} accepted ${count} times`);
      }
    }
    let hashMismatches = 0;
    for (const r of recoveries) {
      const h = r.seq === 0 ? undefined : hashAt.get(r.seq);
      if (h !== r.hash) {
        hashMismatches++;
        log(`hash mismatch at seq ${r.seq}: recovered ${r.hash}, fresh replay ${h}`);
      }
    }
    const seqs = [...journal.keys()].sort((a, b) => a - b);
    for (let i = 0; i < seqs.length; i++) {
      if (seqs[i] !== i + 1)
        throw new Error(`${journalKey(0)}: seq ${seqs[i]} at position ${i + 1}`);
    }
    return {
      trials: opts.trials,
      acknowledged: acked.size,
      lost,
      duplicated,
      hashMismatches,
      resentAfterCrash: resent,
      resendsAnsweredFromJournal: resendsFromJournal,
      journalCommands: seqs.length,
    };
  } finally {
    if (engine !== undefined) await engine.kill('SIGKILL');
    await redis.stop();
  }
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (require.main === module) {
  const trials = Number(argValue('--trials') ?? 10);
  const seedArg = argValue('--seed');
  if (!Number.isSafeInteger(trials) || trials < 1) {
    console.error('usage: chaos-engine --trials N [--seed S]');
    process.exit(2);
  }
  runChaos({
    trials,
    seed: seedArg === undefined ? undefined : Number(seedArg),
    log: (m) => console.log(m),
  }).then(
    (s) => {
      const { trials: t, acknowledged, lost, duplicated, hashMismatches } = s;
      console.log(
        `details: resent after crash ${s.resentAfterCrash}, answered from the journal ${s.resendsAnsweredFromJournal}, journal commands ${s.journalCommands}`,
      );
      console.log(JSON.stringify({ trials: t, acknowledged, lost, duplicated, hashMismatches }));
      process.exit(lost + duplicated + hashMismatches === 0 ? 0 : 1);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
