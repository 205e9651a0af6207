// The fast engine's per-side price -> level hint (BookSide.hint) is only a
// cache: prices that share a hint entry (equal modulo HINT_MASK + 1), levels
// emptied and revived within one command, and level slots recycled for other
// prices must give exactly the reference model's events and state.
import t from 'tap';
import { HINT_MASK } from '../book-side';
import { Engine } from '../engine';
import { eventToPlain, type MatchingEngine } from '../index';
import { NaiveEngine } from '../order-book-naive';
import type { EngineCommand } from '../types';
import {
  A,
  amend,
  B,
  C,
  CommandKind,
  cancel,
  DEFAULT_MARKET,
  FEE,
  limit,
  MarketStatus,
  Side,
  TimeInForce,
} from './engine-fixture';

function drain(e: MatchingEngine): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < e.events.count; i++) out.push(eventToPlain(e.events.at(i)));
  e.events.clear();
  return out;
}

t.test('colliding hint prices and recycled levels match the reference model', async (t) => {
  const fast = new Engine({ feeAccountId: FEE });
  const naive = new NaiveEngine({ feeAccountId: FEE });
  const cmds: EngineCommand[] = [
    { kind: CommandKind.ADD_ASSET, assetId: 1 },
    { kind: CommandKind.ADD_ASSET, assetId: 2 },
  ] as EngineCommand[];
  for (const a of [A, B, C]) {
    cmds.push({
      kind: CommandKind.ADD_ACCOUNT,
      accountId: a,
      makerFeeBps: 0,
      takerFeeBps: 0,
    } as EngineCommand);
  }
  cmds.push({
    kind: CommandKind.ADD_MARKET,
    ...DEFAULT_MARKET,
    status: MarketStatus.ACTIVE,
  } as EngineCommand);
  let ref = 1;
  for (const a of [A, B, C]) {
    for (const asset of [1, 2]) {
      cmds.push({
        kind: CommandKind.DEPOSIT,
        accountId: a,
        assetId: asset,
        amountAtoms: 1e13,
        refId: ref++,
      } as EngineCommand);
    }
  }
  const span = HINT_MASK + 1;
  // Bids at 1000 + i * span, asks at 1000 + 8 * span + i * span: every price shares one hint entry.
  const bid = (i: number): number => 1000 + i * span;
  const ask = (i: number): number => 1000 + (8 + i) * span;
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const accounts = [A, B, C];
  let nextId = 1;
  const live: number[] = [];
  const owner = new Map<number, number>();
  for (let k = 0; k < 3000; k++) {
    const r = rnd(10);
    const acct = accounts[rnd(3)]!;
    if (r < 5 || live.length === 0) {
      const isBuy = rnd(2) === 0;
      // Sometimes cross the book (an IOC or GTC that takes, emptying levels then resting).
      const cross = rnd(6) === 0;
      const price = isBuy ? (cross ? ask(rnd(4)) : bid(rnd(6))) : cross ? bid(rnd(4)) : ask(rnd(6));
      const tif = rnd(5) === 0 ? TimeInForce.IOC : TimeInForce.GTC;
      cmds.push(
        limit(acct, isBuy ? Side.BUY : Side.SELL, price, 1 + rnd(5), {
          timeInForce: tif,
          stpMode: 1 + rnd(5),
        }) as EngineCommand,
      );
      const id = nextId++;
      live.push(id);
      owner.set(id, acct);
    } else if (r < 8) {
      const id = live.splice(rnd(live.length), 1)[0]!;
      cmds.push(cancel(owner.get(id)!, id) as EngineCommand);
    } else {
      const id = live[rnd(live.length)]!;
      const newPrice = rnd(2) === 0 ? bid(rnd(8)) : ask(rnd(6));
      cmds.push(
        amend(owner.get(id)!, id, newPrice, rnd(3) === 0 ? 0 : 1 + rnd(8)) as EngineCommand,
      );
    }
  }
  let t0 = 1;
  for (let i = 0; i < cmds.length; i++) {
    const rf = fast.submit(cmds[i]!, t0);
    const rn = naive.submit(cmds[i]!, t0);
    t0++;
    const ef = drain(fast);
    const en = drain(naive);
    if (rf !== rn || JSON.stringify(ef) !== JSON.stringify(en)) {
      t.same(ef, en, `command ${i}: ${JSON.stringify(cmds[i])}`);
      return;
    }
  }
  t.equal(fast.stateHash(), naive.stateHash(), 'same final state');
  t.ok(fast.restingOrderCount() > 0, 'orders rest at the end');
});
