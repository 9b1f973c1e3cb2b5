import type { WelcomeLimits } from "../../src/protocol/codes";
import type { ServerFrame } from "../../src/protocol/frames";
import { ChannelSubscriptions } from "./channel-subscriptions";
import { Connection } from "./connection";
import { Emitter } from "./emitter";
import { ErrorCode, NexusError } from "./errors";
import { LastWill } from "./last-will";
import type {
  ApiHandler,
  ApiOptions,
  ApiReply,
  BlockInfo,
  ClientState,
  CloseOptions,
  ConnectOptions,
  DirectHandler,
  DirectOptions,
  FindQuery,
  Identity,
  MessageHandler,
  PublishOptions,
  WillOptions,
} from "./options";
import { PendingCalls, type RequestFrame } from "./pending-calls";
import { ServedMethods } from "./served-methods";
import type { Subscription } from "./subscription";

/**
 * The client's events: `state` on every state change; `error` for failures no promise can carry
 * (a refused reconnect, a terminal close code, a throwing message handler, an unmatched error frame).
 *
 * @example
 * ```ts
 * nx.on("error", (err) => console.warn(err.code, err.message));
 * ```
 */
export interface ClientEvents extends Record<string, unknown[]> {
  state: [ClientState];
  error: [NexusError];
}

/**
 * A Nexus client; create it with `connect()`.
 *
 * @example
 * ```ts
 * const nx = await connect({ url: "http://127.0.0.1:8787", token, kind: "default" });
 * await nx.serve("sum", ({ a, b }) => ({ sum: a + b }));
 * console.log(nx.jid, await nx.api("etest", "sum", { a: 1, b: 2 }));
 * await nx.close();
 * ```
 */
export class NexusClient {
  // A throwing `error` listener must not feed back into `error`.
  private readonly events = new Emitter<ClientEvents>((err) => console.error("[nexus] an event listener threw", err));
  private readonly conn: Connection;
  private readonly pending: PendingCalls;
  private readonly channels: ChannelSubscriptions;
  private readonly served: ServedMethods;
  private readonly will: LastWill;
  private readonly directHandlers = new Set<DirectHandler>();
  private readonly requestTimeoutMs: number;
  private closeReason: NexusError | undefined;

