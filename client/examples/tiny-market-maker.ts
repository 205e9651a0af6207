// The README's SDK example, runnable: quotes three levels each side around
// the mid of BTC-USDT, requotes when filled, and cancels everything on Ctrl-C.
//
//   EXCHANGE_API_KEY=ek_... EXCHANGE_API_SECRET=... node dist/client/examples/tiny-market-maker.js
//
// In your own project import from the SDK package instead of '../index'.
import { CancelOnDisconnect, ExchangeClient, type NewOrderParams, Side } from '../index';

async function main(): Promise<void> {
  const client = new ExchangeClient({
    url: process.env.EXCHANGE_URL ?? 'ws://127.0.0.1:8080/ws',
    apiKey: process.env.EXCHANGE_API_KEY ?? '',
    apiSecret: process.env.EXCHANGE_API_SECRET ?? '',
    // If this process dies, the gateway cancels what it placed.
    cancelOnDisconnect: CancelOnDisconnect.CANCEL_ON_DISCONNECT_SESSION,
  });
  await client.loadMarkets(); // tick/lot sizes from GET /api/v1/markets
  const btc = client.market('BTC-USDT');
  let mid = btc.priceToTicks(process.env.MID ?? '60000'); // decimal string -> integer ticks
  const step = btc.priceToTicks('5.00');
  const size = btc.qtyToLots('0.01');

  const quote = async (): Promise<void> => {
    await client.cancelAll(btc.marketId);
    const orders: NewOrderParams[] = [];
    for (let i = 1; i <= 3; i++) {
      orders.push({
        marketId: btc.marketId,
        side: Side.SIDE_BUY,
        priceTicks: mid - i * step,
        qtyLots: size,
        postOnly: true,
      });
      orders.push({
        marketId: btc.marketId,
        side: Side.SIDE_SELL,
        priceTicks: mid + i * step,
        qtyLots: size,
        postOnly: true,
      });
    }
    const res = await client.placeOrders(orders); // one message, one ack per order
    const resting = res.acks.filter((a) => a.rejectReason === 0).length;
    console.log(
      `quoted around ${btc.ticksToPrice(mid)}: ${resting}/${orders.length} orders resting`,
    );
  };

  client.on('executionReport', (r) => {
    if (r.lastQtyLots === 0) return; // not a fill
    console.log(
      `filled ${btc.lotsToQty(r.lastQtyLots)} BTC @ ${btc.ticksToPrice(r.lastPriceTicks)}`,
    );
    mid = r.lastPriceTicks;
    quote().catch((err: Error) => console.error(err.message));
  });

  await client.connect();
  const book = await client.subscribeBook(btc.marketId); // a local L2 book that resyncs itself
  const m = book.mid();
  if (m !== undefined) mid = Math.round(m);
  await quote();

  process.once('SIGINT', () => {
    client.close({ cancelAll: true }).then(() => process.exit(0));
  });
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
