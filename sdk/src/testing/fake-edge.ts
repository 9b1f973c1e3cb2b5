import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import type { Identity } from "../../../src/protocol/frames";

/**
 * One frame as the fake edge received it.
 *
 * @example
 * ```ts
 * const api: Frame = await conn.nextFrame((f) => f.t === "api");
 * ```
 */
export type Frame = Record<string, any> & { t: string };

/**
 * What the fake edge does on its own; tests drive everything else.
 *
 * @example
 * ```ts
 * const edge = await FakeEdge.start({ answerPings: false, refuse: (q) => (q.get("token") === "bad" ? { status: 401, code: "unauthorized" } : undefined) });
 * ```
 */
export interface FakeEdgeOptions {
  /** Refuse the upgrade with this HTTP status and contract code, as the real edge does before upgrading. */
  refuse?: (
    query: URLSearchParams,
    headers: Record<string, string | string[] | undefined>,
  ) => { status: number; code: string } | undefined;
  /** Answer `{"t":"ping"}` with `{"t":"pong"}` (default true), as the edge's auto-response does. */
  answerPings?: boolean;
  /** Ack `serve`, `sub`, `unsub` and `will` at once (default true). */
  autoAck?: boolean;
  /** The `pingIntervalMs` announced in `welcome` (default 20000, the contract's default). */
  pingIntervalMs?: number;
}

/**
 * One accepted socket of the fake edge: every frame it received, in order, and ways to answer.
 *
 * @example
 * ```ts
 * const conn = await edge.nextConnection();
 * const api = await conn.nextFrame((f) => f.t === "api");
 * conn.send({ t: "api.result", id: api.id, ok: true, data: 3, from: conn.identity });
 * ```
 */
export class FakeConnection {
  readonly frames: Frame[] = [];
  private readonly waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  private readonly consumed = new Set<Frame>();
  private readonly closing: Promise<number>;

  constructor(
    readonly socket: WebSocket,
    readonly query: URLSearchParams,
    readonly identity: Identity,
    /** The upgrade request's headers (`authorization` carries a header token). */
    readonly headers: Record<string, string | string[] | undefined> = {},
  ) {
    this.closing = new Promise((resolve) => socket.once("close", (code) => resolve(code)));
  }

  /** Sends a server frame. */
  send(frame: object): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** Resolves with the first frame that matches and was not returned before, waiting for it if need be. */
  nextFrame(match: (f: Frame) => boolean = () => true): Promise<Frame> {
    const frame = this.frames.find((f) => !this.consumed.has(f) && match(f));
    if (frame) {
      this.consumed.add(frame);
      return Promise.resolve(frame);
    }
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** Resolves with the close code once the client's socket has closed. */
  closed(): Promise<number> {
    return this.closing;
  }

  /** @internal */
  receive(frame: Frame): void {
    this.frames.push(frame);
    const index = this.waiters.findIndex((w) => w.match(frame));
    if (index >= 0) {
      this.consumed.add(frame);
      this.waiters.splice(index, 1)[0]!.resolve(frame);
    }
  }
}

/**
 * A minimal Nexus edge for unit tests: a real `ws` server on a free loopback port that sends `welcome`,
 * answers pings and acks declarations, and lets the test script everything else.
 *
 * @example
 * ```ts
 * const edge = await FakeEdge.start();
 * const nx = await connect({ url: edge.url, token: "t", kind: "default" });
 * const conn = edge.connections[0];
 * await edge.stop();
 * ```
 */
export class FakeEdge {
  readonly connections: FakeConnection[] = [];
  private readonly waiters: ((c: FakeConnection) => void)[] = [];
  private suffix = 0;
  private taken = 0;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    readonly url: string,
    readonly options: FakeEdgeOptions,
  ) {}

  static async start(options: FakeEdgeOptions = {}): Promise<FakeEdge> {
    const http = createServer();
    const wss = new WebSocketServer({ noServer: true });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const { port } = http.address() as AddressInfo;
    const edge = new FakeEdge(http, wss, `http://127.0.0.1:${port}`, options);
    // A plain GET gets the refusal too, as the SDK's probe expects where the upgrade's status is hidden.
    http.on("request", (req, res) => {
      const refusal = options.refuse?.(new URL(req.url ?? "/", "http://x").searchParams, req.headers);
      const status = refusal?.status ?? 426;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          error: { code: refusal?.code ?? "bad_request", message: refusal ? `refused: ${refusal.code}` : "upgrade" },
        }),
      );
    });
    http.on("upgrade", (req, socket, head) => {
      const query = new URL(req.url ?? "/", "http://x").searchParams;
      const headers = req.headers;
      const refusal = options.refuse?.(query, req.headers);
      if (refusal) {
        const body = JSON.stringify({ error: { code: refusal.code, message: `refused: ${refusal.code}` } });
        socket.end(
          `HTTP/1.1 ${refusal.status} Refused\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
        );
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => edge.accept(ws, query, headers));
    });
    return edge;
  }

  /** Resolves with the next accepted connection not yet returned, waiting for it if need be. */
  nextConnection(): Promise<FakeConnection> {
    const ready = this.connections[this.taken];
    if (ready) {
      this.taken++;
      return Promise.resolve(ready);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Resolves once the client has processed everything sent to it before: it answers a `find` that the
   * client sends after, on the same ordered socket.
   */
  async roundTrip(nx: { find(): Promise<unknown> }, conn: FakeConnection): Promise<void> {
    const found = nx.find();
    const frame = await conn.nextFrame((f) => f.t === "find");
    conn.send({ t: "find.result", id: frame.id, blocks: [] });
    await found;
  }

  /** Closes every socket and the server. */
  async stop(): Promise<void> {
    for (const c of this.connections) c.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private accept(ws: WebSocket, query: URLSearchParams, headers: Record<string, string | string[] | undefined>): void {
    const resource = query.get("resource") ?? `${query.get("kind")}S${++this.suffix}`;
    const identity: Identity = {
      jid: `etest-u1-owner@qepal.com/${resource}`,
      app: "etest",
      uid: "u1",
      role: "owner",
      resource,
      kind: query.get("kind") ?? resource.replace(/S\d+$/, ""),
    };
    const conn = new FakeConnection(ws, query, identity, headers);
    this.connections.push(conn);
    ws.on("message", (data) => {
      const text = data.toString();
      const frame = JSON.parse(text) as Frame;
      if (text === '{"t":"ping"}' && this.options.answerPings !== false) ws.send('{"t":"pong"}');
      if (["serve", "sub", "unsub", "will"].includes(frame.t) && this.options.autoAck !== false)
        ws.send(JSON.stringify({ t: "ack", id: frame.id }));
      conn.receive(frame);
    });
    ws.send(
      JSON.stringify({
        t: "welcome",
        v: 1,
        jid: identity.jid,
        from: identity,
        limits: { maxFrameBytes: 262144, apiTimeoutMs: 30000, pingIntervalMs: this.options.pingIntervalMs ?? 20000 },
      }),
    );
    const waiter = this.waiters.shift();
    if (waiter) {
      this.taken++;
      waiter(conn);
    }
  }
}