  /** @internal Use `connect()`, which also waits for the first welcome. */
  constructor(options: ConnectOptions) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.conn = new Connection(options, {
      restore: async () => {
        await Promise.all([this.served.restore(), this.channels.restore(), this.will.restore()]);
      },
      ready: () => this.pending.flush(),
      frame: (frame) => this.dispatch(frame),
      dropped: () => {
        this.pending.dropInFlight(new NexusError(ErrorCode.disconnected, "the connection dropped before the answer arrived"));
        this.channels.dropped();
      },
      state: (state) => this.changed(state),
      error: (error) => {
        this.closeReason = error;
        this.events.emit("error", error);
      },
    });
    this.pending = new PendingCalls({ ready: () => this.conn.state === "connected", send: (text) => this.conn.send(text) });
    const declare = (frame: RequestFrame) =>
      this.pending.request(frame, { timeoutMs: this.requestTimeoutMs, expectAnswer: true, bypassQueue: true });
    const error = (err: unknown) => this.reportError(err);
    this.channels = new ChannelSubscriptions({ isOpen: () => this.conn.isOpen(), declare, error });
    this.will = new LastWill({
      declare,
      queue: (frame) => this.request(frame, { timeoutMs: this.requestTimeoutMs, expectAnswer: true }),
    });
    this.served = new ServedMethods({
      isOpen: () => this.conn.isOpen(),
      declare,
      answer: (generation, text) => {
        if (generation === this.conn.generation) this.conn.send(text);
      },
      generation: () => this.conn.generation,
      maxFrameBytes: () => this.conn.limits.maxFrameBytes,
      error,
    });
  }

  /** @internal Connects for the first time. */
  start(): Promise<void> {
    return this.conn.start();
  }

  /** "connecting" | "connected" | "disconnected" | "closed". */
  get state(): ClientState {
    return this.conn.state;
  }

  /** This block's JID, from the latest `welcome` (kept across reconnects). */
  get jid(): string {
    return this.conn.identity?.jid ?? "";
  }

  /** This block's identity as the server stamps it on what it sends. */
  get identity(): Identity | undefined {
    return this.conn.identity;
  }

  /** The server's limits from `welcome`. */
  get limits(): WelcomeLimits {
    return this.conn.limits;
  }

  /** Listens to `state` or `error`; returns the unsubscribe function. */
  on<K extends keyof ClientEvents>(event: K, listener: (...args: ClientEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /**
   * Calls `method` on a worker of `app` and resolves with its answer's `data`. Rejects with a
   * `NexusError`: the worker's code, `timeout`, `no_responders`, `disconnected` (retryable) if the
   * socket dropped after sending. Made while disconnected, the call waits for the reconnect within `timeoutMs`.
   */
  async api<T = any>(app: string, method: string, data?: unknown, options: ApiOptions = {}): Promise<T> {
    return (await this.call<T>(app, method, data, options)).data;
  }

  /**
   * As `api()`, and also says which worker answered (its identity as the server stamped it).
   *
   * @example
   * ```ts
   * const { data, from } = await nx.call("etest", "sum", { a: 1, b: 2 });
   * console.log(from.resource, data);
   * ```
   */
  async call<T = any>(app: string, method: string, data?: unknown, options: ApiOptions = {}): Promise<ApiReply<T>> {
    const max = this.conn.limits.apiTimeoutMs;
    const frame: RequestFrame = { t: "api", app, method, data: data === undefined ? null : data };
    if (options.resource !== undefined) frame.resource = options.resource;
    if (options.uid !== undefined) frame.uid = options.uid;
    const timeoutMs = Math.min(options.timeoutMs ?? max, max);
    const answer = await this.request(frame, { timeoutMs, signal: options.signal, expectAnswer: true });
    const result = answer as { data: T; from: Identity };
    return { data: result.data, from: result.from };
  }

  /**
   * Serves `method` (or "*" for every method): `handler`'s return value answers `ok:true`; a thrown
   * `NexusError` with code `bad_request` answers `bad_request`, any other throw `app_error` with its
   * message (a worker may not answer with a server condition such as `no_responders`). Resolves with a
   * function that stops serving, once the server has acked (the worker is in the pool).
   */
  serve(method: string, handler: ApiHandler): Promise<() => Promise<void>> {
    return this.alive() ?? this.served.add(method, handler);
  }

  /** Receives Directs sent to this block; returns the unsubscribe function. */
  onDirect(handler: DirectHandler): () => void {
    this.directHandlers.add(handler);
    return () => {
      this.directHandlers.delete(handler);
    };
  }

  /** Sends a one-way string to one worker; with `ack: true` resolves on the server's ack or rejects with its error. */
  async direct(app: string, resource: string, text: string, options: DirectOptions = {}): Promise<void> {
    assertText(text);
    const frame: RequestFrame = { t: "direct", app, resource, data: text };
    if (options.uid !== undefined) frame.uid = options.uid;
    await this.request(frame, { timeoutMs: this.requestTimeoutMs, expectAnswer: options.ack === true });
  }

  /**
   * Subscribes to `channel`; resolves after the server's ack. Messages go to `handler` and to the
   * subscription's async iterator; the retained value comes first, with `retained: true`.
   */
  subscribe(channel: string, handler?: MessageHandler): Promise<Subscription> {
    return this.alive() ?? this.channels.add(channel, handler);
  }

  /** Publishes `text` to `channel`; `retain` keeps it as the channel's value; `ack` waits for the server. */
  async publish(channel: string, text: string, options: PublishOptions = {}): Promise<void> {
    assertText(text);
    const frame: RequestFrame = { t: "pub", channel, data: text };
    if (options.retain !== undefined) frame.retain = options.retain;
    await this.request(frame, { timeoutMs: this.requestTimeoutMs, expectAnswer: options.ack === true });
  }

  /** Lists online blocks: the caller's own (default), or with `scope: "app"` every block of the app (owner only). */
  async find(query: FindQuery = {}): Promise<BlockInfo[]> {
    const frame: RequestFrame = { t: "find", ...query };
    const answer = await this.request(frame, { timeoutMs: this.requestTimeoutMs, expectAnswer: true });
    return (answer as { blocks: BlockInfo[] }).blocks;
  }

  /**
   * Leaves a will: the edge publishes `text` to `channel`, stamped with this block's identity, when this
   * connection ends any way other than by `clearWill()` or `close()` first (a crash, a lost network, a
   * dead process). Replaces an earlier will; kept across reconnects. Resolves on the server's ack.
   *
   * @example
   * ```ts
   * await nx.setWill("status/dev1", "offline", { retain: true });
   * ```
   */
  setWill(channel: string, text: string, options: WillOptions = {}): Promise<void> {
    assertText(text);
    return this.alive() ?? this.will.set(channel, text, options.retain === true);
  }

  /**
   * Withdraws the will, so that ending the connection publishes nothing.
   *
   * @example
   * ```ts
   * await nx.clearWill();
   * ```
   */
  clearWill(): Promise<void> {
    return this.alive() ?? this.will.clear();
  }

  /**
   * Closes the connection for good; waiting calls reject with a non-retryable `disconnected`.
   * A will is cleared first (a clean leave), unless `{ clearWill: false }` asks the edge to publish it.
   */
  async close(options: CloseOptions = {}): Promise<void> {
    if (this.conn.state === "closed") return;
    if (options.clearWill !== false && this.will.isSet() && this.conn.state === "connected") {
      // Bounded: a close must not hang on an edge that stopped answering.
      await Promise.race([this.will.clear().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 1000))]);
    }
    // The edge may have closed the connection meanwhile.
    if (this.state === "closed") return;
    this.closeReason = new NexusError(ErrorCode.disconnected, "the client was closed", { retryable: false });
    await this.conn.close();
  }

  // Synchronous up to the registration, so a close() right after a call still rejects it.
  private request(frame: RequestFrame, options: Parameters<PendingCalls["request"]>[1]) {
    return this.alive() ?? this.pending.request(frame, options);
  }

  /** A rejection when the client is closed, else undefined. */
  private alive(): Promise<never> | undefined {
    return this.conn.state === "closed" ? Promise.reject(this.closedError()) : undefined;
  }

  private closedError(): NexusError {
    const reason = this.closeReason;
    return new NexusError(reason?.code ?? ErrorCode.disconnected, `the client is closed${reason ? ` (${reason.message})` : ""}`, {
      retryable: false,
      cause: reason,
      closeCode: reason?.closeCode,
    });
  }

  private dispatch(frame: ServerFrame): void {
    switch (frame.t) {
      case "ack":
      case "api.result":
      case "find.result":
        this.pending.settle(frame);
        return;
      case "error":
        if (!this.pending.settle(frame)) this.events.emit("error", NexusError.fromWire(frame));
        return;
      case "api.req":
        void this.served.handle(frame);
        return;
      case "direct":
        for (const handler of this.directHandlers) {
          try {
            const result = handler(frame.data, { from: frame.from });
            if (result instanceof Promise) result.catch((err) => this.reportError(err));
          } catch (err) {
            this.reportError(err);
          }
        }
        return;
      case "msg":
        this.channels.deliver(frame);
        return;
      default:
        return;
    }
  }

  private changed(state: ClientState): void {
    if (state === "closed") {
      const error = this.closedError();
      this.pending.rejectAll(error);
      this.channels.closeAll(error);
    }
    this.events.emit("state", state);
  }

  private reportError(err: unknown): void {
    const error =
      err instanceof NexusError ? err : new NexusError(ErrorCode.app_error, `a handler threw: ${String(err)}`, { cause: err });
    if (this.events.count("error") > 0) this.events.emit("error", error);
    // Nobody listens: log rather than lose it, but never crash a worker over one handler's bug.
    else console.error("[nexus]", error);
  }
}

function assertText(text: unknown): asserts text is string {
  if (typeof text !== "string") throw new NexusError(ErrorCode.bad_request, "data must be a string (serialize objects yourself)");
}

/**
 * Connects to a Nexus edge and resolves once welcomed. Rejects with a `NexusError`: `unauthorized`
 * (401), `forbidden` (403), `bad_request` (400) when the edge refuses, `disconnected` when it cannot be reached.
 *
 * @example
 * ```ts
 * const nx = await connect({ url: "https://nexus.example.com", token: () => getToken(), kind: "default" });
 * nx.on("state", (s) => console.log("nexus", s));
 * ```
 */
export async function connect(options: ConnectOptions): Promise<NexusClient> {
  if (options.kind === undefined && options.resource === undefined) {
    throw new NexusError(ErrorCode.bad_request, "connect() needs a kind or a resource");
  }
  const client = new NexusClient(options);
  await client.start();
  return client;
}
