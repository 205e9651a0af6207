// A whole scenario journal: setup plus `commands` random commands, grouped
// into entries of random size (as group commit would), some carrying the
// engine's state hash. Also what settlement must produce from it, computed
// straight from the events (for the chaos script's missing / duplicated counts).

import { EventKind, Side } from '../../engine/enums';
import { Rng } from '../../engine/testing/command-generator';
import { type BuiltEntry, JournalBuilder } from './journal-builder';
import { MARKETS, Scenario, type ScenarioOptions } from './scenario';

export interface GenerateOptions extends ScenarioOptions {
  shard?: number;
  /** Largest entry, in commands (default 20). */
  maxEntryCommands?: number;
  /** Record the state hash in every Nth entry (default 7). */
  hashEvery?: number;
  /** Journal time of the first command, in microseconds (default a fixed 2024 instant). */
  startUs?: number;
}

export interface GeneratedJournal {
  scenario: Scenario;
  builder: JournalBuilder;
  entries: BuiltEntry[];
  /** Ledger legs settlement must write per seq. */
  expectedLegs: Map<number, number>;
  expectedTrades: number;
  lastSeq: number;
}

export function generateJournal(
  seed: number,
  commands: number,
  o: GenerateOptions = {},
): GeneratedJournal {
  const shard = o.shard ?? 0;
  const scenario = new Scenario(seed, o);
  const builder = new JournalBuilder(shard, scenario.feeAccountId);
  const expectedLegs = new Map<number, number>();
  let expectedTrades = 0;
  const bapl = new Map(MARKETS.map((m) => [m.engineId, m.baseAtomsPerLot]));
  builder.onEvent((ev, seq) => {
    scenario.observe(ev);
    let legs = 0;
    if (ev.kind === EventKind.TRADE) {
      expectedTrades++;
      const buys = ev.side === Side.BUY;
      const bf = buys ? ev.takerFeeAtoms : ev.makerFeeAtoms;
      const sf = buys ? ev.makerFeeAtoms : ev.takerFeeAtoms;
      const g = ev.qtyLots * bapl.get(ev.marketId)!;
      legs =
        2 +
        (g - bf !== 0 ? 1 : 0) +
        (bf !== 0 ? 1 : 0) +
        (ev.quoteAtoms - sf !== 0 ? 1 : 0) +
        (sf !== 0 ? 1 : 0);
    } else if (ev.kind === EventKind.DEPOSITED || ev.kind === EventKind.WITHDRAWAL_FINALIZED) {
      legs = 2;
    }
    if (legs > 0) expectedLegs.set(seq, (expectedLegs.get(seq) ?? 0) + legs);
  });
  const rng = new Rng(seed ^ 0x7777);
  const maxEntry = o.maxEntryCommands ?? 20;
  const hashEvery = o.hashEvery ?? 7;
  let t = o.startUs ?? 1_720_000_000_000_000;
  let target = rng.int(1, maxEntry);
  const submit = (cmd: Parameters<JournalBuilder['submit']>[0]) => {
    t += rng.int(1, 2_000);
    builder.submit(cmd, t);
    if (builder.openCommands >= target) {
      builder.seal(builder.sealed.length % hashEvery === hashEvery - 1);
      target = rng.int(1, maxEntry);
    }
  };
  for (const c of scenario.setupCommands()) submit(c);
  for (let i = 0; i < commands; i++) submit(scenario.next());
  builder.seal(true);
  return {
    scenario,
    builder,
    entries: builder.sealed,
    expectedLegs,
    expectedTrades,
    lastSeq: builder.engine.lastSeq,
  };
}
