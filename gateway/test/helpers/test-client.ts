// The gateway's binary protocol over WsClient, for tests: ClientMessages out,
// every ServerMessage decoded and kept in order, request/response matching by
// request_id.
import { exchange } from '../../../proto';
import { WsClient, type WsConnectOptions } from './ws-client';

const v1 = exchange.v1;
/**
 * A decoded ServerMessage as a plain object (defaults filled in, 64-bit
 * numbers as numbers, `body` naming the oneof member): loosely typed, as test
 * code reads whatever it expects.
 */
// biome-ignore lint/suspicious/noExplicitAny: test messages are read field by field
export type ServerMessage = { [k: string]: any };

const TO_OBJECT = {
  defaults: true,
  oneofs: true,
  longs: Number,
  enums: Number,
  bytes: Buffer,
} as const;

export class TestClient {
  private nextId = 1;
  /** Every server message in arrival order. */
  readonly received: ServerMessage[] = [];
  private decoded = 0;

  private constructor(readonly ws: WsClient) {}

  static async connect(url: string, opts?: WsConnectOptions): Promise<TestClient> {
    return new TestClient(await WsClient.connect(url, opts));
  }

  /** Decodes frames received since the last call. */
  private sync(): void {
    const msgs = this.ws.messages;
    while (this.decoded < msgs.length) {
      const m = msgs[this.decoded++]!;
      this.received.push(v1.ServerMessage.toObject(v1.ServerMessage.decode(m.data), TO_OBJECT));
    }
  }

  all(): ServerMessage[] {
    this.sync();
    return this.received;
  }

  /** Sends a ClientMessage (request_id assigned unless given); returns the id. */
  send(body: exchange.v1.IClientMessage): number {
    const requestId = body.requestId ?? this.nextId++;
    this.ws.sendBinary(v1.ClientMessage.encode({ ...body, requestId }).finish());
    return requestId;
  }

  /** Sends and waits for the response echoing its request_id. */
  async request(body: exchange.v1.IClientMessage, timeoutMs = 5_000): Promise<ServerMessage> {
    const id = this.send(body);
    // The first message echoing the id that is not a replayed report (a
    // subscribe's snapshots follow its SubscribeResponse).
    return this.waitFor(
      (m) => m.requestId === id && m.body !== 'executionReport',
      timeoutMs,
      `response to request ${id}`,
    );
  }

  /** Waits for a message matching pred (searching everything received so far). */
  async waitFor(
    pred: (m: ServerMessage) => boolean,
    timeoutMs = 5_000,
    what = 'message',
  ): Promise<ServerMessage> {
    let hit: ServerMessage | undefined;
    await this.ws.waitUntil(
      () => {
        this.sync();
        hit = this.received.find(pred);
        return hit !== undefined;
      },
      timeoutMs,
      what,
    );
    return hit!;
  }

  /** Waits until at least n messages match pred; returns them. */
  async waitForCount(
    pred: (m: ServerMessage) => boolean,
    n: number,
    timeoutMs = 5_000,
    what = 'messages',
  ): Promise<ServerMessage[]> {
    let hits: ServerMessage[] = [];
    await this.ws.waitUntil(
      () => {
        this.sync();
        hits = this.received.filter(pred);
        return hits.length >= n;
      },
      timeoutMs,
      `${n} ${what}`,
    );
    return hits;
  }

  reports(): ServerMessage[] {
    return this.all()
      .filter((m) => m.body === 'executionReport')
      .map((m) => m.executionReport!);
  }

  async logon(logon: exchange.v1.ILogon): Promise<ServerMessage> {
    return this.request({ logon });
  }

  close(): void {
    this.ws.close();
  }

  get closeInfo() {
    return this.ws.closeInfo;
  }
}
