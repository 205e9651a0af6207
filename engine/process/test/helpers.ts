// Shared by the engine process tests (not a test file itself).
import net from 'node:net';
import type Redis from 'ioredis';
import { FrameReader } from '../../../proto/frame';
import { exchange } from '../../../proto/gen/exchange';
import type { LinkClient } from '../../../proto/link-client';
import { readJournal } from '../recovery';

export { buildEngineOnce, startEngine, startRedis } from '../harness';

export const MARKET = 1;

/** Assets 1 and 2, the given accounts funded with both, market 1 (base 1 / quote 2). */
export async function setupExchange(client: LinkClient, accounts: number[]): Promise<void> {
  const cmds: exchange.v1.ICommand[] = [
    { addAsset: { assetId: 1 } },
    { addAsset: { assetId: 2 } },
    ...accounts.map((a) => ({ addAccount: { accountId: a, makerFeeBps: 2, takerFeeBps: 5 } })),
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
    ...accounts.flatMap((a, i) => [
      { deposit: { accountId: a, assetId: 1, amountAtoms: 1e13, refId: 1 + 2 * i } },
      { deposit: { accountId: a, assetId: 2, amountAtoms: 1e13, refId: 2 + 2 * i } },
    ]),
  ];
  for (const c of cmds) {
    const m = await client.command(c);
    if (!m.result || m.result.rejectReason !== 0)
      throw new Error(`setup refused: ${JSON.stringify(m.toJSON())}`);
  }
}

export function limit(
  accountId: number,
  side: 1 | 2,
  price: number,
  qty: number,
  cid = '',
): exchange.v1.ICommand {
  return {
    placeOrder: {
      accountId,
      marketId: MARKET,
      side,
      orderType: 1,
      timeInForce: 1,
      priceTicks: price,
      qtyLots: qty,
      clientOrderId: cid,
    },
  };
}

export function plain(events: exchange.v1.IEvent[] | null | undefined): unknown[] {
  return (events ?? []).map((e) =>
    exchange.v1.Event.toObject(exchange.v1.Event.fromObject(e), { enums: Number, defaults: false }),
  );
}

/** Every journaled command by seq. */
export async function journalBySeq(
  redis: Redis,
  shard = 0,
): Promise<Map<number, exchange.v1.JournaledCommand>> {
  const out = new Map<number, exchange.v1.JournaledCommand>();
  await readJournal(redis, shard, 0, (_id, e) => {
    const entry = exchange.v1.JournalEntry.decode(e!);
    for (const c of entry.commands as exchange.v1.JournaledCommand[]) out.set(c.seq, c);
  });
  return out;
}

/** A raw link for sending arbitrary bytes and reading LinkMessages. */
export class RawLink {
  readonly messages: exchange.v1.LinkMessage[] = [];
  closed = false;
  private readonly waiters: (() => void)[] = [];

  private constructor(readonly socket: net.Socket) {
    const reader = new FrameReader(64 * 1024 * 1024);
    socket.on('data', (chunk: Buffer) => {
      reader.push(chunk, (p) => this.messages.push(exchange.v1.LinkMessage.decode(p)));
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<RawLink> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(new RawLink(s)));
      s.once('error', reject);
    });
  }

  sendFrame(payload: Uint8Array): void {
    const h = Buffer.alloc(4);
    h.writeUInt32LE(payload.length, 0);
    this.socket.write(Buffer.concat([h, payload]));
  }

  async waitFor(n: number, ms = 5_000): Promise<exchange.v1.LinkMessage[]> {
    const deadline = Date.now() + ms;
    while (this.messages.length < n && !this.closed && Date.now() < deadline) {
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
    return this.messages;
  }

  async waitClosed(ms = 5_000): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
